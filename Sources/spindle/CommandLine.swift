import Engine
import SpindleCLI

/// `spindle` command-line parsing. Flag names are a contract other tools use: keep them.
struct ServeOptions {
    var host = "127.0.0.1"
    var port = 50051
    /// The HTTP/1.1 face (JSON, SSE, gRPC-Web, /metrics, dashboard); 0 picks a free port.
    /// nil: 8080, or a free port when `--port 0` (test servers must never collide).
    var httpPort: Int?
    /// A request head must arrive whole within this time of its first byte (slowloris).
    var httpHeadTimeoutMillis = 10_000
    var dataDir = "./spindle-data"
    var threads: Int?
    var tlsCert: String?
    var tlsKey: String?
    var tlsClientCA: String?
    var testingServices = false
    var maxReceiveMessageSize = 4 * 1024 * 1024
    var maxConcurrentStreams: Int?
    var initialWindowSize: Int?
    var maxFrameSize: Int?
    var maxHeaderListSize: Int?
    var idleTimeoutSeconds: Int?
    var keepaliveSeconds: Int?
    var shutdownGraceSeconds = 10
    var authMode = "jwt"
    var jwtSecretFile: String?
    var apiKeysFile: String?
    var jwtLeewaySeconds = 30  // Authenticator.defaultLeewaySeconds
    var allowScripts = false
    var llmEndpoint: String?
    var llmModel = "gpt-4o-mini"
    var maxRunningRuns = 1000
    var maxRunsPerWorkflow = 10
    var snapshotEvery = 50_000
    var logSegmentBytes: Int?
    var watchRetainRecords: Int?
    var watchRingEvents: Int?
    /// The run archive: data file size, and when its sealed files are compacted.
    var archiveFileBytes: Int?
    var archiveCompaction = RunArchive.CompactionPolicy()
    /// The workflow webhook's retries (attempts counted across restarts).
    var webhookPolicy = WebhookPolicy()
    /// Large values: kept in blobs past a threshold, refused past a limit.
    var valueLimits = ValueLimits()
    /// task steps on external workers: cancel grace, default heartbeat timeout.
    var taskOptions = TaskBroker.Options()
}

struct TokenOptions {
    var tenant: String?
    var subject = "dev"
    var ttlSeconds: Int64 = 3600
    var dataDir = "./spindle-data"
    var jwtSecretFile: String?
}

enum Command {
    case serve(ServeOptions)
    case token(TokenOptions)
    case benchSeed(BenchSeedOptions)
    /// workflow / run / approvals / approve / decline / override / schedule: the gRPC client.
    case client([String])
    case help(String)
    case version
}

struct UsageError: Error, CustomStringConvertible {
    var description: String
}

enum CLI {
    static let version = "0.1.0"

    static let usage = """
    usage: spindle <command> [flags]

    commands:
      serve       start the gRPC server
      token       mint a development JWT for a tenant (spindle token --tenant T)
      bench-seed  fill a data dir with many workflow records (for bench/workflows.py --records)
      version     print the version
      help        print this help (also: spindle serve --help)
    """ + "\n\n" + SpindleCLI.helpText

