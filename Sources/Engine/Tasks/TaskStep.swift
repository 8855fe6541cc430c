/// The `task` step kind: its attempt is a task on a queue, run by whichever connected worker
/// of the run's tenant serves the queue (see `TaskBroker`). Retries, timeout, fallback and
/// cancellation are the run actor's, as for every step: an attempt here only waits for the
/// worker's outcome.
enum TaskSteps {
    struct AttemptContext: Sendable {
        var fallback: Bool
        var timeoutNanos: Int64?
        /// After a restart: the lease the attempt was on ("" if it was never dispatched).
        var recoveredLease: String
        /// The run's last event when the attempt started (its end is the next step event).
        var startSeq: UInt64
    }

    static let minHeartbeatNanos: Int64 = 100_000_000

    static func run(_ inv: StepInvocation, context: StepKinds.Context) async throws(StepFailure) -> JSONValue {
        let queue = inv.config["queue"]?.stringValue ?? ""
        guard !queue.isEmpty, queue.utf8.count <= TaskBroker.maxName else {
            throw StepFailure(StepFailure.invalidConfig, "config \"queue\" must be a queue name of 1 to \(TaskBroker.maxName) bytes")
        }
        let broker = context.executor.tasks
        var heartbeat = broker.options.defaultHeartbeatTimeoutNanos
        if let h = inv.config["heartbeat_timeout"] {
            guard let n = TimeText.duration(h), n >= minHeartbeatNanos else {
                throw StepFailure(StepFailure.invalidConfig, "config \"heartbeat_timeout\" must be a duration of at least 100ms")
            }
            heartbeat = n
        }
        let task = context.task ?? AttemptContext(fallback: false, timeoutNanos: nil, recoveredLease: "", startSeq: 0)
        let now = context.executor.now()
        var taskID = TaskSpec.id(runID: inv.runID, stepID: inv.stepID, attempt: inv.attempt, fallback: task.fallback)
        // A loop's inner task step: one task per item ("<run>/<loop step>/<attempt>.<index>").
        if context.task == nil, let index = inv.scope["index"]?.numberValue { taskID += ".\(Int(index))" }
        let spec = TaskSpec(taskID: taskID,
                            tenantID: inv.tenantID, runID: inv.runID, workflowID: inv.workflowID, stepID: inv.stepID,
                            attempt: inv.attempt, queue: queue, taskType: inv.config["task_type"]?.stringValue ?? "",
                            payload: inv.config["payload"] ?? inv.input,
                            deadline: task.timeoutNanos.map { now.adding($0) }, heartbeatTimeoutNanos: heartbeat)
        switch await broker.run(spec, recoveredLease: task.recoveredLease, startSeq: task.startSeq) {
        case .completed(let output): return output
        case .failed(let failure): throw failure
        }
    }
}

extension Executor {
    /// Gives the broker its way into the runs: task notes go through the run's actor (the
    /// one writer of its events) and the same log append as every run event.
    func attachTaskRecorder() {
        tasks.attach(TaskRecorder(
            record: { [weak self] tenant, runID, note in await self?.recordTask(tenant: tenant, runID: runID, note) },
            settled: { [weak self] tenant, runID, stepID, seq in
                await self?.attemptSettled(tenant: tenant, runID: runID, stepID: stepID, after: seq)
            },
            describe: { [weak self] tenant, runID, stepID in
                guard let cell = self?.tables.withLock({ $0.cells[runID] }), cell.tenantID == tenant else {
                    return "run \(runID) is gone"
                }
                let run = cell.run
                guard let s = run.step(stepID) else { return "run \(runID) has no step \(stepID)" }
                return "step \(stepID) is \(String(describing: s.status).uppercased()) at attempt \(s.attempts); run \(run.status.name)"
            }))
    }

    private func recordTask(tenant: String, runID: String, _ note: TaskNote) async -> UInt64? {
        guard let actor = tables.withLock({ $0.actors[runID] }), actor.cell.tenantID == tenant else { return nil }
        guard let seq = await actor.noteTask(note) else { return nil }
        await actor.cell.waitDurable(seq)
        return seq
    }

    /// Returns once an event ending the step's attempt begun before `seq` (or the run's end)
    /// is durable.
    private func attemptSettled(tenant: String, runID: String, stepID: String, after seq: UInt64) async {
        guard let cell = tables.withLock({ $0.cells[runID] }), cell.tenantID == tenant else { return }
        var at = seq
        while !Task.isCancelled {
            let batch = await cell.next(after: at)
            for e in batch.events {
                at = e.seq
                if e.isTerminal { return }
                if e.stepID == stepID, !e.isTaskNote { return }
            }
            if batch.ended || batch.events.isEmpty { return }
        }
    }
}

extension RunEvent {
    var isTaskNote: Bool {
        if case .task = kind { return true }
        return false
    }
}
