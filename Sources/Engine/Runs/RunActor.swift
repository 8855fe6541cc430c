/// One run, driven: the actor decides which steps start, records every change as an event,
/// and reacts to each attempt's end. It is the only writer of its `RunCell`.
///
/// Every change goes through `emit`: the event is applied to the run and queued for the log
/// in one synchronous step, so the log holds the run's events in sequence order. The run
/// goes on before the event is durable (a crash loses at most the tail, which recovery
/// redoes); watchers and callers only hear of it once it is.
actor RunActor {
    let cell: RunCell
    private(set) var run: Run
    let plan: RunPlan
    var definition: WorkflowDefinition { plan.definition }
    var steps: [String: Step] { plan.steps }
    var dependents: [String: [String]] { plan.dependents }
    /// Every COMPLETED step's output, kept as events apply (the "steps" of expression scopes).
    private var outputs: [String: JSONValue]
    /// Strong: an actor with work in flight keeps the executor alive (the executor drops the
    /// actor when its run ends).
    let executor: Executor

    /// The task of each step attempt in flight, and a token so a stale completion (an attempt
    /// that was cancelled or superseded) is ignored.
    private var inFlight: [String: (token: UInt64, task: Task<Void, Never>)] = [:]
    private var nextToken: UInt64 = 0
    /// Events emitted in this turn, not yet handed to the log (see `flush`).
    private var outbox: [RunEvent] = []
    /// Attempts of pure steps that already ended, waiting for `advance` to handle them.
    private var finishedInline: [(id: String, attempt: Int32, fallback: Bool, result: Result<JSONValue, StepFailure>)] = []
    private var draining = false
    private var needsAdvance = false
    /// Holds a slot of the executor's admission limits.
    private(set) var admitted = false

    init(cell: RunCell, run: Run, plan: RunPlan, executor: Executor) {
        self.cell = cell
        self.run = run
        self.plan = plan.fits(run) ? plan : RunPlan(definition: plan.definition, order: run.steps.map(\.stepID))
        self.executor = executor
        var outputs: [String: JSONValue] = [:]
        outputs.reserveCapacity(run.steps.count)
        for s in run.steps where s.status == .completed { outputs[s.stepID] = s.output ?? .null }
        self.outputs = outputs
    }

    init(cell: RunCell, run: Run, definition: WorkflowDefinition, executor: Executor) {
        self.init(cell: cell, run: run, plan: RunPlan(definition: definition, order: run.steps.map(\.stepID)),
                  executor: executor)
    }

    // MARK: - Events

    @discardableResult
    private func emit(_ kind: RunEvent.Kind) -> RunEvent {
        var event = RunEvent(runID: run.id, tenantID: run.tenantID, workflowID: run.workflowID,
                             seq: run.lastSeq + 1, at: executor.now(), kind: kind)
        run.apply(event)
        event.runStatus = run.status
        switch kind {
        case .stepCompleted(let id, _, let output, _): outputs[id] = output
        case .resumed(_, let reset): for id in reset { outputs[id] = nil }
        default: break
        }
        outbox.append(event)
        return event
    }

    /// Publishes the run as this actor turn left it to readers, and sends the turn's events to
    /// the log as one append (one record each, one acknowledgement). Every entry point of the
    /// actor flushes before it returns. (Once per turn, not per event: the cell's copy shares
    /// the run's storage, so each update would make the next change copy every step.)
    private func flush() {
        // Inside advance's loop, the loop's own flush sends everything at the end.
        guard !outbox.isEmpty, !draining else { return }
        cell.update(run)
        executor.append(outbox, to: cell)
        outbox.removeAll(keepingCapacity: true)
    }

    // MARK: - Life cycle

    /// The admission slot is ours: start (or go on after a restart).
    func admit() {
        defer { flush() }
        guard !run.status.isTerminal else { return executor.release(self) }
        admitted = true
        if run.status == .queued { emit(.started) }
        advance()
    }

    /// A recovered PAUSED run: it may go on once decided, without a slot until then.
    func markAdmittedForPaused() { admitted = true }

    /// RunPartial: records `id` as COMPLETED with a given output (it does not run).
    func presetStep(_ id: String, output: JSONValue) {
        defer { flush() }
        emit(.stepCompleted(stepID: id, attempt: 0, output: output, usedFallback: false))
    }

    var isAdmitted: Bool { admitted }
    var status: RunStatus { run.status }

    /// After a restart: re-arm what was in flight. Steps that were running are redone:
    /// deterministic ones simply run again, a wait re-arms its timer, a subworkflow waits for
    /// its child again, and an attempt with side effects counts as failed (INTERRUPTED) and
    /// goes to its retry policy.
    func recover() {
        defer { flush() }
        for s in run.steps {
            guard let step = steps[s.stepID] else { continue }
            switch s.status {
            case .running:
                let type = s.usedFallback ? (step.fallback?.type ?? step.type) : step.type
                if StepKinds.sideEffecting.contains(type) {
                    attemptEnded(s.stepID, attempt: s.attempts, fallback: s.usedFallback, token: nil,
                                 result: .failure(StepFailure(StepFailure.interrupted,
                                                              "the server stopped while the attempt ran")))
                } else {
                    startAttempt(s.stepID, attempt: s.attempts, fallback: s.usedFallback, restarting: s)
                }
            case .retrying:
                scheduleRetry(s.stepID, attempt: s.attempts + 1, at: s.nextAttemptAt ?? executor.now())
            default:
                break
            }
        }
    }

    // MARK: - Scheduling steps

    /// Starts every pending step whose dependencies are all finished (or skips it), then
    /// finishes the run if nothing is left.
    func advance() {
        defer { flush() }
        // Pure steps finish inside startAttempt (their results wait in `finishedInline`);
        // their ends are handled here, in a loop rather than by recursion, so a long chain of
        // them neither spawns a task per step nor grows the stack.
        if draining {
            needsAdvance = true
            return
        }
        draining = true
        defer { draining = false }
        repeat {
            needsAdvance = false
            startReadySteps()
            while !finishedInline.isEmpty {
                let f = finishedInline.removeFirst()
                attemptEnded(f.id, attempt: f.attempt, fallback: f.fallback, token: nil, result: f.result)
            }
        } while needsAdvance
    }

    private func startReadySteps() {
        guard admitted, run.status == .running || run.status == .paused else { return }
        var progressed = true
        while progressed {
            progressed = false
            for i in run.steps.indices where run.steps[i].status == .pending {
                guard plan.depIndices[i].allSatisfy({ run.steps[$0].status == .completed || run.steps[$0].status == .skipped })
                else { continue }
                let id = run.steps[i].stepID
                if skipped(i) {
                    emit(.stepSkipped(stepID: id))
                    progressed = true
                    continue
                }
                startAttempt(id, attempt: 1, fallback: false, restarting: nil)
                if run.status.isTerminal { return }
                progressed = true
            }
        }
        finishIfDone()
    }

    /// Step `i` (its dependencies finished) is on a branch not taken: listed in an upstream
    /// condition's (or approval's) untaken branch, or every dependency skipped.
    private func skipped(_ i: Int) -> Bool {
        let ds = plan.depIndices[i]
        if !ds.isEmpty && ds.allSatisfy({ run.steps[$0].status == .skipped }) { return true }
        for d in ds where plan.branches[d] && run.steps[d].status == .completed {
            let upstream = run.steps[d]
            guard let step = steps[upstream.stepID], let output = upstream.output else { continue }
            if Branching.untaken(by: step, output: output, dependents: dependents[upstream.stepID] ?? [])
                .contains(run.steps[i].stepID) {
                return true
            }
        }
        return false
    }

    private func finishIfDone() {
        guard run.status == .running || run.status == .paused, inFlight.isEmpty else { return }
        for i in run.steps.indices where !run.steps[i].status.isFinished { return }
        emit(.completed(outputs: leafOutputs()))
        executor.runEnded(self, run: run)
    }

    private func leafOutputs() -> [String: JSONValue] {
        var outputs: [String: JSONValue] = [:]
        for s in run.steps where (dependents[s.stepID] ?? []).isEmpty && s.status == .completed {
            outputs[s.stepID] = s.output ?? .null
        }
        return outputs
    }

    // MARK: - Attempts

    private func startAttempt(_ id: String, attempt: Int32, fallback: Bool, restarting: StepRun?) {
        guard let step = steps[id] else { return }
        let type = fallback ? (step.fallback?.type ?? step.type) : step.type
        let rawConfig = fallback ? (step.fallback?.config ?? [:]) : step.config
        let input: JSONValue
        let scope: JSONValue
        let config: [String: JSONValue]
        do throws(StepFailure) {
            input = try StepInputs.input(for: step, run: run, outputs: outputs)
            if let problem = executor.workflows.values.problem(input, "input") {
                throw StepFailure(StepFailure.resourceExhausted, problem)
            }
            if plan.needsScope(id, fallback: fallback) {
                scope = StepInputs.scope(run: run, outputs: outputs, input: input)
                config = try StepInputs.render(config: rawConfig, scope: scope)
            } else {
                scope = .null
                config = rawConfig
            }
        } catch {
            if restarting == nil { emit(.stepStarted(.init(stepID: id, attempt: attempt, input: .object([:]), fallback: fallback))) }
            return attemptEnded(id, attempt: attempt, fallback: fallback, token: nil, result: .failure(error))
        }

        if type == StepType.humanApproval.rawValue && !fallback {
            if restarting == nil {
                emit(.stepPaused(stepID: id, message: config["message"]?.stringValue ?? ""))
                if run.status == .running { emit(.paused(stepID: id)) }
                executor.runPaused(self)
            }
            return
        }

        var started = RunEvent.StepStarted(stepID: id, attempt: attempt, input: input, fallback: fallback)
        if let restarting {
            started.childRunID = restarting.childRunID
            started.wakeAt = restarting.wakeAt
        } else {
            if type == StepType.wait.rawValue && !fallback {
                started.wakeAt = StepKinds.wakeTime(config: config, now: executor.now())
            }
            if type == StepType.subworkflow.rawValue && !fallback { started.childRunID = executor.newRunID(tenant: run.tenantID) }
            emit(.stepStarted(started))
        }

        let invocation = StepInvocation(tenantID: run.tenantID, workflowID: run.workflowID, runID: run.id, stepID: id,
                                        type: type, config: config, input: input, attempt: attempt, scope: scope)
        let timeout = step.timeout.map { Int64($0.totalNanos) }
        var context = StepKinds.Context(executor: executor, parentRunID: run.id, parentStepID: id,
                                        childRunID: started.childRunID, wakeAt: started.wakeAt,
                                        rawConfig: rawConfig)
        if type == StepType.task.rawValue {
            context.task = .init(fallback: fallback, timeoutNanos: timeout, recoveredLease: restarting?.leaseID ?? "",
                                 startSeq: run.lastSeq)
        }
        if let result = StepKinds.inline(invocation) {
            finishedInline.append((id, attempt, fallback, result))
            if !draining { advance() }  // started outside advance (a fallback, a retry): handle it now
            return
        }
        nextToken += 1
        let token = nextToken
        let task = Task { [executor] in
            let result = await StepKinds.execute(invocation, context: context, timeoutNanos: timeout, executor: executor)
            self.attemptEnded(id, attempt: attempt, fallback: fallback, token: token, result: result)
        }
        inFlight[id] = (token, task)
    }

    private func attemptEnded(_ id: String, attempt: Int32, fallback: Bool, token: UInt64?,
                              result: Result<JSONValue, StepFailure>) {
        defer { flush() }
        if let token {
            guard inFlight[id]?.token == token else { return }  // cancelled or superseded
            inFlight[id] = nil
        }
        guard run.status == .running || run.status == .paused else { return }
        var result = result
        if case .success(let output) = result, let problem = executor.workflows.values.problem(output, "output") {
            result = .failure(StepFailure(StepFailure.resourceExhausted, problem))  // only this step fails
        }
        switch result {
        case .success(let output):
            emit(.stepCompleted(stepID: id, attempt: attempt, output: output, usedFallback: fallback))
            advance()
        case .failure(let failure):
            let step = steps[id]
            let policy = step?.retry
            let maxAttempts = max(1, policy?.maxAttempts ?? 1)
            let retryable = failure.code != StepFailure.canceledCode && !fallback && failure.retryable
                && ((policy?.retryableErrors.isEmpty ?? true)
                    ? !StepFailure.neverRetried.contains(failure.code)
                    : policy!.retryableErrors.contains(failure.code))
            if retryable && attempt < maxAttempts {
                let next = Instant(nanosSinceEpoch: executor.now().nanosSinceEpoch
                                   + Backoff.delayNanos(policy: policy!, attempt: attempt, random: executor.random()))
                emit(.stepRetrying(stepID: id, attempt: attempt, error: StepError(failure), nextAttemptAt: next))
                scheduleRetry(id, attempt: attempt + 1, at: next)
            } else if !fallback, step?.fallback != nil, failure.code != StepFailure.canceledCode {
                startAttempt(id, attempt: attempt, fallback: true, restarting: nil)
            } else {
                emit(.stepFailed(stepID: id, attempt: attempt, error: StepError(failure)))
                fail(StepError(code: failure.code, message: "step \(id): \(failure.message)"))
            }
        }
    }

    private func scheduleRetry(_ id: String, attempt: Int32, at deadline: Instant) {
        nextToken += 1
        let token = nextToken
        let sleeper = executor.sleeper
        let task = Task {
            do { try await sleeper.sleep(deadline) } catch { return }
            self.retryDue(id, attempt: attempt, token: token)
        }
        inFlight[id] = (token, task)
    }

    private func retryDue(_ id: String, attempt: Int32, token: UInt64) {
        defer { flush() }
        guard inFlight[id]?.token == token else { return }
        inFlight[id] = nil
        guard run.status == .running || run.status == .paused else { return }
        startAttempt(id, attempt: attempt, fallback: false, restarting: nil)
    }

    /// Records what a worker did with a task step's attempt; the sequence number of the event,
    /// or nil when the run or (but for a refusal) the attempt has moved on.
    func noteTask(_ note: TaskNote) -> UInt64? {
        defer { flush() }
        guard run.status == .running || run.status == .paused else { return nil }
        if note.what != .refused {
            guard let s = run.step(note.stepID), s.status == .running, s.attempts == note.attempt else { return nil }
        }
        emit(.task(note))
        return run.lastSeq
    }

    // MARK: - Ending

    private func stopInFlight() -> [String] {
        let ids = Array(inFlight.keys)
        for (_, f) in inFlight { f.task.cancel() }
        inFlight.removeAll()
        return ids
    }

    private func fail(_ error: StepError) {
        _ = stopInFlight()
        for s in run.steps where s.status.isActive { emit(.stepCanceled(stepID: s.stepID)) }
        emit(.failed(error))
        executor.runEnded(self, run: run)
    }

    /// Cancels the run: steps in flight are stopped, pending ones never start.
    func cancel(reason: String) -> Run {
        defer { flush() }
        guard !run.status.isTerminal else { return run }
        _ = stopInFlight()
        for s in run.steps where s.status.isActive || s.status == .pending {
            if !s.childRunID.isEmpty && s.status == .running { executor.cancelChild(s.childRunID, tenant: run.tenantID) }
            emit(.stepCanceled(stepID: s.stepID))
        }
        emit(.canceled(StepError(code: StepFailure.canceledCode, message: reason.isEmpty ? "canceled" : reason)))
        executor.runEnded(self, run: run)
        return run
    }

    /// Resumes a FAILED or PAUSED run from `fromStep` (and everything downstream of it), or
    /// from its failed, canceled and pending steps.
    func resume(from fromStep: String) throws(DomainError) -> Run {
        defer { flush() }
        switch run.status {
        case .failed: break
        case .paused:
            if fromStep.isEmpty {
                throw .failedPrecondition("run \(run.id) is paused at an approval step: decide it with ProcessPauseAction, or resume from a step")
            }
        default:
            throw .failedPrecondition("run \(run.id) is \(run.status.name): only FAILED and PAUSED runs can be resumed")
        }
        var reset: [String] = []
        if !fromStep.isEmpty {
            guard steps[fromStep] != nil else { throw .notFound("run \(run.id) has no step \(fromStep)") }
            reset = downstream(of: fromStep)
        } else {
            let roots = run.steps.filter { $0.status == .failed || $0.status == .canceled }.map(\.stepID)
            var set = Set<String>()
            for r in roots { set.formUnion(downstream(of: r)) }
            reset = run.steps.map(\.stepID).filter { set.contains($0) }
        }
        reset = reset.filter { id in run.step(id).map { $0.status != .pending } ?? false }
        _ = stopInFlight()
        for id in reset where run.step(id)?.status.isActive == true {
            emit(.stepCanceled(stepID: id))
        }
        emit(.resumed(fromStepID: fromStep, reset: reset))
        executor.runResumed(self)
        admitted = true
        advance()
        return run
    }

    /// `id` and every step downstream of it, in run order.
    private func downstream(of id: String) -> [String] {
        var seen: Set<String> = [id]
        var stack = [id]
        while let s = stack.popLast() {
            for d in dependents[s] ?? [] where seen.insert(d).inserted { stack.append(d) }
        }
        return run.steps.map(\.stepID).filter { seen.contains($0) }
    }

    /// The longest user id or comment a decision records.
    static let maxDecisionTextBytes = 64 << 10

    /// A human's decision on a paused approval step.
    func decide(stepID requested: String, action: PauseAction, userID: String, comment: String,
                inputs: [String: JSONValue], output: JSONValue?) throws(DomainError) -> Run {
        defer { flush() }
        let stepID = requested.isEmpty ? (run.pausedStep?.stepID ?? "") : requested
        guard let s = run.step(stepID), s.status == .paused else {
            throw .failedPrecondition(stepID.isEmpty ? "run \(run.id) has no paused step"
                                                     : "step \(stepID) of run \(run.id) is not paused")
        }
        let values = executor.workflows.values
        if let problem = values.problem(inputs, "inputs") ?? output.flatMap({ values.problem($0, "output") }) {
            throw .resourceExhausted(problem)
        }
        for (field, text) in [("user_id", userID), ("comment", comment)] where text.utf8.count > Self.maxDecisionTextBytes {
            throw .invalid(field, "\(text.utf8.count) bytes, over the limit of \(Self.maxDecisionTextBytes)")
        }
        let pausedAt = run.pauses.last { $0.stepID == stepID }?.pausedAt ?? run.updatedAt
        let record = PauseRecord(stepID: stepID, pausedAt: pausedAt, action: action, userID: userID, comment: comment,
                                 inputs: inputs, output: output, decidedAt: executor.now())
        emit(.pauseAction(record))
        let stillPaused = run.steps.contains { $0.status == .paused && $0.stepID != stepID }
        if !stillPaused && run.status == .paused {
            emit(.resumed(fromStepID: stepID, reset: []))
            executor.runResumed(self)
        }
        let decision: JSONValue = ["user_id": .string(userID), "comment": .string(comment)]
        switch action {
        case .approve:
            var out = inputs
            out["approved"] = true
            out["decision"] = decision
            emit(.stepCompleted(stepID: stepID, attempt: max(1, s.attempts), output: .object(out), usedFallback: false))
        case .override:
            emit(.stepCompleted(stepID: stepID, attempt: max(1, s.attempts), output: output ?? .null, usedFallback: false))
        case .decline:
            if let step = steps[stepID], Branching.declineBranch(of: step) != nil {
                emit(.stepCompleted(stepID: stepID, attempt: max(1, s.attempts),
                                    output: ["approved": false, "decision": decision], usedFallback: false))
            } else {
                let error = StepError(code: StepFailure.declined,
                                      message: "declined by \(userID.isEmpty ? "a reviewer" : userID)"
                                          + (comment.isEmpty ? "" : ": \(comment)"))
                emit(.stepFailed(stepID: stepID, attempt: max(1, s.attempts), error: error))
                fail(StepError(code: error.code, message: "step \(stepID): \(error.message)"))
                return run
            }
        case .unspecified:
            throw .invalid("action", "a pause action is required: APPROVE, DECLINE or OVERRIDE")
        }
        advance()
        return run
    }
}