    static let serveUsage = """
    usage: spindle serve [flags]

    Starts the Spindle gRPC server (HTTP/2: cleartext h2c, or TLS with ALPN h2).

    flags:
      --host HOST                    address to listen on (default 127.0.0.1)
      --port PORT                    TCP port; 0 picks a free one (default 50051)
      --http-port PORT               HTTP/1.1 port (JSON API, SSE, gRPC-Web, /metrics, dashboard);
                                     0 picks a free one (default 8080; with --port 0, a free
                                     one; when the default is taken the face is off, logged)
      --http-head-timeout-ms MS      a request head must arrive within MS of its first byte (10000)
      --data-dir DIR                 where Spindle keeps its files (default ./spindle-data)
      --threads N                    event-loop threads (default: one per CPU core)
      --tls-cert PEM                 serve TLS with this certificate chain (needs --tls-key)
      --tls-key PEM                  private key for --tls-cert
      --tls-client-ca PEM            require client certificates signed by this CA (mutual TLS)
      --testing-services             also serve grpc.testing.TestService (gRPC interop tests)
      --max-recv-message-size BYTES  largest request message accepted (default 4194304)
      --max-concurrent-streams N     HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS
      --initial-window-size BYTES    HTTP/2 SETTINGS_INITIAL_WINDOW_SIZE
      --max-frame-size BYTES         HTTP/2 SETTINGS_MAX_FRAME_SIZE
      --max-header-list-size BYTES   HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE (default 16384); a request header section
                                     over it is answered RESOURCE_EXHAUSTED, trailers-only
      --idle-timeout SECONDS         close connections idle this long
      --keepalive SECONDS            send a keepalive PING this often
      --shutdown-grace SECONDS       on SIGTERM/SIGINT, let in-flight calls finish this long (default 10)
      --auth jwt|none                jwt (default): every call needs "authorization: Bearer <token>"
                                     (an HS256 JWT or an API key); none: no checks (development only)
      --allow-scripts                let script steps run subprocesses (refused with SCRIPTS_DISABLED otherwise)
      --llm-endpoint URL             OpenAI-compatible base URL for agent_task steps, e.g. http://127.0.0.1:8000/v1
                                     (API key from the SPINDLE_LLM_API_KEY environment variable)
      --llm-model NAME               model agent_task steps use when their config names none (default gpt-4o-mini)
      --max-running-runs N           runs RUNNING at once in the server; more wait QUEUED (default 1000)
      --max-runs-per-workflow N      runs RUNNING at once per workflow; more wait QUEUED (default 10)
      --snapshot-every N             snapshot (and compact the log) after N log records of any kind, or after as
                                     many records as there are workflows when that is more (default 50000)
      --log-segment-bytes N          start a new log segment past N bytes (default 64 MiB; small ones compact sooner)
      --watch-ring-events N          newest run events kept in memory for WatchRuns streams (default 262144)
      --watch-retain-records N       newest log records compaction keeps on disk, so a WatchRuns stream behind
                                     the ring (or resuming after a restart) is served every event from the log;
                                     older tokens start from a snapshot (default 1000000)
      --archive-file-bytes N         start a new run archive data file past N bytes (default 256 MiB)
      --archive-compact-percent P    rewrite a full run archive data file once its live runs' histories take less
                                     than P% of it (deleted and superseded ones are dropped; default 50, 0: never)
      --archive-compact-interval-ms N  look for such files at most this often, after a delete (default 60000)
      --webhook-attempts N           attempts to deliver a finished run to its workflow's webhook_url, counted
                                     across restarts; then it is given up and logged (default 5)
      --webhook-backoff-ms N         wait after the first failed attempt, doubling after each (default 500, at most 30 s)
      --value-blob-bytes N           a step's output or input, or a run's input or output, over N bytes is kept in a
                                     blob beside the log and referred to from the log (default 262144, at most 4 MiB)
      --max-value-bytes N            a value over N bytes fails its step with RESOURCE_EXHAUSTED (a request
                                     carrying one is refused the same way; default 67108864)
      --task-cancel-grace-ms N       a canceled task step's attempt waits this long for its worker to stop (default 5000)
      --task-heartbeat-timeout-ms N  a task's heartbeat timeout when its step's config names none (default 30000)
      --jwt-secret-file FILE         HS256 secret (default <data-dir>/auth/jwt-secret, created if missing)
      --api-keys-file FILE           static API keys, one "KEY TENANT [SUBJECT]" per line; a key listed twice or
                                     a malformed line stops the server at start-up, naming the line
      --jwt-leeway-seconds N         clock skew allowed on a JWT's exp, nbf and iat (default 30, at most 300)
      --help                         print this help

    It prints one line when listening, e.g.
      level=info event=listening addr=127.0.0.1:50051 tls=false
    and then one logfmt line per event worth logging.
    """

    static func parse(_ args: [String]) throws(UsageError) -> Command {
        guard let command = args.first else { return .help(usage) }
        if SpindleCLI.handles(arguments: args) { return .client(args) }
        switch command {
        case "serve": return try parseServe(Array(args.dropFirst()))
        case "token": return try parseToken(Array(args.dropFirst()))
        case "bench-seed": return try parseBenchSeed(Array(args.dropFirst()))
        case "version", "--version": return .version
        case "help", "--help", "-h":
            if args.count > 1, SpindleCLI.handles(args[1]) { return .client(Array(args.dropFirst()) + ["--help"]) }
            return .help(usage)
        default: throw UsageError(description: "unknown command \"\(command)\"\n\n\(usage)")
        }
    }

