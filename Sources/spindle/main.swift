// spindle: wires the layers together (transport -> gRPC runtime -> services) and handles
// the process lifecycle. No behaviour lives here that a layer below could own.
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import FoundationEssentials
import HTTP2
import Effects
import Engine
import Gateway
import Metrics
import RPC
import Services
import SpindleCLI
import Storage

func serve(_ options: ServeOptions) async -> Int32 {
    let shutdown = ShutdownSignal()
    do {
        try DataDirectory.prepare(options.dataDir)
    } catch {
        Log.event("error", "data_dir", ["path": options.dataDir, "error": "\(error)"])
        return 1
    }

    let authenticator: Authenticator
    do {
        authenticator = try AuthSetup.authenticator(options)
    } catch {
        Log.event("error", "auth_setup", ["error": "\(error)"])
        return 1
    }
    // Health and reflection stay open; the workflow service checks the authenticator.
    let storeDir = options.dataDir + "/store"
    let store: WorkflowStore
    do {
        var storeOptions = StoreOptions()
        if let bytes = options.logSegmentBytes { storeOptions.segmentBytes = Int64(bytes) }
        if let records = options.watchRetainRecords { storeOptions.retainRecords = UInt64(records) }
        var archiveOptions = Archive.Options()
        if let bytes = options.archiveFileBytes { archiveOptions.dataFileBytes = Int64(bytes) }
        let (opened, summary) = try WorkflowStore.open(directory: storeDir, snapshotEvery: options.snapshotEvery,
                                                       options: storeOptions, archiveOptions: archiveOptions,
                                                       archiveCompaction: options.archiveCompaction,
                                                       valueLimits: options.valueLimits)
        store = opened
        let snapshotLSN = summary.snapshotLSN.map(String.init) ?? "none"
        let archive = summary.archive
        let archived = String(summary.archivedRuns), entries = String(archive.entries)
        let dropped = String(archive.droppedEntries.count)
        Log.event("info", "store_open", ["path": storeDir, "snapshot_lsn": snapshotLSN,
                                         "events_replayed": String(summary.eventsReplayed),
                                         "torn_tail": summary.tornTail ?? "none", "duration_ms": millis(summary.duration),
                                         "archived_runs": archived, "archive_entries": entries,
                                         "archive_cut": archive.truncatedIndex ?? "none", "archive_dropped": dropped])
        for dropped in summary.archive.droppedEntries {
            Log.event("warning", "archive_entry_dropped", ["reason": dropped, "then": "the run is rebuilt from the log"])
        }
        store.archive.onCompaction { c in
            Log.event("info", "archive_compacted", ["files_removed": String(c.filesRemoved), "records_moved": String(c.recordsMoved),
                                                    "bytes_reclaimed": String(c.bytesReclaimed)])
        }
        store.onSnapshot { report in
            if report.error == nil { ServerMetrics.snapshotTaken(duration: report.duration, bytes: report.bytes) }
            Log.event(report.error == nil ? "info" : "error", "snapshot",
                      ["lsn": String(report.lsn), "bytes": String(report.bytes), "run_records": String(report.runRecords),
                       "duration_ms": millis(report.duration), "error": report.error ?? "none"])
        }
    } catch {
        Log.event("error", "store_open_failed", ["path": storeDir, "error": "\(error)"])
        return 1
    }

    let httpClient = HTTPClient()
    let executor = Executor(workflows: store, runners: StepRunners.make(options, client: httpClient),
                            limits: Executor.Limits(global: options.maxRunningRuns, perWorkflow: options.maxRunsPerWorkflow),
                            hubCapacity: options.watchRingEvents ?? EventHub.defaultCapacity,
                            webhooks: StepRunners.webhooks(client: httpClient, policy: options.webhookPolicy),
                            taskOptions: options.taskOptions)
    let recoveryStarted = ContinuousClock.now
    await executor.recover()
    executor.startScheduler()
    let recovered = executor.counts
    Log.event("info", "runs_recovered", ["runs": String(recovered.runs), "unfinished": String(recovered.unfinished),
                                         "duration_ms": millis(ContinuousClock.now - recoveryStarted)])
    for problem in executor.recoveryProblems { Log.event("error", "run_recovery", ["problem": problem]) }

    var serviceNames = [HealthService.serviceName, BenchmarkService.serviceName, WorkflowService.serviceName,
                        RunService.serviceName, WorkerService.serviceName] + ReflectionService.serviceNames
    if options.testingServices { serviceNames.append(TestService.serviceName) }
    let health = HealthService(services: serviceNames)
    var router = Router()
    health.register(in: &router)
    BenchmarkService().register(in: &router)
    WorkflowService(store: store, authenticator: authenticator, executor: executor).register(in: &router)
    RunService(executor: executor, authenticator: authenticator).register(in: &router)
    WorkerService(executor: executor, authenticator: authenticator).register(in: &router)
    if options.testingServices { TestService().register(in: &router) }
    ReflectionService(services: serviceNames).register(in: &router)

    var rpcConfig = RPCServerConfig()
    rpcConfig.maxReceiveMessageSize = options.maxReceiveMessageSize
    let rpc = RPCServer(router: router, config: rpcConfig)

    let server = HTTP2Server(config: transportConfig(options), acceptor: rpc, logger: Log.line)
    let bound: BoundAddress
    do {
        bound = try server.start()
    } catch {
        Log.event("error", "listen_failed", ["host": options.host, "port": String(options.port), "error": "\(error)"])
        await store.close()
        return 1
    }
    ServerMetrics.register(executor: executor, server: server, router: router)
    let gateway = Gateway(rpc: rpc, metrics: { MetricsRegistry.shared.render() })
    let httpPort = options.httpPort ?? (options.port == 0 ? 0 : 8080)
    var httpBound: BoundAddress?
    do {
        var http1 = HTTP1ServerConfig()
        http1.limits.maxBodyBytes = options.maxReceiveMessageSize
        http1.headTimeout = .milliseconds(options.httpHeadTimeoutMillis)
        httpBound = try server.startHTTP1(host: options.host, port: httpPort, acceptor: gateway, config: http1)
    } catch {
        let fields: KeyValuePairs = ["host": options.host, "port": String(httpPort), "error": "\(error)"]
        guard options.httpPort == nil else {
            Log.event("error", "listen_failed", fields)
            await server.shutdown(grace: .zero)
            await store.close()
            return 1
        }
        // The default port is taken (another server on this host): run without the HTTP face.
        Log.event("warning", "http_listen_failed", fields)
    }
    let host = bound.host.contains(":") ? "[\(bound.host)]" : bound.host
    Log.event("info", "listening", ["addr": "\(host):\(bound.port)", "tls": options.tlsCert == nil ? "false" : "true",
                                    "http_addr": httpBound.map { "\(host):\($0.port)" } ?? "none",
                                    "services": serviceNames.joined(separator: ",")])

    let signalName = await shutdown.wait()
    Log.event("info", "draining", ["signal": signalName, "grace_s": String(options.shutdownGraceSeconds)])
    health.drain()
    gateway.setReady(false)
    await server.shutdown(grace: .seconds(options.shutdownGraceSeconds))
    await store.close()  // after the transport drained: no handler is still writing
    Log.event("info", "stopped")
    return 0
}

