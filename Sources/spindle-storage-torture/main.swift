print("spindle-storage-torture: not built yet")
