/// What one attempt of each step type does. The pure types (template, transform, condition,
/// wait, loop, subworkflow) are here; the types with side effects go to the `StepRunner`s the
/// executor was given (the `Effects` module's, in the server).
enum StepKinds {
    /// Types whose attempt touches the outside world: one interrupted by a crash is not
    /// simply redone but counts as a failed attempt.
    static let sideEffecting: Set<String> = [
        StepType.httpRequest.rawValue, StepType.script.rawValue, StepType.webhook.rawValue, StepType.agentTask.rawValue,
    ]

    /// What an attempt needs besides its invocation.
    struct Context: Sendable {
        var executor: Executor
        var parentRunID: String
        var parentStepID: String
        /// subworkflow: the child run's id (fixed in the step_started event).
        var childRunID: String
        /// wait: when it wakes (fixed in the step_started event).
        var wakeAt: Instant?
        /// The config before rendering (loop renders its inner step per item).
        var rawConfig: [String: JSONValue]
        /// task steps: what the attempt needs besides its config.
        var task: TaskSteps.AttemptContext?
    }

    /// Runs one attempt, under the step's timeout if it has one.
    static func execute(_ invocation: StepInvocation, context: Context, timeoutNanos: Int64?,
                        executor: Executor) async -> Result<JSONValue, StepFailure> {
        guard let timeoutNanos, timeoutNanos > 0 else {
            return await attempt(invocation, context: context)
        }
        let deadline = Instant(nanosSinceEpoch: executor.now().nanosSinceEpoch + timeoutNanos)
        let sleeper = executor.sleeper
        return await withTaskGroup(of: Result<JSONValue, StepFailure>?.self) { group in
            group.addTask { await attempt(invocation, context: context) }
            group.addTask {
                do { try await sleeper.sleep(deadline) } catch { return nil }
                return .failure(StepFailure(StepFailure.timeout, "timed out after \(Double(timeoutNanos) / 1e9)s"))
            }
            var result: Result<JSONValue, StepFailure> = .failure(.canceled)
            while let next = await group.next() {
                if let next {
                    result = next
                    break
                }
            }
            group.cancelAll()
            return result
        }
    }

    /// The result of a template, transform or condition attempt, computed on the spot: they
    /// are pure and bounded (the expression language caps their work), so they need no task
    /// and no timeout. Nil for every other type.
    static func inline(_ inv: StepInvocation) -> Result<JSONValue, StepFailure>? {
        switch inv.type {
        case StepType.template.rawValue, StepType.transform.rawValue, StepType.condition.rawValue:
            do throws(StepFailure) {
                return .success(try pure(inv))
            } catch {
                return .failure(error)
            }
        default:
            return nil
        }
    }

    private static func pure(_ inv: StepInvocation) throws(StepFailure) -> JSONValue {
        switch inv.type {
        case StepType.template.rawValue:
            return inv.config["template"] ?? .null
        case StepType.transform.rawValue:
            return try evaluate(inv.config["expression"], scope: inv.scope)
        default:
            let value = try evaluate(inv.config["expression"], scope: inv.scope)
            return ["result": value, "branch": .string(value.isTruthy ? "true" : "false")]
        }
    }

    static func attempt(_ inv: StepInvocation, context: Context) async -> Result<JSONValue, StepFailure> {
        do throws(StepFailure) {
            return .success(try await run(inv, context: context))
        } catch {
            return .failure(Task.isCancelled && error.code != StepFailure.timeout ? .canceled : error)
        }
    }

    static func run(_ inv: StepInvocation, context: Context) async throws(StepFailure) -> JSONValue {
        switch inv.type {
        case StepType.template.rawValue, StepType.transform.rawValue, StepType.condition.rawValue:
            return try pure(inv)
        case StepType.wait.rawValue:
            let wake = context.wakeAt ?? context.executor.now()
            do { try await context.executor.sleeper.sleep(wake) } catch { throw .canceled }
            return ["woke_at": .string(String(wake.millisSinceEpoch))]
        case StepType.subworkflow.rawValue:
            return try await child(inv, context: context, id: context.childRunID,
                                   workflowID: inv.config["workflow_id"]?.stringValue ?? "",
                                   inputs: inv.config["inputs"]?.objectValue ?? inv.input.objectValue ?? [:])
        case StepType.loop.rawValue:
            return try await loop(inv, context: context)
        case StepType.task.rawValue:
            return try await TaskSteps.run(inv, context: context)
        default:
            guard let runner = context.executor.runners[inv.type] else {
                throw StepFailure(StepFailure.invalidConfig, "no runner for step type \"\(inv.type)\" on this server")
            }
            return try await runner.run(inv)
        }
    }

