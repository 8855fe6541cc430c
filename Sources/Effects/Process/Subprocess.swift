// Running a command to completion on a dedicated thread: feed its stdin, capture its stdout
// and stderr (bounded), and end its whole process group on timeout or cancel.
import Glibc

/// A command to run once, to completion, in a process group of its own.
///
/// - The command is a path (containing "/", used as is, relative to `workingDirectory` when
///   given) or a name looked up in the child's `PATH`.
/// - The environment is not the server's: the child gets `baseEnvironment()` (PATH, HOME and
///   LANG only) with `environment` added on top, replacing those three when it names them.
/// - stdout and stderr are captured up to `outputLimit` bytes each; the rest is read and
///   dropped (so the child never blocks on a full pipe) and the result says it was truncated.
/// - On timeout or cancellation the group gets SIGTERM and, after `terminationGrace`, SIGKILL;
///   `run` throws at once and the kill and reaping go on on the process's own thread.
/// - When the command exits, whatever it left running in its group is killed: a step's
///   processes do not outlive it. The child is always reaped; no descriptor leaks into it
///   or stays open after it.
public struct Subprocess: Sendable, Hashable {
    public var command: String
    public var arguments: [String]
    public var environment: [String: String]
    public var workingDirectory: String?
    public var standardInput: [UInt8]
    /// nil: no limit of its own (cancellation still ends it).
    public var timeout: Duration?
    public var outputLimit: Int
    public var terminationGrace: Duration

    public static let defaultOutputLimit = 1 << 20

    public init(_ command: String, arguments: [String] = [], environment: [String: String] = [:],
                workingDirectory: String? = nil, standardInput: [UInt8] = [], timeout: Duration? = nil,
                outputLimit: Int = Subprocess.defaultOutputLimit, terminationGrace: Duration = .seconds(2)) {
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.standardInput = standardInput
        self.timeout = timeout
        self.outputLimit = outputLimit
        self.terminationGrace = terminationGrace
    }

    /// What every child starts from: the server's PATH and HOME (or safe defaults) and
    /// LANG=C.UTF-8 unless the server has its own. Nothing else of the server's environment
    /// (credentials such as SPINDLE_LLM_API_KEY among it) reaches a script.
    public static func baseEnvironment() -> [String: String] {
        func server(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
        return [
            "PATH": server("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": server("HOME") ?? "/",
            "LANG": server("LANG") ?? "C.UTF-8",
        ]
    }

    /// Runs the command and returns how it ended, whatever its exit status.
    public func run() async throws(SubprocessError) -> SubprocessResult {
        let launch = try Launch(self)
        guard !Task.isCancelled else { throw .canceled }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let result: Result<SubprocessResult, SubprocessError>
        do {
            result = try await DedicatedThread.run(name: "spindle-proc") { wakeup, completion in
                completion.resume(Supervisor(launch: launch, wakeup: wakeup, deadline: deadline).run { early in
                    completion.resume(.failure(early))
                })
            }
        } catch {
            throw .spawnFailed("cannot start a thread: \(error)")
        }
        return try result.get()
    }
}

public struct SubprocessResult: Sendable, Hashable {
    public enum Termination: Sendable, Hashable {
        case exited(Int32)
        case signaled(Int32)
    }

    public var processID: Int32
    public var termination: Termination
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]
    public var standardOutputTruncated: Bool
    public var standardErrorTruncated: Bool

    public init(processID: Int32, termination: Termination, standardOutput: [UInt8], standardError: [UInt8],
                standardOutputTruncated: Bool, standardErrorTruncated: Bool) {
        self.processID = processID
        self.termination = termination
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.standardOutputTruncated = standardOutputTruncated
        self.standardErrorTruncated = standardErrorTruncated
    }
}

public enum SubprocessError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No such file, or no executable of that name in PATH.
    case commandNotFound(String)
    /// An argument or environment entry C cannot carry, or a working directory that is not one.
    case invalidArgument(String)
    /// The system refused: permission, resources, an executable it cannot run.
    case spawnFailed(String)
    case timeout
    case canceled

