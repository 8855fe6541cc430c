// Engine <-> proto for runs and run events. Engine -> proto cannot fail.
import Engine
import Messages
import ProtoWire
import RPC

enum RunMapping {
    typealias M = WorkflowMapping

    static func error(_ e: Engine.StepError?) -> PB.StepError? {
        guard let e else { return nil }
        var out = PB.StepError()
        out.code = e.code
        out.message = e.message
        return out
    }

    static func ts(_ t: Instant?) -> WKT.Timestamp? { t.map(M.timestamp) }

    static func step(_ s: Engine.StepRun) -> PB.StepRun {
        var out = PB.StepRun()
        out.stepID = s.stepID
        out.type = s.type
        out.status = PB.StepStatus(rawValue: s.status.rawValue)
        out.attempts = s.attempts
        out.input = s.input.map(M.value)
        out.output = s.output.map(M.value)
        out.error = error(s.error)
        out.startedAt = ts(s.startedAt)
        out.finishedAt = ts(s.finishedAt)
        out.nextAttemptAt = ts(s.nextAttemptAt)
        out.usedFallback = s.usedFallback
        out.childRunID = s.childRunID
        out.wakeAt = ts(s.wakeAt)
        out.workerID = s.workerID
        out.progress = s.progress.map(M.value)
        return out
    }

    static func run(_ r: Engine.Run) -> PB.Run {
        var out = PB.Run()
        out.id = r.id
        out.tenantID = r.tenantID
        out.workflowID = r.workflowID
        out.workflowVersion = r.workflowVersion
        out.status = PB.RunStatus(rawValue: r.status.rawValue)
        out.trigger = PB.RunTrigger(rawValue: r.origin.trigger.rawValue)
        out.inputs = M.optionalStruct(r.inputs)
        out.outputs = M.optionalStruct(r.outputs)
        out.steps = r.steps.map(step)
        out.progressPercent = r.progressPercent
        out.currentSteps = r.currentSteps
        out.error = error(r.error)
        out.createdAt = M.timestamp(r.createdAt)
        out.startedAt = ts(r.startedAt)
        out.finishedAt = ts(r.finishedAt)
        out.updatedAt = M.timestamp(r.updatedAt)
        out.parentRunID = r.origin.parentRunID
        out.parentStepID = r.origin.parentStepID
        out.idempotencyKey = r.origin.idempotencyKey
        out.scheduleID = r.origin.scheduleID
        out.batchID = r.origin.batchID
        out.batchRow = r.origin.batchRow
        if r.status == .paused, let s = r.pausedStep {
            var p = PB.PauseInfo()
            p.stepID = s.stepID
            p.message = s.pauseMessage
            p.pausedAt = ts(r.pauses.last { $0.stepID == s.stepID }?.pausedAt)
            out.pause = p
        }
        out.lastSeq = r.lastSeq
        return out
    }

    static func pause(_ p: Engine.PauseRecord, runID: String) -> PB.PauseRecord {
        var out = PB.PauseRecord()
        out.runID = runID
        out.stepID = p.stepID
        out.pausedAt = M.timestamp(p.pausedAt)
        out.action = PB.PauseAction(rawValue: p.action.rawValue)
        out.userID = p.userID
        out.comment = p.comment
        out.inputs = M.optionalStruct(p.inputs)
        out.output = p.output.map(M.value)
        out.decidedAt = ts(p.decidedAt)
        return out
    }

