// Storage: the durable file store (append-only log, snapshots, recovery). Being built.