    public var description: String {
        switch self {
        case .commandNotFound(let command): "command not found: \(command)"
        case .invalidArgument(let why): "invalid argument: \(why)"
        case .spawnFailed(let why): "cannot start the command: \(why)"
        case .timeout: "timed out"
        case .canceled: "canceled"
        }
    }
}

/// A `Subprocess` checked and flattened into what posix_spawn takes.
private struct Launch: Sendable {
    let command: String
    let arguments: [String]
    let environment: [String]
    let searchPath: String
    let workingDirectory: String?
    let input: [UInt8]
    let outputLimit: Int
    let grace: Duration

    init(_ spec: Subprocess) throws(SubprocessError) {
        guard !spec.command.isEmpty else { throw .invalidArgument("empty command") }
        var environment = Subprocess.baseEnvironment()
        for (name, value) in spec.environment {
            guard !name.isEmpty, !name.utf8.contains(UInt8(ascii: "=")) else {
                throw .invalidArgument("environment name \"\(name)\" is empty or has \"=\"")
            }
            environment[name] = value
        }
        let entries = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        for text in [spec.command] + spec.arguments + entries + [spec.workingDirectory ?? ""]
        where text.utf8.contains(0) {
            throw .invalidArgument("\"\(text.prefix(40))\" has a NUL byte")
        }
        command = spec.command
        arguments = [spec.command] + spec.arguments
        self.environment = entries
        searchPath = environment["PATH"] ?? ""
        workingDirectory = spec.workingDirectory
        input = spec.standardInput
        outputLimit = max(0, spec.outputLimit)
        grace = spec.terminationGrace
    }

    /// The executable: the command itself when it has a "/", else the first executable
    /// regular file of that name in PATH (an empty PATH entry is the working directory).
    func executable() throws(SubprocessError) -> String {
        if command.utf8.contains(UInt8(ascii: "/")) { return command }
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            var candidate = (directory.isEmpty ? "." : String(directory)) + "/" + command
            if directory.isEmpty || !directory.hasPrefix("/"), let workingDirectory {
                candidate = workingDirectory + "/" + candidate
            }
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        throw .commandNotFound(command)
    }

    func checkWorkingDirectory() throws(SubprocessError) {
        guard let workingDirectory else { return }
        var info = stat()
        guard stat(workingDirectory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw .invalidArgument("working directory \(workingDirectory) does not exist or is not a directory")
        }
    }
}

/// One run, on its own thread: spawn, pump the pipes, notice the exit, and end the group
/// on cancel or timeout.
private struct Supervisor {
    /// How long output may keep coming after the command exited (from processes it left
    /// behind that escaped its group) before the pipes are closed anyway.
    static let drainAfterExit = Duration.milliseconds(100)
    /// Exit checks without a pidfd, and while waiting out a grace period.
    static let exitPollMilliseconds: Int32 = 10
    static let readChunkBytes = 64 << 10

    let launch: Launch
    let wakeup: Wakeup
    let deadline: ContinuousClock.Instant?

    /// The result, or the error; `interrupted` is called first, as soon as the group has been
    /// told to stop, and the function returns only once the child is reaped.
    func run(interrupted: (SubprocessError) -> Void) -> Result<SubprocessResult, SubprocessError> {
        let child: ChildProcess
        do {
            try launch.checkWorkingDirectory()
            child = try Spawner.spawn(path: try launch.executable(), arguments: launch.arguments,
                                      environment: launch.environment, workingDirectory: launch.workingDirectory,
                                      input: !launch.input.isEmpty)
        } catch {
            return .failure(error)
        }
        var stdout = Capture(limit: launch.outputLimit)
        var stderr = Capture(limit: launch.outputLimit)
        var inputSent = 0
        var exit: (SubprocessResult.Termination, ContinuousClock.Instant)?
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readChunkBytes, alignment: 8)
        defer { buffer.deallocate() }

