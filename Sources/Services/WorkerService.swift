// spindle.v1.WorkerService: a worker's Connect stream (hello, then credit, heartbeats and
// reports up; tasks, cancels and acks down), and the queue reads. The broker in the Engine
// decides; this file authenticates, checks and maps.
public import Engine
import Messages
import ProtoWire
public import RPC

public struct WorkerService: Sendable {
    public static let serviceName = "spindle.v1.WorkerService"
    static let maxCodeBytes = 64
    static let maxMessageBytes = 4096

    let executor: Executor
    let authenticator: Authenticator
    let runs: RunService

    public init(executor: Executor, authenticator: Authenticator) {
        self.executor = executor
        self.authenticator = authenticator
        self.runs = RunService(executor: executor, authenticator: authenticator)
    }

    typealias M = WorkflowMapping

    public func register(in router: inout Router) {
        let name = Self.serviceName
        router.bidirectionalStreaming(name, "Connect") {
            (requests: RequestStream<PB.WorkerMessage>, out: ResponseWriter<PB.ServerMessage>, ctx) in
            try await runs.call(ctx) { p in try await connect(p.tenant, requests, out) }
        }
        router.unary(name, "ListQueues") { (_: PB.ListQueuesRequest, ctx) in
            try await runs.call(ctx) { p in
                var out = PB.ListQueuesResponse()
                out.queues = executor.tasks.queues(tenant: p.tenant).map(Self.queue)
                return out
            }
        }
        router.unary(name, "DescribeQueue") { (req: PB.DescribeQueueRequest, ctx) in
            try await runs.call(ctx) { p in
                Self.queue(try executor.tasks.queue(tenant: p.tenant, name: try RunService.required(req.queue, "queue")))
            }
        }
    }

    /// The session: the hello first, then a reader (the worker's messages to the broker) and a
    /// writer (the mailbox to the stream, paced by HTTP/2 flow control) side by side. Either
    /// ending ends the session, and the broker takes back what the worker held.
    func connect(_ tenant: String, _ requests: RequestStream<PB.WorkerMessage>,
                 _ out: ResponseWriter<PB.ServerMessage>) async throws {
        var iterator = requests.makeAsyncIterator()
        guard let first = try await iterator.next() else { return }
        guard case .hello(let h)? = first.kind else {
            throw RPCError(.failedPrecondition, "the first message of a Connect stream must be a hello")
        }
        let broker = executor.tasks
        let session = try broker.connect(tenant: tenant, Self.hello(h))
        var ended = "disconnected"
        defer { broker.disconnect(session, reason: ended) }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while let batch = await session.mailbox.next() {
                        for m in batch { try await out.write(Self.outbound(m)) }
                    }
                }
                group.addTask {
                    // The stream's queue goes on after the hello the first iterator read. Either
                    // way out closes the mailbox, which ends the writer.
                    do {
                        for try await m in requests { try Self.inbound(m, session, broker) }
                        broker.disconnect(session, reason: "closed its stream")
                    } catch {
                        broker.disconnect(session, reason: "lost its stream (\(error))")
                        throw error
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            ended = "lost its stream (\(error))"
            throw error
        }
        if let reason = session.mailbox.closedReason, reason.contains("behind") {
            throw RPCError(.resourceExhausted, reason)
        }
    }

    static func hello(_ h: PB.WorkerHello) -> Engine.WorkerHello {
        Engine.WorkerHello(workerID: h.workerID, queues: h.queues, maxConcurrent: Int(h.maxConcurrent), labels: h.labels,
                           credits: Int(h.credits),
                           held: h.held.map { .init(taskID: $0.taskID, attempt: $0.attempt, leaseID: $0.leaseID) })
    }

    static func inbound(_ m: PB.WorkerMessage, _ session: WorkerSession, _ broker: TaskBroker) throws {
        switch m.kind {
        case .hello?:
            throw RPCError(.failedPrecondition, "hello was already sent on this stream")
        case .credit(let c)?:
            try broker.receive(session, .credit(Int(c.credits)))
        case .heartbeat(let h)?:
            let details = try h.details.map { v throws(MappingError) in try M.json(v, at: "heartbeat.details") }
            try broker.receive(session, .heartbeat(taskID: h.taskID, attempt: h.attempt, details: details))
        case .result(let r)?:
            let output = try r.output.map { v throws(MappingError) in try M.json(v, at: "result.output") } ?? .null
            try broker.receive(session, .result(taskID: r.taskID, attempt: r.attempt, output: output))
        case .failure(let f)?:
            guard f.code.utf8.count <= maxCodeBytes, f.message.utf8.count <= maxMessageBytes else {
                throw WorkflowErrors.invalid("failure", "a failure's code is at most \(maxCodeBytes) bytes and its message at most \(maxMessageBytes)")
            }
            var message = f.message
            if let d = f.details {
                let details = try M.json(d, at: "failure.details")
                message += (message.isEmpty ? "" : " ") + details.canonicalString()
            }
            let failure = StepFailure(f.code.isEmpty ? StepFailure.taskFailed : f.code, message, retryable: f.retryable)
            try broker.receive(session, .failure(taskID: f.taskID, attempt: f.attempt, failure))
        case nil:
            throw WorkflowErrors.invalid("kind", "an empty WorkerMessage (set one of hello, credit, heartbeat, result, failure)")
        }
    }

    static func outbound(_ m: WorkerOutbound) -> PB.ServerMessage {
        switch m {
        case .welcome(let id, let kept):
            var w = PB.WorkerWelcome()
            w.sessionID = id
            w.keptTaskIDs = kept
            return PB.ServerMessage(.welcome(w))
        case .task(let spec, let leaseID):
            var t = PB.Task()
            t.taskID = spec.taskID
            t.runID = spec.runID
            t.workflowID = spec.workflowID
            t.stepID = spec.stepID
            t.attempt = spec.attempt
            t.queue = spec.queue
            t.taskType = spec.taskType
            t.payload = M.value(spec.payload)
            t.deadline = spec.deadline.map(M.timestamp)
            t.heartbeatTimeoutMs = Int32(clamping: spec.heartbeatTimeoutNanos / 1_000_000)
            t.leaseID = leaseID
            return PB.ServerMessage(.task(t))
        case .cancel(let taskID, let attempt, let reason):
            var c = PB.TaskCancel()
            c.taskID = taskID
            c.attempt = attempt
            c.reason = reason
            return PB.ServerMessage(.cancel(c))
        case .ack(let taskID, let attempt, let accepted, let reason):
            var a = PB.TaskAck()
            a.taskID = taskID
            a.attempt = attempt
            a.accepted = accepted
            a.reason = reason
            return PB.ServerMessage(.ack(a))
        }
    }

    static func queue(_ q: Engine.QueueInfo) -> PB.QueueInfo {
        var out = PB.QueueInfo()
        out.name = q.name
        out.backlog = Int64(q.backlog)
        out.inFlight = Int64(q.inFlight)
        out.workersConnected = Int32(q.workers.count)
        out.oldestTaskAgeMs = q.oldestTaskAgeMillis
        out.dispatchedTotal = Int64(q.dispatchedTotal)
        out.dispatchRatePerS = q.dispatchRatePerSecond
        out.workers = q.workers.map { w in
            var i = PB.WorkerInfo()
            i.workerID = w.workerID
            i.maxConcurrent = Int32(w.maxConcurrent)
            i.inFlight = Int32(w.inFlight)
            i.credits = Int32(w.credits)
            i.labels = w.labels
            return i
        }
        return out
    }
}
