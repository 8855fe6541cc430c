/// Swift namespaces for the proto packages, so that e.g. grpc.testing.Empty and
/// google.protobuf.Empty do not collide.
public enum GRPCHealthV1 {}
/// grpc.reflection.v1 and grpc.reflection.v1alpha (wire-identical; one set of types).
public enum GRPCReflection {}
public enum GRPCTesting {}
public enum GoogleRPC {}
public enum GoogleProtobuf {}
public enum SpindleTesting {}
/// spindle.v1: the WorkflowService and its workflow model.
public enum SpindleV1 {}
