// `spindle run watch RUN`: the run's state built from GetRun and then its WatchRun events,
// shown live. On a terminal the screen is redrawn in place (plain ANSI); otherwise one line
// per event (JSON lines with --output json). A dropped connection is resumed with WatchRun's
// after_seq = the last event seen, so no event is lost or shown twice.
import ProtoJSON
import CLinux
import Dispatch
import Glibc
import Messages
import RPC

/// What the watch shows, folded from events. Pure: tested with hand-made events.
struct WatchState {
    struct Step {
        var id: String
        var type: String
        var status = SpindleV1.StepStatus.pending
        var attempts: Int32 = 0
        var startedAt: GoogleProtobuf.Timestamp?
        var finishedAt: GoogleProtobuf.Timestamp?
        var detail = ""
    }

    var runID: String
    var workflowID = ""
    var workflowName = ""
    var version: Int32 = 0
    var status = SpindleV1.RunStatus.unspecified
    var steps: [Step] = []
    var lastSeq: UInt64 = 0
    var startedAt: GoogleProtobuf.Timestamp?
    var finishedAt: GoogleProtobuf.Timestamp?
    var note = ""

    init(run: SpindleV1.Run) {
        runID = run.id
        workflowID = run.workflowID
        version = run.workflowVersion
        status = run.status
        startedAt = run.startedAt ?? run.createdAt
        finishedAt = run.finishedAt
        steps = run.steps.map { s in
            Step(id: s.stepID, type: s.type, status: s.status, attempts: s.attempts, startedAt: s.startedAt,
                 finishedAt: s.finishedAt,
                 detail: s.error.map { "\($0.code): \($0.message)" } ?? Render.clip(Render.value(s.output), 60))
        }
    }

    /// The state before any event: every step pending (the events fill it in).
    init(run: SpindleV1.Run, keepingName name: String) {
        self.init(run: run)
        workflowName = name
        status = .queued
        finishedAt = nil
        steps = steps.map { Step(id: $0.id, type: $0.type) }
    }

    static func isTerminal(_ s: SpindleV1.RunStatus) -> Bool { s == .completed || s == .failed || s == .canceled }
    var finished: Bool { Self.isTerminal(status) }

    var doneCount: Int {
        steps.filter { [.completed, .failed, .skipped, .canceled].contains($0.status) }.count
    }

    var percent: Int { steps.isEmpty ? (finished ? 100 : 0) : doneCount * 100 / steps.count }

    /// Applies one event; false when it was already applied (seq not past the last one).
    @discardableResult
    mutating func apply(_ e: SpindleV1.RunEvent) -> Bool {
        guard e.seq > lastSeq else { return false }
        lastSeq = e.seq
        if e.runStatus != .unspecified { status = e.runStatus }
        let kind = Render.name(e.type).lowercased()
        note = "\(kind)\(e.stepID.isEmpty ? "" : " " + e.stepID) (seq \(e.seq))"
        switch e.type {
        case .runCompleted, .runFailed, .runCanceled: finishedAt = e.time
        case .runStarted: if startedAt == nil { startedAt = e.time }
        default: break
        }
        guard !e.stepID.isEmpty else { return true }
        var index = steps.firstIndex(where: { $0.id == e.stepID })
        if index == nil {
            steps.append(Step(id: e.stepID, type: ""))
            index = steps.count - 1
        }
        let i = index!
        switch e.type {
        case .stepStarted:
            steps[i].status = .running
            steps[i].attempts = max(steps[i].attempts, e.attempt)
            if steps[i].startedAt == nil { steps[i].startedAt = e.time }
            steps[i].finishedAt = nil
        case .stepRetrying:
            steps[i].status = .retrying
            steps[i].detail = e.error.map { "retrying after \($0.code): \($0.message)" } ?? "retrying"
        case .stepCompleted:
            steps[i].status = .completed
            steps[i].finishedAt = e.time
            steps[i].detail = Render.clip(Render.value(e.output), 60)
        case .stepFailed:
            steps[i].status = .failed
            steps[i].finishedAt = e.time
            steps[i].detail = e.error.map { "\($0.code): \($0.message)" } ?? "failed"
        case .stepSkipped: steps[i].status = .skipped
        case .stepPaused:
            steps[i].status = .paused
            steps[i].detail = "waiting for approval"
        case .stepCanceled:
            steps[i].status = .canceled
            steps[i].finishedAt = e.time
        case .pauseAction:
            if let a = e.pauseAction { steps[i].detail = "\(Render.name(a.action).lowercased())d by \(a.userID.isEmpty ? "someone" : a.userID)" }
        default: break
        }
        return true
    }

