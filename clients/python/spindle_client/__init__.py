"""Spindle's Python client: stubs generated from proto/ by clients/python/generate.sh.

Do not edit; regenerate. Example:
    from spindle_client.grpc.testing import test_pb2, test_pb2_grpc
"""