    static func evaluate(_ source: JSONValue?, scope: JSONValue) throws(StepFailure) -> JSONValue {
        guard let text = source?.stringValue else {
            throw StepFailure(StepFailure.invalidConfig, "config \"expression\" must be a string")
        }
        do {
            return try Expression.cached(text).evaluate(scope)
        } catch {
            throw StepFailure(StepFailure.expression, "\(error)")
        }
    }

    /// Starts (or, after a restart, finds) the child run and waits for it to end.
    static func child(_ inv: StepInvocation, context: Context, id: String, workflowID: String,
                      inputs: [String: JSONValue]) async throws(StepFailure) -> JSONValue {
        guard !workflowID.isEmpty else { throw StepFailure(StepFailure.invalidConfig, "config \"workflow_id\" is required") }
        let executor = context.executor
        let cell: RunCell
        do {
            cell = try await executor.startChild(id: id, tenant: inv.tenantID, workflowID: workflowID, inputs: inputs,
                                                 parentRunID: context.parentRunID, parentStepID: context.parentStepID)
        } catch {
            throw StepFailure(StepFailure.childFailed, "could not start workflow \(workflowID): \(error)")
        }
        let ended = await withTaskCancellationHandler {
            await executor.waitForEnd(cell)
        } onCancel: {
            Task { _ = try? await executor.cancel(tenant: inv.tenantID, runID: id, reason: "parent run canceled") }
        }
        guard let ended else { throw .canceled }
        switch ended.status {
        case .completed: return .object(ended.outputs)
        default:
            throw StepFailure(StepFailure.childFailed,
                              "child run \(id) \(ended.status.name.lowercased()): \(ended.error?.message ?? "")")
        }
    }

    /// Runs the inner step (config "step": {type, config}) or a child workflow (config
    /// "workflow_id") once per item of config "items", at most "concurrency" at a time.
    static func loop(_ inv: StepInvocation, context: Context) async throws(StepFailure) -> JSONValue {
        guard let items = inv.config["items"]?.arrayValue else {
            throw StepFailure(StepFailure.invalidConfig, "config \"items\" must be a list (got \(inv.config["items"]?.canonicalString() ?? "nothing"))")
        }
        guard items.count <= 10_000 else { throw StepFailure(StepFailure.invalidConfig, "a loop runs at most 10000 items") }
        let concurrency = max(1, min(64, Int(inv.config["concurrency"]?.numberValue ?? 1)))
        let inner = context.rawConfig["step"]?.objectValue
        let workflowID = inv.config["workflow_id"]?.stringValue ?? ""
        guard inner != nil || !workflowID.isEmpty else {
            throw StepFailure(StepFailure.invalidConfig, "a loop needs config \"step\" or \"workflow_id\"")
        }
        if let inner, let t = inner["type"]?.stringValue, t == StepType.loop.rawValue || t == StepType.humanApproval.rawValue {
            throw StepFailure(StepFailure.invalidConfig, "a loop's step cannot be a \(t) step")
        }
        var results = [JSONValue](repeating: .null, count: items.count)
        var failure: StepFailure?
        await withTaskGroup(of: (Int, Result<JSONValue, StepFailure>).self) { group in
            var next = 0
            func add(_ i: Int) {
                let item = items[i]
                // The item's work is a function of its own returning a Result, and the task
                // only pairs it with the index: with the typed-throws catches inline in this
                // closure, -O builds (Swift 6.3) handed back a garbage index.
                group.addTask {
                    (i, await loopItem(i, item, inv, context: context, inner: inner, workflowID: workflowID))
                }
            }
            while next < min(concurrency, items.count) { add(next); next += 1 }
            while let (i, result) = await group.next() {
                switch result {
                case .success(let v): results[i] = v
                case .failure(let e):
                    if failure == nil { failure = StepFailure(e.code, "item \(i): \(e.message)") }
                    group.cancelAll()
                }
                if failure == nil && next < items.count { add(next); next += 1 }
            }
        }
        if let failure { throw failure }
        return ["results": .array(results), "count": .number(Double(items.count))]
    }