    /// The screen: header, progress bar, one row per step, the last event. Lines fit `width`.
    func frame(width: Int, now: Double) -> [String] {
        let w = max(width, 40)
        var lines = ["run \(runID)  workflow \(workflowName.isEmpty ? workflowID : workflowName) v\(version)  \(Render.name(status))"
                     + "  \(Render.duration(startedAt, finishedAt, now: now))"]
        let barWidth = max(10, min(40, w - 30))
        let filled = barWidth * percent / 100
        lines.append("[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled)
                     + "] \(percent)%  \(doneCount)/\(steps.count) steps")
        var t = Table(headers: ["STEP", "TYPE", "STATE", "TRY", "TIME", "DETAIL"])
        for s in steps {
            let time = Render.duration(s.startedAt, s.finishedAt, now: s.status == .running ? now : nil)
            t.rows.append([s.id, s.type, Render.name(s.status), s.attempts > 0 ? String(s.attempts) : "", time, s.detail])
        }
        lines += t.render().split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "  " + $0 }
        if !note.isEmpty { lines.append("last event: \(note)") }
        return lines.map { Render.clip($0, w) }
    }
}

struct RunWatch {
    let client: SpindleClient
    let runID: String
    let format: OutputFormat
    /// How long to keep reconnecting after the connection drops.
    var reconnectFor: Duration = .seconds(120)
    /// Stream the events even when the run has already finished (`run start --watch`: a fast
    /// run may be over before the watch begins, and its events are still what the user asked for).
    var replayFinished = false

    func run() throws(CLIError) {
        let tty = format == .table && isatty(1) == 1
        var run = try RunCommands.get(runID, client)  // a server that is down fails fast here
        var state = WatchState(run: run)
        state.workflowName = (try? client.resolveWorkflow(run.workflowID).name) ?? ""
        var screen = Screen(enabled: tty)
        let interrupt = tty ? Screen.installInterruptHandler() : nil
        defer { interrupt?.cancel() }
        if !state.finished || replayFinished {
            if replayFinished { state = WatchState(run: run, keepingName: state.workflowName) }
            screen.draw(state)
            var failures = 0
            var firstFailure: ContinuousClock.Instant?
            while true {
                do {
                    let tick: (() -> Void)? = tty ? { screen.draw(state) } : nil
                    try client.watchRun(runID, afterSeq: state.lastSeq, onIdle: tick) { event in
                        guard state.apply(event) else { return }
                        failures = 0
                        firstFailure = nil
                        if tty {
                            screen.draw(state)
                        } else if format == .json {
                            Output(format: format).write(Transcoder().encode(event).render() + "\n")
                        } else {
                            Output(format: format).write(Self.line(event))
                        }
                    }
                    break  // the stream ended after the run's terminal event
                } catch where error.code == .unavailable || (error.code == .internal && error.message.contains("connection")) {
                    failures += 1
                    let started = firstFailure ?? ContinuousClock.now
                    firstFailure = started
                    if ContinuousClock.now - started > reconnectFor { throw .rpc(error) }
                    let message = "connection lost (\(error.message)); reconnecting after seq \(state.lastSeq)"
                    if tty {
                        state.note = message
                        screen.draw(state)
                    } else if failures == 1 {
                        Output.error(message)
                    }
                    sleepMillis(min(1000, 100 * failures))
                } catch {
                    throw .rpc(error)
                }
            }
            run = try withReconnect { () throws(CLIError) in try RunCommands.get(runID, client) }
            var final = WatchState(run: run)
            final.workflowName = state.workflowName
            final.lastSeq = state.lastSeq
            final.note = state.note
            state = final
        }
        if tty {
            screen.draw(state)
            screen.finish()
            Output(format: format).write(Self.outputsText(run))
        } else if format == .json {
            Output(format: format).write(Transcoder().encode(run).render() + "\n")
        } else {
            Output(format: format).write("run \(run.id) \(Render.name(run.status)) in "
                                         + "\(Render.duration(run.startedAt ?? run.createdAt, run.finishedAt))\n"
                                         + Self.outputsText(run))
        }
        switch run.status {
        case .failed: throw CLIError(exitCode: ExitCode.runFailed, description: "run \(run.id) failed"
                                     + (run.error.map { ": \($0.code): \($0.message)" } ?? ""))
        case .canceled: throw CLIError(exitCode: ExitCode.runCanceled, description: "run \(run.id) was canceled")
        default: return
        }
    }

