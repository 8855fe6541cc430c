public import Engine

/// Step type `script`: runs a command. Refused with SCRIPTS_DISABLED unless the server was
/// started with --allow-scripts (`allowScripts: true`).
///
/// Config:
/// - `command` (required): an executable path, or a name looked up in PATH. No shell: to
///   use one, run `sh` with `args: ["-c", "..."]`.
/// - `args`: an array of strings.
/// - `env`: an object of variables, added to the child's minimal environment (PATH, HOME,
///   LANG from the server; see `Subprocess`), replacing those when named.
/// - `stdin`: a string written to the command's stdin (other JSON as its JSON text); without
///   it stdin is /dev/null.
/// - `cwd`: the working directory.
/// - `timeout`: as for `http_request`; default 60s. On timeout or cancel the command's
///   whole process group is killed.
/// - `parse_json`: when true, stdout is parsed as JSON into the output's "json".
///
/// Output: `{"exit_code": 0, "stdout": "...", "stderr": "...", "truncated": false}` (each
/// stream is kept up to 1 MiB; "truncated" says one was cut), plus "json" with `parse_json`.
///
/// Failures: a non-zero exit or death by a signal -> EXIT_CODE (the message has the code and
/// the start of stderr); command not found, a bad cwd -> INVALID_CONFIG; stdout that is not
/// JSON with `parse_json` -> INVALID_OUTPUT; timeout -> TIMEOUT; cancel -> CANCELED.
public struct ScriptRunner: StepRunner {
    public static let defaultTimeout = Duration.seconds(60)

    public let allowScripts: Bool
    public let outputLimit: Int

    public init(allowScripts: Bool = false, outputLimit: Int = Subprocess.defaultOutputLimit) {
        self.allowScripts = allowScripts
        self.outputLimit = outputLimit
    }

    public func run(_ invocation: StepInvocation) async throws(StepFailure) -> JSONValue {
        guard allowScripts else {
            throw StepFailure(StepFailure.scriptsDisabled,
                              "script steps are disabled on this server (start it with --allow-scripts)")
        }
        let config = StepConfig(invocation)
        let command = try config.requiredString("command")
        let timeout = try config.duration("timeout") ?? Self.defaultTimeout
        let process = Subprocess(
            command, arguments: try config.strings("args") ?? [], environment: try config.stringMap("env") ?? [:],
            workingDirectory: try config.string("cwd"), standardInput: Array((config.text("stdin") ?? "").utf8),
            timeout: timeout, outputLimit: outputLimit)
        let parseJSON = try config.bool("parse_json") ?? false

        let result: SubprocessResult
        do {
            result = try await process.run()
        } catch {
            throw Self.failure(error, command: command, timeout: timeout)
        }
        let stderr = String(decoding: result.standardError, as: UTF8.self)
        let exitCode: Int32
        switch result.termination {
        case .exited(let code) where code == 0:
            exitCode = 0
        case .exited(let code):
            throw StepFailure(StepFailure.exitCode, "\(command) exited with code \(code): \(preview(result.standardError))")
        case .signaled(let signal):
            throw StepFailure(StepFailure.exitCode, "\(command) was killed by signal \(signal): \(preview(result.standardError))")
        }
        var output: [String: JSONValue] = [
            "exit_code": .number(Double(exitCode)),
            "stdout": .string(String(decoding: result.standardOutput, as: UTF8.self)),
            "stderr": .string(stderr),
            "truncated": .bool(result.standardOutputTruncated || result.standardErrorTruncated),
        ]
        if parseJSON {
            do {
                output["json"] = try JSONValue.parse(result.standardOutput)
            } catch {
                let cut = result.standardOutputTruncated ? " (stdout was truncated)" : ""
                throw StepFailure(StepFailure.invalidOutput, "stdout of \(command) is not JSON\(cut): \(error)")
            }
        }
        return .object(output)
    }

    private static func failure(_ error: SubprocessError, command: String, timeout: Duration) -> StepFailure {
        switch error {
        case .commandNotFound, .invalidArgument: StepFailure(StepFailure.invalidConfig, "script: \(error)")
        case .spawnFailed: StepFailure(StepFailure.internalError, "script: \(error)")
        case .timeout: StepFailure(StepFailure.timeout, "\(command) did not finish within \(describe(timeout))")
        case .canceled: .canceled
        }
    }
}