    private static func parseServe(_ args: [String]) throws(UsageError) -> Command {
        var o = ServeOptions()
        var i = 0
        func value(_ flag: String) throws(UsageError) -> String {
            i += 1
            guard i < args.count else { throw UsageError(description: "\(flag) needs a value") }
            return args[i]
        }
        func int(_ flag: String, min: Int = 0, max: Int = Int(Int32.max)) throws(UsageError) -> Int {
            let text = try value(flag)
            guard let n = Int(text), n >= min, n <= max else {
                throw UsageError(description: "\(flag) must be an integer in \(min)...\(max), got \"\(text)\"")
            }
            return n
        }
        while i < args.count {
            var flag = args[i]
            // Accept --flag=value as well as --flag value.
            if flag.hasPrefix("--"), let eq = flag.firstIndex(of: "=") {
                let inline = String(flag[flag.index(after: eq)...])
                flag = String(flag[..<eq])
                var rest = args
                rest[i] = flag
                rest.insert(inline, at: i + 1)
                return try parseServe(rest)
            }
            switch flag {
            case "--host": o.host = try value(flag)
            case "--port": o.port = try int(flag, max: 65535)
            case "--http-port": o.httpPort = try int(flag, max: 65535)
            case "--http-head-timeout-ms": o.httpHeadTimeoutMillis = try int(flag, max: 3_600_000)
            case "--data-dir": o.dataDir = try value(flag)
            case "--threads": o.threads = try int(flag, min: 1, max: 256)
            case "--tls-cert": o.tlsCert = try value(flag)
            case "--tls-key": o.tlsKey = try value(flag)
            case "--tls-client-ca": o.tlsClientCA = try value(flag)
            case "--testing-services": o.testingServices = true
            case "--max-recv-message-size": o.maxReceiveMessageSize = try int(flag, min: 1)
            case "--max-concurrent-streams": o.maxConcurrentStreams = try int(flag, min: 1)
            case "--initial-window-size": o.initialWindowSize = try int(flag, min: 1, max: Int(Int32.max))
            case "--max-frame-size": o.maxFrameSize = try int(flag, min: 16384, max: 16_777_215)
            case "--max-header-list-size": o.maxHeaderListSize = try int(flag, min: 1024)
            case "--idle-timeout": o.idleTimeoutSeconds = try int(flag, min: 1)
            case "--keepalive": o.keepaliveSeconds = try int(flag, min: 1)
            case "--shutdown-grace": o.shutdownGraceSeconds = try int(flag, min: 0, max: 3600)
            case "--auth":
                o.authMode = try value(flag)
                guard ["jwt", "none"].contains(o.authMode) else {
                    throw UsageError(description: "--auth must be jwt or none, got \"\(o.authMode)\"")
                }
            case "--jwt-secret-file": o.jwtSecretFile = try value(flag)
            case "--api-keys-file": o.apiKeysFile = try value(flag)
            case "--jwt-leeway-seconds": o.jwtLeewaySeconds = try int(flag, min: 0, max: 300)  // Authenticator.maxLeewaySeconds
            case "--allow-scripts": o.allowScripts = true
            case "--llm-endpoint": o.llmEndpoint = try value(flag)
            case "--llm-model": o.llmModel = try value(flag)
            case "--max-running-runs": o.maxRunningRuns = try int(flag, min: 1, max: 1_000_000)
            case "--max-runs-per-workflow": o.maxRunsPerWorkflow = try int(flag, min: 1, max: 1_000_000)
            case "--snapshot-every": o.snapshotEvery = try int(flag, min: 1, max: 100_000_000)
            case "--log-segment-bytes": o.logSegmentBytes = try int(flag, min: 64 << 10, max: 1 << 40)
            case "--watch-ring-events": o.watchRingEvents = try int(flag, min: 16, max: 100_000_000)
            case "--watch-retain-records": o.watchRetainRecords = try int(flag, min: 0, max: 1 << 40)
            case "--archive-file-bytes": o.archiveFileBytes = try int(flag, min: 64 << 10, max: 1 << 32 - 1)
            case "--archive-compact-percent":
                o.archiveCompaction.liveFractionBelow = Double(try int(flag, min: 0, max: 100)) / 100
            case "--archive-compact-interval-ms":
                o.archiveCompaction.checkIntervalNanos = UInt64(try int(flag, min: 1, max: 86_400_000)) * 1_000_000
            case "--webhook-attempts": o.webhookPolicy.maxAttempts = try int(flag, min: 1, max: 100)
            case "--webhook-backoff-ms":
                let ms = Int64(try int(flag, min: 1, max: 3_600_000))
                o.webhookPolicy = WebhookPolicy(maxAttempts: o.webhookPolicy.maxAttempts, initialBackoffMillis: ms,
                                                maxBackoffMillis: max(ms, o.webhookPolicy.maxBackoffMillis))
            case "--value-blob-bytes": o.valueLimits.blobThresholdBytes = try int(flag, min: 64, max: 4 << 20)
            case "--max-value-bytes": o.valueLimits.maxValueBytes = try int(flag, min: 1, max: 1 << 30)
            case "--task-cancel-grace-ms":
                o.taskOptions.cancelGraceNanos = Int64(try int(flag, min: 0, max: 3_600_000)) * 1_000_000
            case "--task-heartbeat-timeout-ms":
                o.taskOptions.defaultHeartbeatTimeoutNanos = Int64(try int(flag, min: 100, max: 86_400_000)) * 1_000_000
            case "--help", "-h": return .help(serveUsage)
            default: throw UsageError(description: "unknown flag \"\(flag)\"\n\n\(serveUsage)")
            }
            i += 1
        }
        if (o.tlsCert == nil) != (o.tlsKey == nil) {
            throw UsageError(description: "--tls-cert and --tls-key go together")
        }
        if o.tlsClientCA != nil && o.tlsCert == nil {
            throw UsageError(description: "--tls-client-ca needs --tls-cert and --tls-key")
        }
        return .serve(o)
    }

