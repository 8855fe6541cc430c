// JSON over HTTP/1.1: match the route table, build the request message from the path, the
// query string and the JSON body, call the gRPC method in process, answer with the response
// as JSON (or the status as a google.rpc.Status-shaped error).
import ProtoJSON
import RPC

enum Routes {
    struct Match {
        let route: Route
        let variables: [(String, String)]
    }

    enum Lookup {
        case found(Match)
        /// The path exists, not with this method.
        case wrongMethod(allowed: [String])
        case notFound
    }

    /// Finds the route for `method path`. Among templates matching the path, the one with a
    /// literal where the others have a variable wins (`/workflows/runs` before `/workflows/{id}`).
    static func lookup(method: String, path: Substring) -> Lookup {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var best: [(Route, [(String, String)], [Bool])] = []
        for route in RouteTable.routes {
            guard let (vars, shape) = match(route.template, segments) else { continue }
            if let first = best.first {
                if shape.lexicographicallyPrecedes(first.2, by: { !$0 && $1 }) { best = [(route, vars, shape)] }
                else if shape == first.2 { best.append((route, vars, shape)) }
            } else {
                best = [(route, vars, shape)]
            }
        }
        guard !best.isEmpty else { return .notFound }
        let wanted = method == "HEAD" ? "GET" : method
        if let hit = best.first(where: { $0.0.method == wanted }) { return .found(Match(route: hit.0, variables: hit.1)) }
        return .wrongMethod(allowed: best.map(\.0.method))
    }

    /// Variables and the template's shape (true where a segment is a variable), if it matches.
    private static func match(_ template: String, _ segments: ArraySlice<Substring>) -> ([(String, String)], [Bool])? {
        let parts = template.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard parts.count == segments.count else { return nil }
        var vars: [(String, String)] = []
        var shape: [Bool] = []
        for (part, segment) in zip(parts, segments) {
            if part.first == "{" {
                guard !segment.isEmpty, let decoded = percentDecode(segment) else { return nil }
                vars.append((String(part.dropFirst().dropLast()), decoded))
                shape.append(true)
            } else {
                guard part == segment else { return nil }
                shape.append(false)
            }
        }
        return (vars, shape)
    }

    static func handle(_ request: HTTPRequest, _ outbound: any StreamOutbound, gateway: Gateway) {
        let match: Match
        switch lookup(method: request.method, path: request.path) {
        case .found(let m): match = m
        case .wrongMethod(let allowed):
            return gateway.methodNotAllowed(outbound, allow: allowed.joined(separator: ", "))
        case .notFound:
            return ErrorBody.send(status: 404, code: .notFound, message: "no route for \(request.method) \(request.path)",
                                  to: outbound)
        }
        guard let method = ProtoSchema.shared.methods[match.route.rpc] else {
            return ErrorBody.send(status: 501, code: .unimplemented, message: "\(match.route.rpc) is not in the schema", to: outbound)
        }
        let message: [UInt8]
        do {
            message = try requestMessage(request, match, method)
        } catch {
            return ErrorBody.send(status: 400, code: .invalidArgument, message: error.message, to: outbound)
        }
        let metadata = forwardedMetadata(request)
        switch match.route.kind {
        case .events:
            EventStream.start(request, outbound, gateway: gateway, route: match.route, method: method,
                              message: message, metadata: metadata)
        case .unary:
            let call = LocalCall.start(gateway.rpc, path: "/" + match.route.rpc, metadata: metadata, request: message,
                                       connection: request.connection)
            request.gone.onCancel { call.cancel() }
            let created = match.route.created
            let headOnly = request.method == "HEAD"
            Task(executorPreference: request.connection.executor) {
                let (response, status) = await call.unaryResult()
                guard status.code == .ok, let response else {
                    return sendError(status, outbound)
                }
                do {
                    var body = try Transcoder().json(from: response[...], type: method.output).bytes()
                    body.append(0x0A)
                    var reply = HTTPResponse.json(created ? 201 : 200, body)
                    reply.headOnly = headOnly
                    reply.send(to: outbound)
                } catch {
                    ErrorBody.send(status: 500, code: .internal, message: "response not representable as JSON: \(error)",
                                   to: outbound)
                }
            }
        }
    }

    /// Headers passed to the gRPC call as metadata: auth, and the caller's request id.
    static func forwardedMetadata(_ request: HTTPRequest) -> [HeaderField] {
        request.head.fields.filter { $0.name == "authorization" || $0.name == "x-request-id" }
    }

