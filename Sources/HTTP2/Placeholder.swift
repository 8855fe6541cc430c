// HTTP2: placeholder until the layer lands.
