// Command-line parsing for the client commands, in the style of `spindle serve` / `token`:
// "--flag value" pairs and boolean "--flag"s, a usage text per command, unknown flags
// refused with that text. Pure: `parse` turns arguments into an Invocation, tested alone.
import ProtoJSON
import Glibc

struct GlobalOptions: Equatable {
    var server = "127.0.0.1:50051"
    var token: String?
    var tlsCA: String?
    var output = OutputFormat.table
}

enum OutputFormat: String, Equatable {
    case table, json
}

/// A parsed command line: the command path ("run start"), its positional arguments and flags.
struct Invocation: Equatable {
    var command: String
    var positional: [String] = []
    /// Flag values in order; repeatable flags (--input) keep every occurrence.
    var flags: [String: [String]] = [:]
    var globals = GlobalOptions()
    /// `--help`: print the command's usage instead of running it.
    var help = false

    func value(_ flag: String) -> String? { flags[flag]?.last }
    func values(_ flag: String) -> [String] { flags[flag] ?? [] }
    func has(_ flag: String) -> Bool { flags[flag] != nil }
}

/// One command: its path, arguments, flags (true: takes a value) and usage text.
struct CommandSpec {
    var path: String
    var arguments: [String]
    var flags: [String: Bool]
    var summary: String
    var details: String = ""

    var usage: String {
        var text = "usage: spindle \(path)"
        for a in arguments { text += " \(a)" }
        let flagNames = flags.keys.sorted()
        if !flagNames.isEmpty { text += " [flags]" }
        text += "\n\n\(summary)\n"
        if !details.isEmpty { text += "\n\(details)\n" }
        text += "\nglobal flags: --server HOST:PORT (default 127.0.0.1:50051), --token TOKEN (or SPINDLE_TOKEN),\n"
        text += "              --tls-ca PEM (TLS, server verified against this CA), --output table|json\n"
        return text
    }
}

enum Commands {
    static let globalFlags: Set<String> = ["--server", "--token", "--tls-ca", "--output"]

