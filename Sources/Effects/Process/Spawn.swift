// posix_spawn with three pipes, in a new process group, with default signal dispositions and
// an empty signal mask. The C pointers of the call (argv, envp, file actions, attributes)
// live and die in this file; what leaves it is a pid and descriptors.
import CLinux
import Glibc

/// A spawned child and the parent's ends of its pipes (non-blocking, close-on-exec).
/// Closes them when it goes; never reaps (the supervisor does).
final class ChildProcess {
    let pid: pid_t
    /// Readable when the child exits (a pidfd); -1 where the kernel refuses pidfds.
    let exitFD: Int32
    var stdinFD: Int32
    var stdoutFD: Int32
    var stderrFD: Int32

    fileprivate init(pid: pid_t, stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32) {
        self.pid = pid
        self.exitFD = spindle_pidfd_open(pid)
        self.stdinFD = stdinFD
        self.stdoutFD = stdoutFD
        self.stderrFD = stderrFD
    }

    deinit {
        for fd in [exitFD, stdinFD, stdoutFD, stderrFD] where fd >= 0 { close(fd) }
    }

    static func closeAndClear(_ fd: inout Int32) {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    /// How the child ended, without reaping it (the zombie keeps the pid and so the process
    /// group id from being reused until `reap`). nil while it runs.
    func peekExit() -> SubprocessResult.Termination? {
        var info = siginfo_t()
        let rc = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        guard rc == 0, spindle_siginfo_pid(&info) == pid else { return nil }
        let status = spindle_siginfo_status(&info)
        return spindle_siginfo_code(&info) == CLD_EXITED ? .exited(status) : .signaled(status)
    }

    /// Signals every process of the child's group (the child leads it).
    func signalGroup(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// Collects the exited child. Blocks until it has exited: call after `peekExit` said so
    /// or after SIGKILL.
    func reap() {
        while waitpid(pid, nil, 0) < 0 && errno == EINTR {}
    }
}

enum Spawner {
    /// Starts `path` with `arguments` (argv[0] first) and `environment` ("NAME=value"), in
    /// `workingDirectory` when given. Without `input` the child's stdin is /dev/null.
    static func spawn(path: String, arguments: [String], environment: [String], workingDirectory: String?,
                      input: Bool) throws(SubprocessError) -> ChildProcess {
        var pipes = PipeSet()
        defer { pipes.closeAll() }
        try pipes.open(input: input)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input {
            posix_spawn_file_actions_adddup2(&actions, pipes.fds[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, pipes.fds[3], 1)
        posix_spawn_file_actions_adddup2(&actions, pipes.fds[5], 2)
        // Ours are close-on-exec; this also keeps out what the server inherited without it.
        spindle_spawn_addclosefrom(&actions, 3)
        if let workingDirectory { spindle_spawn_addchdir(&actions, workingDirectory) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        // Own process group (so cancel reaches the whole tree), nothing blocked or ignored
        // that the server blocks or ignores (SIGPIPE).
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)

        var pid: pid_t = 0
        let rc = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in
                posix_spawn(&pid, path, &actions, &attributes, argv, envp)
            }
        }
        guard rc == 0 else {
            if rc == ENOENT { throw .commandNotFound(path) }
            throw .spawnFailed("\(path): \(String(cString: strerror(rc)))")
        }
        let child = ChildProcess(pid: pid, stdinFD: input ? pipes.take(1) : -1,
                                 stdoutFD: pipes.take(2), stderrFD: pipes.take(4))
        return child
    }

    /// A null-terminated array of C strings for the duration of `body`.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }
}

/// The three pipes: [stdin read, stdin write, stdout read, stdout write, stderr read,
/// stderr write], all close-on-exec (dup2 in the child clears it on 0, 1 and 2 only); the
/// parent's ends are made non-blocking. Whatever is not taken is closed by `closeAll`.
private struct PipeSet {
    var fds: [Int32] = Array(repeating: -1, count: 6)

    mutating func open(input: Bool) throws(SubprocessError) {
        for pair in (input ? [0, 1, 2] : [1, 2]) {
            var ends: [Int32] = [-1, -1]
            guard spindle_pipe2(&ends, O_CLOEXEC) == 0 else {
                throw .spawnFailed("pipe2: \(String(cString: strerror(errno)))")
            }
            fds[pair * 2] = ends[0]
            fds[pair * 2 + 1] = ends[1]
        }
        for parentEnd in [1, 2, 4] where fds[parentEnd] >= 0 {
            _ = fcntl(fds[parentEnd], F_SETFL, fcntl(fds[parentEnd], F_GETFL) | O_NONBLOCK)
        }
    }

    mutating func take(_ index: Int) -> Int32 {
        defer { fds[index] = -1 }
        return fds[index]
    }

    mutating func closeAll() {
        for index in fds.indices where fds[index] >= 0 {
            close(fds[index])
            fds[index] = -1
        }
    }
}