/// Exponential backoff with jitter: initial x multiplier^(attempt-1), capped, then a random
/// point in its upper half (so retries of many runs spread out but never come early).
enum Backoff {
    static func delayNanos(policy: RetryPolicy, attempt: Int32, random: Double) -> Int64 {
        let initial = policy.initialBackoff.map(\.totalNanos) ?? 1e9
        let multiplier = policy.backoffMultiplier > 0 ? policy.backoffMultiplier : 2
        let cap = policy.maxBackoff.map(\.totalNanos) ?? 300e9
        let raw = min(cap, initial * pow(multiplier, Double(max(0, attempt - 1))))
        return Int64(raw * (0.5 + 0.5 * random))
    }

    private static func pow(_ b: Double, _ e: Double) -> Double {
        var r = 1.0
        var i = 0.0
        while i < e && r < 1e30 { r *= b; i += 1 }
        return r
    }
}

/// Branches of condition and approval steps: which dependents a finished step rules out.
/// The config keys are known here only; validation and RemoveStep ask `keys(of:)`.
enum Branching {
    static let ifTrue = "if_true", ifFalse = "if_false", onApprove = "on_approve", onDecline = "on_decline"

    /// The config keys of `step` that list the steps on its branches (none for other types).
    static func keys(of step: Step) -> [String] {
        switch step.type {
        case StepType.condition.rawValue: [ifTrue, ifFalse]
        case StepType.humanApproval.rawValue: [onApprove, onDecline]
        default: []
        }
    }

    /// A branch list of the config: its step ids.
    static func list(_ config: [String: JSONValue], _ key: String) -> [String]? {
        config[key]?.arrayValue?.compactMap(\.stringValue)
    }

    static func declineBranch(of step: Step) -> [String]? { list(step.config, onDecline) }

    static func untaken(by step: Step, output: JSONValue, dependents: [String]) -> [String] {
        switch step.type {
        case StepType.condition.rawValue:
            let taken = output["branch"]?.stringValue == "true"
            let whenTrue = list(step.config, ifTrue), whenFalse = list(step.config, ifFalse)
            if taken { return whenFalse ?? dependents.filter { !(whenTrue ?? dependents).contains($0) } }
            return whenTrue ?? dependents.filter { !(whenFalse ?? []).contains($0) }
        case StepType.humanApproval.rawValue:
            guard let declined = list(step.config, onDecline) else { return [] }
            let approved = output["approved"]?.boolValue ?? true
            let approvedOnes = list(step.config, onApprove) ?? dependents.filter { !declined.contains($0) }
            return approved ? declined : approvedOnes
        default:
            return []
        }
    }
}