    static func sendError(_ status: CallStatus, _ outbound: any StreamOutbound) {
        ErrorBody.send(status: ErrorBody.httpStatus(status.code), code: status.code, message: status.message,
                       details: detailsJSON(status.details), to: outbound)
    }

    /// The `details` of a serialized google.rpc.Status, as JSON (each an Any with "@type").
    static func detailsJSON(_ details: [UInt8]?) -> [JSON] {
        guard let details, let status = try? Transcoder().json(from: details[...], type: "google.rpc.Status"),
              case .array(let items)? = status["details"] else { return [] }
        return items
    }

    /// The request message: JSON body (the whole request, or one field of it), then query
    /// parameters, then path variables, each overriding what came before for the same field.
    static func requestMessage(_ request: HTTPRequest, _ match: Match, _ method: SchemaMethod) throws(TranscodeError) -> [UInt8] {
        guard let type = ProtoSchema.shared.messages[method.input] else { throw TranscodeError("unknown type \(method.input)") }
        var members: [JSONMember] = []
        if match.route.body != .none && !request.body.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            let body: JSON
            do {
                body = try JSONParser.parse(request.body)
            } catch {
                throw TranscodeError("the request body is not valid JSON: \(error)")
            }
            switch match.route.body {
            case .all:
                guard case .object(let m) = body else { throw TranscodeError("the request body must be a JSON object") }
                members = m
            case .field(let name): members = [JSONMember(name, body)]
            case .none: break
            }
        }
        for (key, value) in try queryParameters(request.query) {
            try set(key, value, in: &members, type, repeatable: true)
        }
        for (key, value) in match.variables {
            try set(key, .string(value), in: &members, type, repeatable: false)
        }
        if let field = EventStream.resumeField(match.route.rpc), let last = request.head.first("last-event-id"),
           !last.isEmpty {
            try set(field, .string(last), in: &members, type, repeatable: false)
        }
        return try Transcoder().protobuf(from: .object(members), type: method.input)
    }

    /// Sets one field (by proto or JSON name) from a path variable or query parameter;
    /// "a.b" reaches into a message field.
    private static func set(_ key: String, _ value: JSON, in members: inout [JSONMember], _ type: SchemaMessageType,
                            repeatable: Bool) throws(TranscodeError) {
        let path = key.split(separator: ".", maxSplits: 1)
        guard let first = path.first, let field = type.field(named: String(first)) else {
            throw TranscodeError("unknown parameter \"\(key)\" for \(type.name)")
        }
        let existing = members.firstIndex { type.field(named: $0.key)?.number == field.number }
        if path.count == 2 {
            guard field.type == .message, let inner = ProtoSchema.shared.messages[field.typeName ?? ""],
                  !Transcoder.wellKnownNames.contains(inner.name) else {
                throw TranscodeError("parameter \"\(key)\": \(field.name) is not a message")
            }
            var nested: [JSONMember] = []
            if let existing, case .object(let m) = members[existing].value { nested = m }
            try set(String(path[1]), value, in: &nested, inner, repeatable: repeatable)
            if let existing { members[existing] = JSONMember(field.name, .object(nested)) } else { members.append(JSONMember(field.name, .object(nested))) }
            return
        }
        var newValue = value
        if field.repeated && repeatable {
            var items: [JSON] = []
            if let existing, case .array(let a) = members[existing].value { items = a }
            items.append(value)
            newValue = .array(items)
        }
        if let existing { members[existing] = JSONMember(field.name, newValue) } else { members.append(JSONMember(field.name, newValue)) }
    }

    static func queryParameters(_ query: Substring?) throws(TranscodeError) -> [(String, JSON)] {
        guard let query, !query.isEmpty else { return [] }
        var out: [(String, JSON)] = []
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = percentDecode(kv[0], plusIsSpace: true),
                  let value = percentDecode(kv.count > 1 ? kv[1] : "", plusIsSpace: true) else {
                throw TranscodeError("malformed percent-encoding in the query string")
            }
            out.append((key, .string(value)))
        }
        return out
    }

    static func percentDecode(_ text: Substring, plusIsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let b = utf8[i]
            if b == UInt8(ascii: "%") {
                let h1 = utf8.index(after: i)
                guard h1 < utf8.endIndex else { return nil }
                let h2 = utf8.index(after: h1)
                guard h2 < utf8.endIndex, let hi = hex(utf8[h1]), let lo = hex(utf8[h2]) else { return nil }
                bytes.append(hi << 4 | lo)
                i = utf8.index(after: h2)
                continue
            }
            bytes.append(plusIsSpace && b == UInt8(ascii: "+") ? 0x20 : b)
            i = utf8.index(after: i)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }
}