    static let tokenUsage = """
    usage: spindle token --tenant TENANT [--subject S] [--ttl SECONDS] [--data-dir DIR | --jwt-secret-file FILE]

    Prints an HS256 JWT for TENANT signed with the server's secret (the one `spindle serve`
    created under --data-dir, or --jwt-secret-file). Send it as "authorization: Bearer <token>".
    """

    private static func parseToken(_ args: [String]) throws(UsageError) -> Command {
        var o = TokenOptions()
        var i = 0
        func value(_ flag: String) throws(UsageError) -> String {
            i += 1
            guard i < args.count else { throw UsageError(description: "\(flag) needs a value") }
            return args[i]
        }
        while i < args.count {
            let flag = args[i]
            switch flag {
            case "--tenant": o.tenant = try value(flag)
            case "--subject": o.subject = try value(flag)
            case "--ttl":
                let text = try value(flag)
                guard let n = Int64(text), n > 0 else { throw UsageError(description: "--ttl must be a positive number of seconds") }
                o.ttlSeconds = n
            case "--data-dir": o.dataDir = try value(flag)
            case "--jwt-secret-file": o.jwtSecretFile = try value(flag)
            case "--help", "-h": return .help(tokenUsage)
            default: throw UsageError(description: "unknown flag \"\(flag)\"\n\n\(tokenUsage)")
            }
            i += 1
        }
        guard let tenant = o.tenant, !tenant.isEmpty else {
            throw UsageError(description: "--tenant is required\n\n\(tokenUsage)")
        }
        o.tenant = tenant
        return .token(o)
    }

    /// Every bench-seed flag takes a value: the arguments are flag/value pairs.
    private static func parseBenchSeed(_ args: [String]) throws(UsageError) -> Command {
        if args.contains("--help") || args.contains("-h") { return .help(BenchSeed.usage) }
        guard args.count % 2 == 0 else { throw UsageError(description: "\(args.last!) needs a value\n\n\(BenchSeed.usage)") }
        var o = BenchSeedOptions()
        for k in stride(from: 0, to: args.count, by: 2) {
            let (flag, text) = (args[k], args[k + 1])
            switch flag {
            case "--data-dir": o.dataDir = text
            case "--tenant": o.tenant = text
            case "--records", "--workflows":
                guard let n = Int(text), (1...100_000_000).contains(n) else {
                    throw UsageError(description: "\(flag) must be an integer in 1...100000000, got \"\(text)\"")
                }
                if flag == "--records" { o.records = n } else { o.workflows = n }
            default: throw UsageError(description: "unknown flag \"\(flag)\"\n\n\(BenchSeed.usage)")
            }
        }
        return .benchSeed(o)
    }
}
