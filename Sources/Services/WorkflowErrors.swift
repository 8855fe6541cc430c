// Engine, mapping and storage failures -> gRPC status. INVALID_ARGUMENT always carries a
// google.rpc.Status with one google.rpc.BadRequest in `grpc-status-details-bin`, so stock
// clients (grpcio-status, grpcurl, Go's status.FromError) can read the field violations.
public import Engine
import Messages
import ProtoWire
public import RPC
import Storage

public enum WorkflowErrors {
    /// INVALID_ARGUMENT naming one request field.
    public static func invalid(_ field: String, _ message: String) -> RPCError {
        badRequest([(field, "INVALID_REQUEST: \(message)")], message: "\(field): \(message)")
    }

    /// INVALID_ARGUMENT with one field violation per entry (field, description).
    static func badRequest(_ violations: [(String, String)], message: String) -> RPCError {
        var request = GoogleRPC.BadRequest()
        request.fieldViolations = violations.map { GoogleRPC.BadRequest.FieldViolation(field: $0.0, description: $0.1) }
        var status = GoogleRPC.Status()
        status.code = Int32(StatusCode.invalidArgument.rawValue)
        status.message = message
        status.details = [GoogleProtobuf.`Any`(packing: request)]
        return RPCError(.invalidArgument, message, details: status.serializedBytes())
    }

    public static func status(_ error: DomainError) -> RPCError {
        switch error {
        case .notFound(let m): return RPCError(.notFound, m)
        case .alreadyExists(let m): return RPCError(.alreadyExists, m)
        case .failedPrecondition(let m): return RPCError(.failedPrecondition, m)
        case .aborted(let m): return RPCError(.aborted, m)
        case .resourceExhausted(let m): return RPCError(.resourceExhausted, m)
        case .invalidArgument(let errors): return invalidArgument(errors)
        }
    }

    /// One violation per validation error: field "steps[b].depends_on[0]", description
    /// "UNKNOWN_DEPENDENCY: ...". The status message alone says what is wrong when there is one
    /// problem, and how many there are otherwise.
    static func invalidArgument(_ errors: [ValidationError]) -> RPCError {
        let violations = errors.map { ($0.field, "\($0.code.rawValue): \($0.message)") }
        let message: String
        if errors.count == 1, let e = errors.first {
            message = e.code == .invalidRequest ? "\(e.field): \(e.message)" : "invalid definition: \(e.field): \(e.message)"
        } else {
            let first = errors.prefix(3).map { "\($0.field): \($0.message)" }.joined(separator: "; ")
            message = "invalid definition: \(errors.count) problems: \(first)\(errors.count > 3 ? "; ..." : "")"
        }
        return badRequest(violations, message: message)
    }

    static func status(_ error: MappingError) -> RPCError { invalid(error.field, error.message) }

    /// Anything a handler can throw, as the status the caller gets.
    static func map(_ error: any Error) -> RPCError {
        switch error {
        case let e as RPCError: return e
        case let e as DomainError: return status(e)
        case let e as MappingError: return status(e)
        case let e as StorageError:
            switch e {
            case .blobTooLarge(let limit): return RPCError(.resourceExhausted, "file is over the limit of \(limit) bytes")
            case .poisoned, .closed, .io, .locked:
                return RPCError(.unavailable, "workflow store unavailable: \(e)")
            default: return RPCError(.internal, "workflow store failed: \(e)")
            }
        case is CancellationError: return RPCError(.cancelled, "the call was cancelled")
        default: return RPCError(.internal, "workflow store failed: \(error)")
        }
    }
}