    static let all: [CommandSpec] = [
        CommandSpec(path: "workflow apply", arguments: [], flags: ["-f": true, "--file": true, "--summary": true],
                    summary: "Create or version a workflow from a YAML or JSON file (-f FILE); prints the diff.\nA workflow with the file's name (or id) gets a new version; otherwise one is created.",
                    details: """
                    The file holds a spindle.v1.Workflow in its proto3 JSON form (YAML mirrors JSON):
                      name: etl
                      definition:
                        steps:
                          - id: fetch
                            type: http_request
                            config: {url: "https://example.com"}
                    "steps:" at the top level is read as definition.steps. --summary TEXT: the version's change summary.
                    """),
        CommandSpec(path: "workflow list", arguments: [], flags: ["--status": true, "--tag": true, "--name": true, "--limit": true],
                    summary: "List workflows, newest first.\n--status draft|active|paused|archived, --tag T, --name SUBSTRING, --limit N (default 100)."),
        CommandSpec(path: "workflow get", arguments: ["WORKFLOW"], flags: [:],
                    summary: "Show a workflow (by id or by name) and its steps."),
        CommandSpec(path: "workflow versions", arguments: ["WORKFLOW"], flags: [:], summary: "List a workflow's versions."),
        CommandSpec(path: "workflow diff", arguments: ["WORKFLOW", "FROM", "TO"], flags: [:],
                    summary: "Show the JSON Patch between two versions of a workflow."),
        CommandSpec(path: "workflow rollback", arguments: ["WORKFLOW"], flags: ["--to": true, "--summary": true],
                    summary: "Make a new version with the definition of version --to N."),
        CommandSpec(path: "run start", arguments: ["WORKFLOW"],
                    flags: ["--input": true, "--input-file": true, "--version": true, "--idempotency-key": true, "--watch": false],
                    summary: "Start a run of a workflow (by id or name).\n--input k=v (repeatable; v is read as JSON when it parses, else as text), --input-file F (a JSON or YAML object), --version N, --idempotency-key K, --watch (follow it live;\nexits 4 if the run fails, 5 if it is canceled)."),
        CommandSpec(path: "run watch", arguments: ["RUN"], flags: [:],
                    summary: "Follow a run live: step states, a progress bar, durations, the outputs.\nResumes after a dropped connection without losing or repeating events. Ctrl-C stops watching\n(the run goes on). Exits 0 when the run completes, 4 when it fails, 5 when it is canceled."),
        CommandSpec(path: "run list", arguments: [], flags: ["--workflow": true, "--status": true, "--limit": true],
                    summary: "List runs, newest first.\n--workflow W, --status queued|running|paused|completed|failed|canceled, --limit N."),
        CommandSpec(path: "run get", arguments: ["RUN"], flags: [:], summary: "Show a run and its steps."),
        CommandSpec(path: "run cancel", arguments: ["RUN"], flags: ["--reason": true], summary: "Cancel a run."),
        CommandSpec(path: "run resume", arguments: ["RUN"], flags: ["--from-step": true],
                    summary: "Resume a failed or paused run (from its failed steps, or --from-step S)."),
        CommandSpec(path: "approvals list", arguments: [], flags: ["--workflow": true, "--limit": true],
                    summary: "List runs paused at a human_approval step."),
        CommandSpec(path: "approve", arguments: ["RUN"], flags: ["--step": true, "--comment": true, "--user": true],
                    summary: "Approve the paused step --step S of a run."),
        CommandSpec(path: "decline", arguments: ["RUN"], flags: ["--step": true, "--comment": true, "--user": true],
                    summary: "Decline the paused step --step S of a run."),
        CommandSpec(path: "override", arguments: ["RUN"], flags: ["--step": true, "--comment": true, "--user": true, "--value": true],
                    summary: "Complete the paused step --step S with the output --value JSON."),
        CommandSpec(path: "schedule create", arguments: ["WORKFLOW"],
                    flags: ["--cron": true, "--tz": true, "--input": true, "--input-file": true, "--catch-up": true],
                    summary: "Run a workflow on a schedule.\n--cron \"*/5 * * * *\", --tz Europe/Paris (default UTC), --input k=v, --input-file F, --catch-up skip|latest|all."),
        CommandSpec(path: "schedule list", arguments: [], flags: ["--workflow": true], summary: "List schedules."),
        CommandSpec(path: "schedule pause", arguments: ["SCHEDULE"], flags: ["--resume": false],
                    summary: "Pause a schedule (--resume: unpause it)."),
        CommandSpec(path: "schedule delete", arguments: ["SCHEDULE"], flags: [:], summary: "Delete a schedule."),
    ]

    /// Whether `args` (after "spindle") is a client command, global flags first or not.
    static func isClientInvocation(_ args: [String]) -> Bool {
        var i = 0
        while i < args.count {
            let arg = args[i].split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            if globalFlags.contains(arg) {
                i += args[i].contains("=") ? 1 : 2
                continue
            }
            return groups.contains(args[i])
        }
        return false
    }

    /// First words that belong to the client commands (the rest of `spindle` is serve/token/...).
    static let groups: Set<String> = Set(all.map { String($0.path.split(separator: " ")[0]) })

    static let exitCodes = """
    exit codes:
      0    ok (with --watch: the run completed)
      1    internal error in the CLI
      2    usage error (unknown command or flag, missing argument)
      3    a definition or input file cannot be read or parsed
      4    --watch / run watch: the run FAILED
      5    --watch / run watch: the run was CANCELED
      10+N a gRPC error with status code N: 13 INVALID_ARGUMENT, 15 NOT_FOUND, 16 ALREADY_EXISTS,
           19 FAILED_PRECONDITION, 20 ABORTED, 24 UNAVAILABLE (cannot connect), 26 UNAUTHENTICATED
      130  interrupted (Ctrl-C during a watch; the run goes on)
    """