        while true {
            if exit == nil, let termination = child.peekExit() {
                exit = (termination, .now)
                child.signalGroup(SIGKILL)  // what it left behind
                ChildProcess.closeAndClear(&child.stdinFD)
            }
            if let (termination, at) = exit {
                let drained = child.stdoutFD < 0 && child.stderrFD < 0
                if drained || ContinuousClock.now >= at + Self.drainAfterExit {
                    child.reap()
                    return .success(SubprocessResult(
                        processID: child.pid, termination: termination,
                        standardOutput: stdout.bytes, standardError: stderr.bytes,
                        standardOutputTruncated: stdout.truncated, standardErrorTruncated: stderr.truncated))
                }
            } else if wakeup.isFired || deadline.map({ ContinuousClock.now >= $0 }) == true {
                let error: SubprocessError = wakeup.isFired ? .canceled : .timeout
                child.signalGroup(SIGTERM)
                interrupted(error)
                terminate(child)
                return .failure(error)
            }

            var fds = [pollfd(fd: wakeup.fd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: child.stdoutFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: child.stderrFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: child.stdinFD, events: Int16(POLLOUT), revents: 0),
                       pollfd(fd: exit == nil ? child.exitFD : -1, events: Int16(POLLIN), revents: 0)]
            _ = pollRetryingEINTR(&fds, timeoutMilliseconds: waitMilliseconds(child, exitedAt: exit?.1))
            if fds[1].revents != 0 { stdout.read(&child.stdoutFD, into: buffer) }
            if fds[2].revents != 0 { stderr.read(&child.stderrFD, into: buffer) }
            if fds[3].revents != 0 { writeInput(child, sent: &inputSent) }
        }
    }

    /// How long the next poll may sleep: until the deadline, the end of the drain, or the
    /// next exit check when there is no pidfd to wake it.
    private func waitMilliseconds(_ child: ChildProcess, exitedAt: ContinuousClock.Instant?) -> Int32 {
        var wait = Int32.max
        if let deadline { wait = min(wait, millisecondsUntil(deadline)) }
        if let exitedAt { wait = min(wait, millisecondsUntil(exitedAt + Self.drainAfterExit)) }
        if child.exitFD < 0 { wait = min(wait, Self.exitPollMilliseconds) }
        return wait == Int32.max ? -1 : wait
    }

    private func writeInput(_ child: ChildProcess, sent: inout Int) {
        let n = launch.input.withUnsafeBytes { raw in write(child.stdinFD, raw.baseAddress! + sent, raw.count - sent) }
        if n > 0 { sent += n }
        // Done, or the child closed its stdin (EPIPE: SIGPIPE is blocked on this thread).
        if sent == launch.input.count || (n < 0 && errno != EAGAIN && errno != EINTR) {
            ChildProcess.closeAndClear(&child.stdinFD)
        }
    }

    /// SIGTERM has been sent: waits out the grace for the child to exit, then SIGKILLs the
    /// group (the leader, or whatever it left) and reaps the child.
    private func terminate(_ child: ChildProcess) {
        let killAt = ContinuousClock.now + launch.grace
        while child.peekExit() == nil, ContinuousClock.now < killAt {
            var fds = [pollfd(fd: child.exitFD, events: Int16(POLLIN), revents: 0)]
            let wait = min(millisecondsUntil(killAt), child.exitFD < 0 ? Self.exitPollMilliseconds : .max)
            _ = pollRetryingEINTR(&fds, timeoutMilliseconds: wait)
        }
        child.signalGroup(SIGKILL)
        child.reap()
    }
}

/// One output pipe's bytes, kept up to a limit; past it, read and dropped.
private struct Capture {
    let limit: Int
    var bytes: [UInt8] = []
    var truncated = false

    init(limit: Int) { self.limit = limit }

    /// One read; closes the descriptor (and sets it to -1) at end of file or on error.
    mutating func read(_ fd: inout Int32, into buffer: UnsafeMutableRawBufferPointer) {
        let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
        if n > 0 {
            let keep = min(n, limit - bytes.count)
            if keep > 0 { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<keep])) }
            if keep < n { truncated = true }
        } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
            ChildProcess.closeAndClear(&fd)
        }
    }
}
