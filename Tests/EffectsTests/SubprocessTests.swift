import Glibc
import Testing
@testable import Effects

@Suite struct SubprocessTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    func outcome(_ process: Subprocess) async -> Result<SubprocessResult, SubprocessError> {
        do {
            return .success(try await process.run())
        } catch {
            return .failure(error)
        }
    }

    /// The pids a shell script wrote to `file`, one a line, once `count` are there.
    func pids(in file: String, count: Int) async throws -> [Int32] {
        var found: [Int32] = []
        let complete = await eventually {
            found = (readFile(file) ?? "").split(separator: "\n").compactMap { Int32($0) }
            return found.count >= count
        }
        guard complete else { throw TestFailure("the script wrote \(found.count) of \(count) pids") }
        return found
    }

    @Test func stdoutStderrAndExitCode() async throws {
        let echo = try await Subprocess("echo", arguments: ["hello", "world"]).run()
        #expect(echo.termination == .exited(0))
        #expect(text(echo.standardOutput) == "hello world\n")
        #expect(echo.standardError.isEmpty)

        let script = try await Subprocess("sh", arguments: ["-c", "echo out; echo err >&2; exit 3"]).run()
        #expect(script.termination == .exited(3))
        #expect(text(script.standardOutput) == "out\n")
        #expect(text(script.standardError) == "err\n")
        #expect(!script.standardOutputTruncated && !script.standardErrorTruncated)
    }

    @Test func absolutePathsRunAsGiven() async throws {
        let result = try await Subprocess("/bin/sh", arguments: ["-c", "echo $0"]).run()
        #expect(text(result.standardOutput) == "/bin/sh\n")
    }

    @Test func deathBySignalIsReported() async throws {
        let result = try await Subprocess("sh", arguments: ["-c", "kill -9 $$"]).run()
        #expect(result.termination == .signaled(SIGKILL))
    }

    @Test func stdinIsWrittenAndClosed() async throws {
        let small = try await Subprocess("cat", standardInput: Array("abc".utf8)).run()
        #expect(text(small.standardOutput) == "abc")
        // More than a pipe holds in each direction at once: input and output are pumped together.
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let copied = try await Subprocess("cat", standardInput: big).run()
        #expect(copied.standardOutput == big)
        // Without stdin the child reads /dev/null, not the server's stdin.
        let none = try await Subprocess("cat").run()
        #expect(none.standardOutput.isEmpty && none.termination == .exited(0))
    }

    @Test func childThatIgnoresItsStdinStillFinishes() async throws {
        let result = try await Subprocess("true", standardInput: [UInt8](repeating: 0x61, count: 1 << 20)).run()
        #expect(result.termination == .exited(0))
    }

    @Test func environmentExtendsTheMinimalOne() async throws {
        setenv("SPINDLE_EFFECTS_TEST_SECRET", "leaked", 1)
        let script = "echo \"$FOO|$LANG|${HOME:+home}|${PATH:+path}|$SPINDLE_EFFECTS_TEST_SECRET\"; env | wc -l"
        let result = try await Subprocess("sh", arguments: ["-c", script], environment: ["FOO": "bar", "LANG": "C"]).run()
        let lines = text(result.standardOutput).split(separator: "\n")
        #expect(lines.first == "bar|C|home|path|")
        #expect(Int(String(lines.last ?? "").filter(\.isNumber)) ?? 99 <= 5)  // PATH HOME LANG FOO (+ PWD from sh)
        #expect(Subprocess.baseEnvironment().keys.sorted() == ["HOME", "LANG", "PATH"])
    }

    @Test func workingDirectory() async throws {
        let directory = try makeTempDirectory()
        try writeFile(directory + "/local.sh", "echo local script")
        let result = try await Subprocess("pwd", workingDirectory: directory).run()
        #expect(text(result.standardOutput) == directory + "\n")
        let relative = try await Subprocess("sh", arguments: ["./local.sh"], workingDirectory: directory).run()
        #expect(text(relative.standardOutput) == "local script\n")
        let missing = await outcome(Subprocess("pwd", workingDirectory: directory + "/missing"))
        guard case .failure(.invalidArgument) = missing else {
            Issue.record("expected invalidArgument, got \(missing)")
            return
        }
    }

    @Test func commandNotFound() async {
        #expect(await outcome(Subprocess("spindle-no-such-command")) == .failure(.commandNotFound("spindle-no-such-command")))
        #expect(await outcome(Subprocess("/nonexistent/tool")) == .failure(.commandNotFound("/nonexistent/tool")))
        #expect(await outcome(Subprocess("ls", environment: ["PATH": "/nonexistent"])) == .failure(.commandNotFound("ls")))
        guard case .failure(.invalidArgument) = await outcome(Subprocess("echo", arguments: ["a\0b"])) else {
            Issue.record("a NUL in an argument was accepted")
            return
        }
    }

    @Test func outputIsTruncatedAtTheLimit() async throws {
        let result = try await Subprocess("sh", arguments: ["-c", "head -c 5000 /dev/zero; head -c 10 /dev/zero >&2"],
                                          outputLimit: 1000).run()
        #expect(result.termination == .exited(0))
        #expect(result.standardOutput.count == 1000 && result.standardOutputTruncated)
        #expect(result.standardError.count == 10 && !result.standardErrorTruncated)
        let big = try await Subprocess("head", arguments: ["-c", "\(3 << 20)", "/dev/zero"]).run()
        #expect(big.standardOutput.count == Subprocess.defaultOutputLimit && big.standardOutputTruncated)
    }

    @Test func timeoutKillsTheCommand() async throws {
        let directory = try makeTempDirectory()
        let pidFile = directory + "/pids"
        let started = ContinuousClock.now
        let result = await outcome(Subprocess("sh", arguments: ["-c", "echo $$ > \(pidFile); exec sleep 30"],
                                              timeout: .milliseconds(300)))
        #expect(result == .failure(.timeout))
        #expect(ContinuousClock.now - started < .seconds(5))
        let pid = try await pids(in: pidFile, count: 1)[0]
        #expect(await eventually { processGone(pid) })
    }

    @Test func cancelKillsTheWholeProcessGroup() async throws {
        let directory = try makeTempDirectory()
        let pidFile = directory + "/pids"
        let script = "sleep 30 & echo $! >> \(pidFile); sleep 30 & echo $! >> \(pidFile); echo $$ >> \(pidFile); wait"
        let task = Task { try await Subprocess("sh", arguments: ["-c", script]).run() }
        let pids = try await pids(in: pidFile, count: 3)
        #expect(pids.allSatisfy { !processGone($0) })
        await cancelPromptly(task, expecting: SubprocessError.canceled)
        for pid in pids { #expect(await eventually { processGone(pid) }, "pid \(pid) survived") }
    }

    @Test func termIsFollowedByKillAfterTheGrace() async throws {
        let directory = try makeTempDirectory()
        let pidFile = directory + "/pids"
        let script = "trap '' TERM; echo $$ > \(pidFile); while true; do sleep 0.05; done"
        let result = await outcome(Subprocess("sh", arguments: ["-c", script], timeout: .milliseconds(300),
                                              terminationGrace: .milliseconds(200)))
        #expect(result == .failure(.timeout))
        let pid = try await pids(in: pidFile, count: 1)[0]
        #expect(await eventually { processGone(pid) })
    }

    @Test func whatTheCommandLeavesRunningIsKilled() async throws {
        let started = ContinuousClock.now
        let result = try await Subprocess("sh", arguments: ["-c", "sleep 30 & echo $!"]).run()
        #expect(ContinuousClock.now - started < .seconds(10))
        let pid = try #require(Int32(text(result.standardOutput).filter(\.isNumber)))
        #expect(await eventually { processGone(pid) })
    }

    @Test func onlyTheStandardDescriptorsReachTheChild() async throws {
        // ls lists its own directory descriptor for /proc/self/fd too: 0, 1, 2 and one more.
        let result = try await Subprocess("ls", arguments: ["/proc/self/fd"]).run()
        let fds = text(result.standardOutput).split(separator: "\n").compactMap { Int($0) }
        #expect(fds.count == 4 && fds.prefix(3) == [0, 1, 2], "child saw descriptors \(fds)")
    }
}
