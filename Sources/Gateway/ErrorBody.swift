// Errors on the HTTP face: the gRPC status mapped to an HTTP status, and a JSON body in the
// google.rpc.Status shape ({"code", "message", "details": [{"@type": ...}]}), the same
// details the gRPC path carries in grpc-status-details-bin.
import ProtoJSON
import RPC

enum ErrorBody {
    /// The HTTP status for a gRPC code (the mapping google.api.http gateways use).
    static func httpStatus(_ code: StatusCode) -> Int {
        switch code {
        case .ok: 200
        case .cancelled: 499
        case .unknown, .internal, .dataLoss: 500
        case .invalidArgument, .failedPrecondition, .outOfRange: 400
        case .deadlineExceeded: 504
        case .notFound: 404
        case .alreadyExists, .aborted: 409
        case .permissionDenied: 403
        case .unauthenticated: 401
        case .resourceExhausted: 429
        case .unimplemented: 501
        case .unavailable: 503
        }
    }

    /// `{"code":N,"message":"...","details":[...]}`; `details` already rendered as JSON.
    static func json(code: StatusCode, message: String, details: [JSON] = []) -> [UInt8] {
        let object = [JSONMember("code", .number(String(code.rawValue))), JSONMember("message", .string(message)),
                      JSONMember("details", .array(details))]
        var out = JSON.object(object).bytes()
        out.append(0x0A)
        return out
    }

    static func send(status: Int, code: StatusCode, message: String, details: [JSON] = [],
                     to outbound: any StreamOutbound, extra: [(String, String)] = []) {
        HTTPResponse.json(status, json(code: code, message: message, details: details), extra: extra).send(to: outbound)
    }

    static func send(_ error: RPCError, details: [JSON] = [], to outbound: any StreamOutbound) {
        send(status: httpStatus(error.code), code: error.code, message: error.message, details: details, to: outbound)
    }
}
