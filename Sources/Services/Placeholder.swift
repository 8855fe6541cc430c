// Services: placeholder until the layer lands.