    static var overview: String {
        var text = "client commands (gRPC to --server):\n"
        for spec in all {
            let head = "  " + ([spec.path] + spec.arguments).joined(separator: " ")
            let first = spec.summary.split(separator: "\n").first.map(String.init) ?? ""
            text += padded(head, max(head.count + 1, 34)) + first + "\n"
        }
        text += "\nglobal flags: --server HOST:PORT (default 127.0.0.1:50051), --token TOKEN (or SPINDLE_TOKEN),\n"
        text += "              --tls-ca PEM, --output table|json\n\n" + exitCodes
        return text
    }

    /// Parses `args` (after "spindle"). `environment` supplies SPINDLE_TOKEN.
    static func parse(_ arguments: [String], environment: [String: String]) throws(CLIError) -> (Invocation, CommandSpec?) {
        // --flag=value is read as --flag value, as `spindle serve` does.
        let args = arguments.flatMap { arg -> [String] in
            guard arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") else { return [arg] }
            return [String(arg[..<eq]), String(arg[arg.index(after: eq)...])]
        }
        var globals = GlobalOptions()
        globals.token = environment["SPINDLE_TOKEN"]
        var words: [String] = []
        var rest: [String] = []
        var i = 0
        var help = false
        // Globals may appear anywhere; the command path is the leading words.
        while i < args.count {
            let arg = args[i]
            if globalFlags.contains(arg) {
                guard i + 1 < args.count else { throw .usage("\(arg) needs a value") }
                let v = args[i + 1]
                switch arg {
                case "--server": globals.server = v
                case "--token": globals.token = v
                case "--tls-ca": globals.tlsCA = v
                default:
                    guard let f = OutputFormat(rawValue: v) else { throw .usage("--output must be table or json, got \"\(v)\"") }
                    globals.output = f
                }
                i += 2
                continue
            }
            if arg == "--help" || arg == "-h" { help = true; i += 1; continue }
            if rest.isEmpty, !arg.hasPrefix("-"), words.count < 2,
               all.contains(where: { $0.path == (words + [arg]).joined(separator: " ") || $0.path.hasPrefix((words + [arg]).joined(separator: " ") + " ") }) {
                words.append(arg)
            } else {
                rest.append(arg)
            }
            i += 1
        }
        let path = words.joined(separator: " ")
        guard let spec = all.first(where: { $0.path == path }) else {
            if help || !words.isEmpty && rest.isEmpty {
                // "spindle run --help" or "spindle run": the group's commands.
                let group = all.filter { $0.path.hasPrefix(path + " ") }
                if !group.isEmpty {
                    if help { return (Invocation(command: path, globals: globals, help: true), nil) }
                    throw .usage("\"spindle \(path)\" needs a subcommand: \(group.map { String($0.path.dropFirst(path.count + 1)) }.joined(separator: ", "))")
                }
            }
            let attempted = (words + rest.prefix(1)).joined(separator: " ")
            throw .usage("unknown command \"\(attempted)\"; run \"spindle help\" for the list")
        }
        var invocation = Invocation(command: path, globals: globals, help: help)
        var k = 0
        while k < rest.count {
            let arg = rest[k]
            if arg.hasPrefix("-") && arg.count > 1 && Double(arg) == nil {
                guard let takesValue = spec.flags[arg] else {
                    throw .usage("unknown flag \"\(arg)\" for \"spindle \(path)\"\n\n\(spec.usage)")
                }
                if takesValue {
                    guard k + 1 < rest.count else { throw .usage("\(arg) needs a value") }
                    invocation.flags[arg, default: []].append(rest[k + 1])
                    k += 2
                } else {
                    invocation.flags[arg, default: []].append("true")
                    k += 1
                }
                continue
            }
            invocation.positional.append(arg)
            k += 1
        }
        if help { return (invocation, spec) }
        if invocation.positional.count != spec.arguments.count {
            let expected = spec.arguments.isEmpty ? "no arguments" : spec.arguments.joined(separator: " ")
            throw .usage("\"spindle \(path)\" takes \(expected), got \(invocation.positional.count) argument(s)\n\n\(spec.usage)")
        }
        return (invocation, spec)
    }
}