    /// One item of a loop: the inner step with "item" and "index" in scope, or a child run.
    private static func loopItem(_ i: Int, _ item: JSONValue, _ inv: StepInvocation, context: Context,
                                 inner: [String: JSONValue]?, workflowID: String) async -> Result<JSONValue, StepFailure> {
        guard case .object(var scope) = inv.scope else { return .failure(.canceled) }
        scope["item"] = item
        scope["index"] = .number(Double(i))
        let itemScope = JSONValue.object(scope)
        do throws(StepFailure) {
            if let inner {
                var sub = inv
                sub.type = inner["type"]?.stringValue ?? ""
                sub.config = try StepInputs.render(config: inner["config"]?.objectValue ?? [:], scope: itemScope)
                sub.scope = itemScope
                var subContext = context
                subContext.rawConfig = inner["config"]?.objectValue ?? [:]
                return await attempt(sub, context: subContext)
            }
            let rendered = try StepInputs.render(config: ["inputs": context.rawConfig["inputs"] ?? ["item": "{{item}}"]],
                                                 scope: itemScope)
            let childID = context.executor.loopChildID(parent: context.parentRunID, step: context.parentStepID,
                                                       attempt: inv.attempt, index: i)
            return .success(try await child(inv, context: context, id: childID, workflowID: workflowID,
                                            inputs: rendered["inputs"]?.objectValue ?? [:]))
        } catch {
            return .failure(error)
        }
    }

    /// When a wait step wakes: config "duration" after now, or the point in time "until".
    static func wakeTime(config: [String: JSONValue], now: Instant) -> Instant? {
        if let d = config["duration"], let nanos = TimeText.duration(d) {
            return Instant(nanosSinceEpoch: now.nanosSinceEpoch + nanos)
        }
        if let u = config["until"], let t = TimeText.instant(u) { return t }
        return nil
    }
}

/// A step's input and the scope its expressions see.
enum StepInputs {
    /// The input mappings applied: {to_field: value at from_field of from_step's output,
    /// through the transform}. A mapping without to_field uses from_step as the key.
    static func input(for step: Step, run: Run, outputs: [String: JSONValue]) throws(StepFailure) -> JSONValue {
        var input: [String: JSONValue] = [:]
        for m in step.inputMappings {
            let output = run.step(m.fromStep)?.output ?? .null
            var value = m.fromField.isEmpty ? output : (output.value(atPath: m.fromField) ?? .null)
            if !m.transform.isEmpty {
                var scope = scopeObject(run: run, outputs: outputs, input: .object(input))
                scope["value"] = value
                do {
                    value = try Expression.cached(m.transform).evaluate(.object(scope))
                } catch {
                    throw StepFailure(StepFailure.expression, "input mapping \(m.fromStep).\(m.fromField): \(error)")
                }
            }
            input[m.toField.isEmpty ? m.fromStep : m.toField] = value
        }
        return .object(input)
    }

    /// What expressions and templates see: the run's inputs, `outputs` (every completed
    /// step's output, by step id), the step's own input, and the run's ids.
    static func scope(run: Run, outputs: [String: JSONValue], input: JSONValue) -> JSONValue {
        .object(scopeObject(run: run, outputs: outputs, input: input))
    }

    private static func scopeObject(run: Run, outputs: [String: JSONValue], input: JSONValue) -> [String: JSONValue] {
        ["inputs": .object(run.inputs), "steps": .object(outputs), "input": input,
                "run": ["id": .string(run.id), "workflow_id": .string(run.workflowID)]]
    }

    /// Renders `{{ }}` in every config string, except "expression" (evaluated by its step)
    /// and a loop's inner "step" (rendered per item).
    static func render(config: [String: JSONValue], scope: JSONValue) throws(StepFailure) -> [String: JSONValue] {
        var out = config
        for (key, value) in config where key != "expression" && key != "step" {
            do {
                out[key] = try TemplateText.renderDeep(value, scope: scope)
            } catch {
                throw StepFailure(StepFailure.expression, "config \"\(key)\": \(error)")
            }
        }
        return out
    }
}
