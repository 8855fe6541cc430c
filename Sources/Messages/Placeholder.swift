// Messages: placeholder until the layer lands.
