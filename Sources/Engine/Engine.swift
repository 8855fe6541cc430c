// Engine: the workflow model, validation and versioning. Being built.