/// A duration as whole milliseconds, for log lines.
func millis(_ d: Duration) -> String {
    let c = d.components
    return String(c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000)
}

func transportConfig(_ o: ServeOptions) -> HTTP2ServerConfig {
    var config = HTTP2ServerConfig(host: o.host, port: o.port)
    if let cert = o.tlsCert, let key = o.tlsKey {
        config.tls = TLSConfig(certPath: cert, keyPath: key, clientCAPath: o.tlsClientCA)
    }
    if let n = o.threads { config.threads = n }
    if let n = o.maxConcurrentStreams { config.settings.maxConcurrentStreams = UInt32(n) }
    if let n = o.initialWindowSize { config.settings.initialWindowSize = UInt32(n) }
    if let n = o.maxFrameSize { config.settings.maxFrameSize = UInt32(n) }
    if let n = o.maxHeaderListSize { config.settings.maxHeaderListSize = UInt32(n) }
    if let s = o.idleTimeoutSeconds { config.idleTimeout = .seconds(s) }
    if let s = o.keepaliveSeconds { config.keepaliveInterval = .seconds(s) }
    return config
}

/// SIGTERM / SIGINT as an async event. Installed before the server listens: a signal that
/// arrives right after the listening line must drain the server, not kill it.
final class ShutdownSignal {
    private let stream: AsyncStream<String>
    private let sources: [any DispatchSourceSignal]

    init() {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        let (stream, continuation) = AsyncStream<String>.makeStream()
        self.stream = stream
        sources = [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")].map { sig, name in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            return source
        }
    }

    /// The name of the first signal received.
    func wait() async -> String {
        defer { sources.forEach { $0.cancel() } }
        for await name in stream { return name }
        return "none"
    }
}

/// The data directory (`--data-dir`): created if missing, and must be writable.
enum DataDirectory {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func prepare(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "cannot create \(path): \(error)")
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw Failure(description: "\(path) is not writable")
        }
    }
}

signal(SIGPIPE, SIG_IGN)
let code: Int32
switch Result(catching: { () throws(UsageError) -> Command in try CLI.parse(Array(CommandLine.arguments.dropFirst())) }) {
case .failure(let error):
    Log.write(Log.standardError, "spindle: \(error)\n")
    code = 2
case .success(.help(let text)):
    print(text)
    code = 0
case .success(.version):
    print("spindle \(CLI.version)")
    code = 0
case .success(.client(let args)):
    code = SpindleCLI.main(args, environment: ProcessInfo.processInfo.environment)
case .success(.serve(let options)):
    code = await serve(options)
case .success(.benchSeed(let options)):
    do {
        print(try await BenchSeed.run(options))
        code = 0
    } catch {
        Log.write(Log.standardError, "spindle bench-seed: \(error)\n")
        code = 1
    }
case .success(.token(let options)):
    do {
        let (_, secret) = try AuthSetup.jwtSecret(file: options.jwtSecretFile, dataDir: options.dataDir, create: false)
        print(Authenticator.mintToken(secret: secret, tenant: options.tenant ?? "", subject: options.subject,
                                      ttlSeconds: options.ttlSeconds))
        code = 0
    } catch {
        Log.write(Log.standardError, "spindle token: \(error)\n")
        code = 1
    }
}
exit(code)
