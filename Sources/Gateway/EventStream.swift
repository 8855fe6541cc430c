// Server-Sent Events for the streaming run methods: WatchRun as
// `GET /api/v1/workflows/runs/{run_id}/stream` and WatchRuns as `GET /api/v1/workflows/runs/stream`.
// One SSE event per message: `id:` the run event's seq (WatchRun) or the resume token
// (WatchRuns), `event:` the event type in lower case (`step_started`, `run_completed`, ...),
// `data:` the message as proto3 JSON. `Last-Event-ID` resumes where the client stopped, so a
// reconnect loses and repeats nothing (WatchRun's own guarantee). Flow control end to end:
// the handler waits on the in-process call, which waits on this writer, which waits on the
// HTTP connection's socket; nothing buffers without bound for a slow reader.
import ProtoJSON
import RPC

enum EventStream {
    /// The request field a Last-Event-ID header resumes from, per method.
    static func resumeField(_ rpc: String) -> String? {
        switch rpc {
        case RouteTable.runs + "WatchRun": "after_seq"
        case RouteTable.runs + "WatchRuns": "resume_token"
        default: nil
        }
    }

    static func start(_ request: HTTPRequest, _ outbound: any StreamOutbound, gateway: Gateway, route: Route,
                      method: SchemaMethod, message: [UInt8], metadata: [HeaderField]) {
        let connection = request.connection
        let heartbeat = gateway.config.sseHeartbeat
        Task(executorPreference: connection.executor) {
            // Refuse with a real HTTP status (401, 404) before the stream starts: the same
            // check the stream's first step makes, as a unary call.
            if let (path, check) = precheck(route.rpc, message) {
                let call = LocalCall.start(gateway.rpc, path: path, metadata: metadata, request: check, connection: connection)
                let (_, status) = await call.unaryResult()
                if status.code != .ok { return Routes.sendError(status, outbound) }
            }
            if request.gone.isCancelled { return }
            let call = LocalCall.start(gateway.rpc, path: "/" + route.rpc, metadata: metadata, request: message,
                                       connection: connection)
            request.gone.onCancel { call.cancel() }
            outbound.write(.head(status: 200, fields: [
                HeaderField("content-type", "text/event-stream"), HeaderField("cache-control", "no-cache"),
                HeaderField("x-accel-buffering", "no"),
            ], endStream: false))
            outbound.write(.data(Array(": stream open\n\n".utf8)))
            let beat = Task(executorPreference: connection.executor) {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: heartbeat) } catch { return }
                    outbound.write(.data(Array(": heartbeat\n\n".utf8)))
                }
            }
            defer { beat.cancel() }
            let transcoder = Transcoder()
            while let event = await call.next() {
                switch event {
                case .message(let bytes):
                    guard let json = try? transcoder.json(from: bytes[...], type: method.output) else { continue }
                    if !outbound.write(.data(frame(json))) { await outbound.waitUntilWritable() }
                    if request.gone.isCancelled { return }
                case .end(let status):
                    if status.code != .ok && status.code != .cancelled {
                        let body = ErrorBody.json(code: status.code, message: status.message,
                                                  details: Routes.detailsJSON(status.details))
                        outbound.write(.data(Array("event: error\ndata: ".utf8) + body.dropLast() + Array("\n\n".utf8)))
                    }
                    outbound.write(.trailers([]))
                    return
                }
            }
        }
    }

    /// A unary call that fails exactly when the stream would, and its request.
    private static func precheck(_ rpc: String, _ message: [UInt8]) -> (String, [UInt8])? {
        switch rpc {
        case RouteTable.runs + "WatchRun":
            // GetRunRequest.run_id is field 1, as in WatchRunRequest; after_seq is skipped.
            return ("/" + RouteTable.runs + "GetRun", message)
        case RouteTable.runs + "WatchRuns":
            guard let check = try? Transcoder().protobuf(from: .object([JSONMember("page_size", .number("1"))]),
                                                         type: "spindle.v1.ListRunsRequest") else { return nil }
            return ("/" + RouteTable.runs + "ListRuns", check)
        default:
            return nil
        }
    }

    /// One SSE event for a RunEvent or a WatchRunsResponse.
    static func frame(_ json: JSON) -> [UInt8] {
        var id: String?
        var name = "message"
        if case .string(let type)? = json["type"] {  // a RunEvent
            name = eventName(type)
            if case .string(let seq)? = json["seq"] { id = seq }
        } else {  // a WatchRunsResponse
            if case .string(let token)? = json["resumeToken"] { id = token }
            if case .string(let type)? = json["event"]?["type"] { name = eventName(type) }
            else if json["run"] != nil { name = "run" }
            else if json["snapshotEnd"] != nil { name = "snapshot_end" }
        }
        var out: [UInt8] = []
        if let id { out += Array("id: \(id)\n".utf8) }
        out += Array("event: \(name)\ndata: ".utf8)
        out += json.bytes()
        out += Array("\n\n".utf8)
        return out
    }

    /// "RUN_EVENT_TYPE_STEP_STARTED" -> "step_started".
    static func eventName(_ type: String) -> String {
        let prefix = "RUN_EVENT_TYPE_"
        return (type.hasPrefix(prefix) ? String(type.dropFirst(prefix.count)) : type).lowercased()
    }
}