    static func outputsText(_ run: SpindleV1.Run) -> String {
        var text = ""
        if let e = run.error { text += "error: \(e.code): \(e.message)\n" }
        if let outputs = run.outputs, !outputs.fields.isEmpty {
            text += "outputs:\n" + Transcoder().encode(outputs).render(pretty: true) + "\n"
        }
        return text
    }

    /// One event as a line, for logs and pipes.
    static func line(_ e: SpindleV1.RunEvent) -> String {
        var text = "\(Render.time(e.time))  seq=\(e.seq)  \(Render.name(e.type).lowercased())"
        if !e.stepID.isEmpty { text += "  step=\(e.stepID)" }
        if e.attempt > 0 { text += "  attempt=\(e.attempt)" }
        if e.runStatus != .unspecified { text += "  run=\(Render.name(e.runStatus))" }
        if let err = e.error { text += "  error=\(err.code): \(err.message)" }
        if let out = e.output { text += "  output=" + Render.clip(Render.value(out), 80) }
        return text + "\n"
    }

    /// `body`, retried while the server cannot be reached (it may be restarting).
    func withReconnect<T>(_ body: () throws(CLIError) -> T) throws(CLIError) -> T {
        let started = ContinuousClock.now
        var attempt = 0
        while true {
            do {
                return try body()
            } catch where error.exitCode == ExitCode.rpcBase + Int32(StatusCode.unavailable.rawValue)
                            && ContinuousClock.now - started < reconnectFor {
                if attempt == 0 { Output.error("cannot reach the server (\(error.description)); retrying") }
                attempt += 1
                sleepMillis(min(1000, 100 * attempt))
            }
        }
    }
}

func sleepMillis(_ ms: Int) {
    var ts = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
    var left = timespec()
    while nanosleep(&ts, &left) != 0 && errno == EINTR { ts = left }
}

/// The terminal screen, redrawn in place: the cursor goes back up over the previous frame.
struct Screen {
    let enabled: Bool
    private var drawnLines = 0

    init(enabled: Bool) {
        self.enabled = enabled
        if enabled { Output(format: .table).write("\u{1B}[?25l") }  // hide the cursor while drawing
    }

    mutating func draw(_ state: WatchState) {
        guard enabled else { return }
        let columns = Int(spindle_terminal_columns(1))
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let lines = state.frame(width: columns > 0 ? columns - 1 : 100, now: Double(now.tv_sec) + Double(now.tv_nsec) / 1e9)
        var text = drawnLines > 0 ? "\r\u{1B}[\(drawnLines)A" : ""
        for line in lines { text += "\u{1B}[2K" + Self.colored(line) + "\n" }
        text += "\u{1B}[J"
        drawnLines = lines.count
        Output(format: .table).write(text)
    }

    func finish() {
        if enabled { Output(format: .table).write("\u{1B}[?25h") }
    }

    /// States in color: green done, red failed, yellow waiting.
    static func colored(_ line: String) -> String {
        for (word, color) in [("COMPLETED", "32"), ("FAILED", "31"), ("CANCELED", "31"), ("PAUSED", "33"),
                              ("RETRYING", "33"), ("RUNNING", "36")] where line.contains(" \(word) ") || line.hasSuffix(" \(word)") {
            return line.replacingOccurrences(of: " \(word)", with: " \u{1B}[\(color)m\(word)\u{1B}[0m")
        }
        return line
    }

    /// Ctrl-C: put the cursor back and leave; the run is not canceled.
    static func installInterruptHandler() -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            var bytes = Array("\u{1B}[?25h\nstopped watching; the run goes on\n".utf8)
            Output.writeAll(1, &bytes)
            _exit(ExitCode.interrupted)
        }
        source.resume()
        return source
    }
}