    static func event(_ e: Engine.RunEvent) -> PB.RunEvent {
        var out = PB.RunEvent()
        out.runID = e.runID
        out.seq = e.seq
        out.time = M.timestamp(e.at)
        out.workflowID = e.workflowID
        out.stepID = e.stepID
        out.runStatus = PB.RunStatus(rawValue: e.runStatus.rawValue)
        let t: PB.RunEventType
        switch e.kind {
        case .queued: t = .runQueued
        case .started: t = .runStarted
        case .paused: t = .runPaused
        case .resumed: t = .runResumed
        case .completed(let outputs):
            t = .runCompleted
            out.output = M.value(.object(outputs))
        case .failed(let err):
            t = .runFailed
            out.error = error(err)
        case .canceled(let err):
            t = .runCanceled
            out.error = error(err)
        case .stepStarted(let s):
            t = .stepStarted
            out.attempt = s.attempt
        case .stepRetrying(_, let attempt, let err, let next):
            t = .stepRetrying
            out.attempt = attempt
            out.error = error(err)
            out.nextAttemptAt = M.timestamp(next)
        case .stepCompleted(_, let attempt, let output, _):
            t = .stepCompleted
            out.attempt = attempt
            out.output = M.value(output)
        case .stepFailed(_, let attempt, let err):
            t = .stepFailed
            out.attempt = attempt
            out.error = error(err)
        case .stepSkipped: t = .stepSkipped
        case .stepPaused: t = .stepPaused
        case .stepCanceled: t = .stepCanceled
        case .pauseAction(let p):
            t = .pauseAction
            out.pauseAction = pause(p, runID: e.runID)
        case .task(let n):
            switch n.what {
            case .dispatched: t = .taskDispatched
            case .progress: t = .stepProgress
            case .refused: t = .taskResultRefused
            }
            out.attempt = n.attempt
            var note = PB.TaskNote()
            note.taskID = n.taskID
            note.workerID = n.workerID
            note.leaseID = n.leaseID
            note.details = n.details.map(M.value)
            note.reason = n.reason
            out.task = note
        }
        out.type = t
        return out
    }

    static func batch(_ b: Engine.BatchRun, rows: [Engine.BatchRow]) -> PB.BatchRun {
        var out = PB.BatchRun()
        out.id = b.id
        out.workflowID = b.workflowID
        out.fileID = b.fileID
        out.status = PB.BatchStatus(rawValue: b.status.rawValue)
        out.totalRows = Int64(b.totalRows)
        out.completedRows = Int64(rows.filter { $0.status == .completed }.count)
        out.failedRows = Int64(rows.filter { $0.status == .failed || $0.status == .canceled }.count)
        out.rows = rows.map { r in
            var row = PB.BatchRow()
            row.row = Int64(r.row)
            row.runID = r.runID
            row.status = PB.RunStatus(rawValue: r.status.rawValue)
            row.error = error(r.error)
            return row
        }
        out.outputFileID = b.outputFileID
        out.createdAt = M.timestamp(b.createdAt)
        out.finishedAt = ts(b.finishedAt)
        return out
    }

    static func schedule(_ s: Engine.Schedule) -> PB.Schedule {
        var out = PB.Schedule()
        out.id = s.id
        out.workflowID = s.workflowID
        out.cron = s.cron
        out.timeZone = s.timeZone
        out.inputs = M.optionalStruct(s.inputs)
        out.paused = s.paused
        switch s.catchUp {
        case .skip: out.catchUp = .skip
        case .latest: out.catchUp = .latest
        case .all: out.catchUp = .all
        }
        out.nextRunAt = ts(s.nextRunAt)
        out.lastRunAt = ts(s.lastFireAt)
        out.pausedAt = ts(s.pausedAt)
        out.lastRunID = s.lastRunID
        out.createdAt = M.timestamp(s.createdAt)
        return out
    }

    static func catchUp(_ p: PB.CatchUpPolicy, at field: String) throws(MappingError) -> Engine.CatchUpPolicy {
        switch p.rawValue {
        case 0, 2: return .latest
        case 1: return .skip
        case 3: return .all
        default: throw MappingError(field: field, message: "unknown catch-up policy \(p.rawValue)")
        }
    }

    static func runStatus(_ s: PB.RunStatus, at field: String) throws(MappingError) -> Engine.RunStatus? {
        guard s.rawValue != 0 else { return nil }
        guard let v = Engine.RunStatus(rawValue: s.rawValue) else {
            throw MappingError(field: field, message: "unknown run status \(s.rawValue)")
        }
        return v
    }
}
