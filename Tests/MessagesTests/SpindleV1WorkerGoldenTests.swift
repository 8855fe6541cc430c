import Messages
import ProtoWire
import Testing

/// spindle/v1/worker_service.proto built in Swift, against the reference runtime's bytes
/// (spindle_v1_worker_cases in scripts/proto/gen-golden.py): each arm of both oneofs with every
/// field set, the queue reads, and a run event's TaskNote.
extension SpindleV1GoldenTests {
    static let taskID = "run_1/resize/2"

    @Test func workerMessages() throws {
        var hello = SpindleV1.WorkerHello()
        hello.workerID = "py-1"; hello.queues = ["images", "video"]; hello.maxConcurrent = 8
        hello.labels = ["zone": "eu", "gpu": "no"]; hello.credits = 8
        var held = SpindleV1.HeldTask(); held.taskID = Self.taskID; held.attempt = 2; held.leaseID = "b1-7"
        hello.held = [held]
        try check(SpindleV1.WorkerMessage(.hello(hello)), "spindle_v1_worker_hello")
        var credit = SpindleV1.WorkerCredit(); credit.credits = 3
        try check(SpindleV1.WorkerMessage(.credit(credit)), "spindle_v1_worker_credit")
        var hb = SpindleV1.TaskHeartbeat(); hb.taskID = Self.taskID; hb.attempt = 2
        hb.details = V(.structValue(S(["done": V(.numberValue(0.5))])))
        try check(SpindleV1.WorkerMessage(.heartbeat(hb)), "spindle_v1_worker_heartbeat")
        var result = SpindleV1.TaskResult(); result.taskID = Self.taskID; result.attempt = 2; result.output = Self.string("ok")
        try check(SpindleV1.WorkerMessage(.result(result)), "spindle_v1_worker_result")
        var failure = SpindleV1.TaskFailure(); failure.taskID = Self.taskID; failure.attempt = 2; failure.code = "BAD_INPUT"
        failure.message = "no such image"; failure.retryable = true; failure.details = V(.numberValue(404))
        try check(SpindleV1.WorkerMessage(.failure(failure)), "spindle_v1_worker_failure")
        try check(SpindleV1.WorkerMessage(), "spindle_v1_worker_empty")
    }

    @Test func serverMessages() throws {
        var welcome = SpindleV1.WorkerWelcome(); welcome.sessionID = "b1-3"; welcome.keptTaskIDs = [Self.taskID]
        try check(SpindleV1.ServerMessage(.welcome(welcome)), "spindle_v1_server_welcome")
        var t = SpindleV1.Task()
        t.taskID = Self.taskID; t.runID = "run_1"; t.workflowID = "wf_1"; t.stepID = "resize"; t.attempt = 2
        t.queue = "images"; t.taskType = "resize"; t.payload = V(.structValue(S(["w": V(.numberValue(640))])))
        t.deadline = TS(seconds: 1_767_225_600, nanos: 5); t.heartbeatTimeoutMs = 30000; t.leaseID = "b1-8"
        try check(SpindleV1.ServerMessage(.task(t)), "spindle_v1_server_task")
        var cancel = SpindleV1.TaskCancel(); cancel.taskID = Self.taskID; cancel.attempt = 2; cancel.reason = "run canceled"
        try check(SpindleV1.ServerMessage(.cancel(cancel)), "spindle_v1_server_cancel")
        var ack = SpindleV1.TaskAck(); ack.taskID = Self.taskID; ack.attempt = 2; ack.accepted = false
        ack.reason = "attempt 2 is not current"
        try check(SpindleV1.ServerMessage(.ack(ack)), "spindle_v1_server_ack")
    }

    @Test func queueReadsAndTaskNotes() throws {
        var d = SpindleV1.DescribeQueueRequest(); d.queue = "images"
        try check(d, "spindle_v1_describe_queue_request")
        try check(SpindleV1.ListQueuesRequest(), "spindle_v1_list_queues_request")
        var q = SpindleV1.QueueInfo()
        q.name = "images"; q.backlog = 12; q.inFlight = 3; q.workersConnected = 1; q.oldestTaskAgeMs = 250
        q.dispatchedTotal = 1 << 33; q.dispatchRatePerS = 20.5
        var w = SpindleV1.WorkerInfo(); w.workerID = "py-1"; w.maxConcurrent = 8; w.inFlight = 3; w.credits = 5
        w.labels = ["zone": "eu"]
        q.workers = [w]
        var list = SpindleV1.ListQueuesResponse(); list.queues = [q]
        try check(list, "spindle_v1_list_queues_response")
        var e = SpindleV1.RunEvent()
        e.runID = "run_1"; e.seq = 4; e.type = .taskResultRefused; e.stepID = "resize"; e.attempt = 1
        var note = SpindleV1.TaskNote()
        note.taskID = "run_1/resize/1"; note.workerID = "py-1"; note.leaseID = "b1-2"; note.details = V(.boolValue(true))
        note.reason = "stale"
        e.task = note
        try check(e, "spindle_v1_run_event_task_note")
    }
}
