print("spindle: not yet wired")
