// Gzip: placeholder until the layer lands.
