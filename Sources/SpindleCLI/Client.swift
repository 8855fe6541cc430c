// The CLI's gRPC client: the Spindle services' methods over one GRPCClientChannel, with the
// token as metadata, and gRPC errors (their google.rpc.Status details decoded) as CLIError.
import ProtoJSON
import HTTP2
import Messages
import ProtoWire
import RPC

/// Why a command failed, and the exit code it maps to (documented in `spindle help`).
struct CLIError: Error, CustomStringConvertible {
    var exitCode: Int32
    var description: String

    static func usage(_ message: String) -> CLIError { CLIError(exitCode: ExitCode.usage, description: message) }
    static func input(_ message: String) -> CLIError { CLIError(exitCode: ExitCode.badInput, description: message) }

    static func rpc(_ error: RPCError) -> CLIError {
        var text = "\(error.code.name): \(error.message)"
        for line in describeDetails(error.details) { text += "\n  " + line }
        return CLIError(exitCode: ExitCode.rpcBase + Int32(error.code.rawValue), description: text)
    }

    /// google.rpc.Status details, one line each: BadRequest's violations as "field: why",
    /// any other known detail as its JSON.
    static func describeDetails(_ bytes: [UInt8]?) -> [String] {
        guard let bytes, let status = try? GoogleRPC.Status(serializedBytes: bytes) else { return [] }
        var lines: [String] = []
        for any in status.details {
            let name = String(any.typeURL.split(separator: "/").last ?? "")
            if name == GoogleRPC.BadRequest.protoName, let request = try? GoogleRPC.BadRequest(serializedBytes: any.value) {
                lines += request.fieldViolations.map { "\($0.field): \($0.description)" }
            } else if let json = try? Transcoder().json(from: any.value[...], type: name) {
                lines.append("\(name): " + json.render())
            } else {
                lines.append("\(name) (\(any.value.count) bytes)")
            }
        }
        return lines
    }
}

/// Exit codes a script can rely on.
enum ExitCode {
    static let ok: Int32 = 0
    /// Something unexpected inside the CLI.
    static let internalError: Int32 = 1
    /// Bad command line: unknown command or flag, missing argument.
    static let usage: Int32 = 2
    /// A definition or input file that cannot be read or parsed.
    static let badInput: Int32 = 3
    /// `--watch` / `run watch`: the run ended FAILED.
    static let runFailed: Int32 = 4
    /// `--watch` / `run watch`: the run ended CANCELED.
    static let runCanceled: Int32 = 5
    /// A gRPC error: 10 + its status code (13 INVALID_ARGUMENT, 15 NOT_FOUND, 24 UNAVAILABLE,
    /// 26 UNAUTHENTICATED, ...).
    static let rpcBase: Int32 = 10
    /// Ctrl-C during `run watch` (the run goes on).
    static let interrupted: Int32 = 130
}

final class SpindleClient {
    let channel: GRPCClientChannel
    var metadata = Metadata()
    /// Per unary call.
    var timeout: Duration = .seconds(30)

    init(_ options: GlobalOptions) throws(CLIError) {
        let (host, port) = try Self.splitServer(options.server)
        var config = HTTP2ClientConfig(host: host, port: port)
        if let ca = options.tlsCA { config.tls = .init(caPath: ca) }
        channel = GRPCClientChannel(config: config)
        if let token = options.token, !token.isEmpty { metadata.add("authorization", "Bearer \(token)") }
    }

    /// "host:port", "[v6]:port", or "host" (port 50051).
    static func splitServer(_ text: String) throws(CLIError) -> (String, Int) {
        var host = Substring(text), portText: Substring = "50051"
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw .usage("--server \"\(text)\": missing \"]\"") }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if rest.hasPrefix(":") { portText = rest.dropFirst() } else if !rest.isEmpty { throw .usage("--server \"\(text)\": bad address") }
        } else if let colon = host.lastIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else {
            throw .usage("--server \"\(text)\": expected HOST:PORT")
        }
        return (String(host), port)
    }

    func unary<Req: SchemaMessage, Resp: SchemaMessage>(_ service: String, _ method: String, _ request: Req,
                                                        _ response: Resp.Type) throws(CLIError) -> Resp {
        let bytes: [UInt8]
        do {
            bytes = try channel.unary(path: "/spindle.v1.\(service)/\(method)", request: request.serializedBytes(),
                                      metadata: metadata, timeout: timeout)
        } catch {
            throw .rpc(error)
        }
        do {
            return try Resp(serializedBytes: bytes)
        } catch {
            throw .rpc(RPCError(.internal, "cannot decode the \(Resp.protoName) response: \(error)"))
        }
    }

    func workflow<Req: SchemaMessage, Resp: SchemaMessage>(_ method: String, _ request: Req, _ response: Resp.Type) throws(CLIError) -> Resp {
        try unary("WorkflowService", method, request, response)
    }

    func runs<Req: SchemaMessage, Resp: SchemaMessage>(_ method: String, _ request: Req, _ response: Resp.Type) throws(CLIError) -> Resp {
        try unary("RunService", method, request, response)
    }

    /// WatchRun from `afterSeq`: each event to `onEvent` until the stream ends (after the
    /// terminal event). Transport failures come back as RPCError(.unavailable) for the
    /// caller's resume loop.
    func watchRun(_ runID: String, afterSeq: UInt64, onIdle: (() -> Void)? = nil,
                  onEvent: (SpindleV1.RunEvent) -> Void) throws(RPCError) {
        var request = SpindleV1.WatchRunRequest()
        request.runID = runID
        request.afterSeq = afterSeq
        try channel.serverStream(path: "/spindle.v1.RunService/WatchRun", request: request.serializedBytes(),
                                 metadata: metadata, timeout: nil, onIdle: onIdle) { (bytes: [UInt8]) throws(RPCError) -> Bool in
            do {
                onEvent(try SpindleV1.RunEvent(serializedBytes: bytes))
            } catch {
                throw RPCError(.internal, "cannot decode a RunEvent: \(error)")
            }
            return true
        }
    }

    /// A workflow by id, or by exact name when no workflow has that id.
    func resolveWorkflow(_ ref: String) throws(CLIError) -> SpindleV1.Workflow {
        var get = SpindleV1.GetWorkflowRequest()
        get.workflowID = ref
        do {
            return try workflow("GetWorkflow", get, SpindleV1.Workflow.self)
        } catch let error where error.exitCode == ExitCode.rpcBase + Int32(StatusCode.notFound.rawValue)
                                || error.exitCode == ExitCode.rpcBase + Int32(StatusCode.invalidArgument.rawValue) {
            if let found = try findWorkflow(named: ref) { return found }
            throw error
        }
    }

    func findWorkflow(named name: String) throws(CLIError) -> SpindleV1.Workflow? {
        var list = SpindleV1.ListWorkflowsRequest()
        if name.utf8.count >= 3 { list.nameContains = name }  // shorter: the index has no trigram for it
        list.pageSize = 100
        while true {
            let page = try workflow("ListWorkflows", list, SpindleV1.ListWorkflowsResponse.self)
            if let w = page.workflows.first(where: { $0.name == name }) { return w }
            guard !page.nextPageToken.isEmpty else { return nil }
            list.pageToken = page.nextPageToken
        }
    }
}
