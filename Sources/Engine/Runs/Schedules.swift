import Storage
import Synchronization

/// A workflow run on a cron schedule in a time zone (proto Schedule).
public struct Schedule: Sendable, Hashable {
    public var id: String
    public var tenantID: String
    public var workflowID: String
    public var cron: String
    /// IANA name; "" is UTC.
    public var timeZone: String
    public var inputs: [String: JSONValue]
    public var paused = false
    public var catchUp: CatchUpPolicy
    public var createdAt: Instant
    /// The fire time of the last run it started (nil before the first).
    public var lastFireAt: Instant?
    public var lastRunID = ""
    /// When it fires next (nil while paused, or when the expression never matches again).
    public var nextRunAt: Instant?
    /// Set while paused: when it was paused.
    public var pausedAt: Instant?
    /// When it was last resumed: the fire times up to then passed while it was paused, and
    /// are never owed (nil if it was never paused).
    public var resumedAt: Instant?

    /// Fire times after this one are owed: those before it ran, were caught up, or passed
    /// while the schedule was paused. Catch-up after a restart counts missed times from here.
    public var owedAfter: Instant { max(lastFireAt ?? createdAt, resumedAt ?? createdAt) }
}

extension Schedule {
    /// A pause or resume at `at` (nil: a record from before the time was kept). Pausing a
    /// paused schedule keeps the first pause time; a snapshot restates the last resume of a
    /// schedule that is not paused.
    mutating func apply(paused: Bool, at: Instant?) {
        if paused {
            if !self.paused { pausedAt = at }
        } else {
            if let at { resumedAt = max(resumedAt ?? at, at) }
            pausedAt = nil
        }
        self.paused = paused
    }
}

/// Schedule records in the log (record type `schedule`).
enum ScheduleRecord {
    case created(Schedule)
    /// Paused (or resumed, `paused` false) at `at`; records written before that time was
    /// kept have none.
    case paused(id: String, paused: Bool, at: Instant?)
    case deleted(id: String)
    case fired(id: String, fireAt: Instant, runID: String)

    var json: JSONValue {
        var b = JSONBuilder()
        b["v"] = 1
        switch self {
        case .created(let s):
            b.set("t", "schedule_created")
            b.set("id", s.id)
            b.set("tenant", s.tenantID)
            b.set("wf", s.workflowID)
            b.set("cron", s.cron)
            b.set("tz", s.timeZone)
            b.set("inputs", s.inputs)
            b.set("catch_up", s.catchUp.name)
            b.set("at", s.createdAt)
        case .paused(let id, let paused, let at):
            b.set("t", "schedule_paused")
            b.set("id", id)
            b.set("paused", paused)
            b.set("at", at)
        case .deleted(let id):
            b.set("t", "schedule_deleted")
            b.set("id", id)
        case .fired(let id, let at, let runID):
            b.set("t", "schedule_fired")
            b.set("id", id)
            b.set("fire_at", at)
            b.set("run", runID)
        }
        return b.value
    }


    init(bytes: [UInt8]) throws(DecodeError) {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw DecodeError(path: "schedule", message: error.description) }
        let r = try JSONReader(value, path: "schedule")
        let id = try r.string("id")
        switch try r.string("t") {
        case "schedule_created":
            guard let policy = CatchUpPolicy(name: try r.string("catch_up")) else { throw r.fail("catch_up", "unknown policy") }
            self = .created(Schedule(id: id, tenantID: try r.string("tenant"), workflowID: try r.string("wf"),
                                     cron: try r.string("cron"), timeZone: try r.string("tz"),
                                     inputs: try r.objectMember("inputs"), catchUp: policy, createdAt: try r.instant("at")))
        case "schedule_paused":
            let at = try r.instant("at")
            self = .paused(id: id, paused: try r.bool("paused"), at: at.nanosSinceEpoch == 0 ? nil : at)
        case "schedule_deleted": self = .deleted(id: id)
        case "schedule_fired": self = .fired(id: id, fireAt: try r.instant("fire_at"), runID: try r.string("run"))
        case let other: throw r.fail("t", "unknown schedule record \"\(other)\"")
        }
    }
}

/// The schedules and the task that fires them. Fire times come from the cron expression in
/// the schedule's zone; each run a schedule starts carries the idempotency key
/// "schedule:<id>:<fire time>", so a fire time interrupted by a crash never starts twice.
final class ScheduleTable: Sendable {
    struct Entry: Sendable {
        var schedule: Schedule
        var cron: CronExpression
        var zone: ZoneInfo
    }
    let entries = Mutex<[String: Entry]>([:])
    let changed = Signal()

    /// The schedules as their records leave them (a snapshot's, then the log's).
    static func fold(_ records: [ScheduleRecord]) -> [String: Entry] {
        var table: [String: Entry] = [:]
        for record in records {
            switch record {
            case .created(let s):
                guard let cron = try? CronExpression(parsing: s.cron), let zone = try? ZoneInfo.load(s.timeZone) else { continue }
                table[s.id] = .init(schedule: s, cron: cron, zone: zone)
            case .paused(let id, let paused, let at): table[id]?.schedule.apply(paused: paused, at: at)
            case .deleted(let id): table[id] = nil
            case .fired(let id, let at, let runID):
                table[id]?.schedule.lastFireAt = at
                table[id]?.schedule.lastRunID = runID
            }
        }
        return table
    }
}

extension Executor {
    public struct ScheduleRequest: Sendable {
        public var tenantID: String
        public var workflowID: String
        public var cron: String
        public var timeZone: String
        public var inputs: [String: JSONValue]
        public var catchUp: CatchUpPolicy
        public init(tenantID: String, workflowID: String, cron: String, timeZone: String = "",
                    inputs: [String: JSONValue] = [:], catchUp: CatchUpPolicy = .latest) {
            self.tenantID = tenantID
            self.workflowID = workflowID
            self.cron = cron
            self.timeZone = timeZone
            self.inputs = inputs
            self.catchUp = catchUp
        }
    }

    public func createSchedule(_ request: ScheduleRequest) async throws -> Schedule {
        let cron: CronExpression
        let zone: ZoneInfo
        do { cron = try CronExpression(parsing: request.cron) } catch {
            throw DomainError.invalid("cron", "\(error)")
        }
        do { zone = try ZoneInfo.load(request.timeZone) } catch {
            throw DomainError.invalid("time_zone", "\(error)")
        }
        let workflow = try await workflows.read { s throws(DomainError) in try s.get(tenant: request.tenantID, id: request.workflowID) }
        if workflow.deleted { throw DomainError.failedPrecondition("workflow \(workflow.id) is deleted") }
        _ = try RunInputs.check(request.inputs, against: workflow.metadata.inputs)
        if let problem = workflows.values.problem(request.inputs, "schedule input") { throw DomainError.resourceExhausted(problem) }
        let at = now()
        var schedule = Schedule(id: environment.ids.make(prefix: "sch", tenant: request.tenantID, at: at), tenantID: request.tenantID,
                                workflowID: workflow.id, cron: request.cron, timeZone: request.timeZone,
                                inputs: request.inputs, catchUp: request.catchUp, createdAt: at)
        schedule.nextRunAt = cron.next(after: at, in: zone)
        _ = try await workflows.store.append([Record(type: WorkflowStore.RecordType.schedule,
                                                     payload: ScheduleRecord.created(schedule).json.canonicalBytes())])
        schedules.entries.withLock { $0[schedule.id] = .init(schedule: schedule, cron: cron, zone: zone) }
        schedules.changed.fire()
        return schedule
    }

    public func listSchedules(tenant: String, workflowID: String) -> [Schedule] {
        schedules.entries.withLock { e in
            e.values.map(\.schedule).filter { $0.tenantID == tenant && (workflowID.isEmpty || $0.workflowID == workflowID) }
        }.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
    }

    private func schedule(tenant: String, id: String) throws(DomainError) -> Schedule {
        guard let s = schedules.entries.withLock({ $0[id]?.schedule }), s.tenantID == tenant else {
            throw .notFound("schedule \(id) not found")
        }
        return s
    }

    /// Pauses or resumes, recording when. A resumed schedule fires next at its next time
    /// after now: the times that passed while it was paused are skipped, after a restart too
    /// (`Schedule.resumedAt`). Asking for the state it is already in changes nothing.
    public func pauseSchedule(tenant: String, id: String, paused: Bool) async throws -> Schedule {
        let current = try schedule(tenant: tenant, id: id)
        if current.paused == paused { return current }
        let at = now()
        _ = try await workflows.store.append([Record(type: WorkflowStore.RecordType.schedule,
                                                     payload: ScheduleRecord.paused(id: id, paused: paused, at: at).json.canonicalBytes())])
        let updated = schedules.entries.withLock { e -> Schedule? in
            guard var entry = e[id] else { return nil }
            entry.schedule.apply(paused: paused, at: at)
            entry.schedule.nextRunAt = paused ? nil : entry.cron.next(after: at, in: entry.zone)
            e[id] = entry
            return entry.schedule
        }
        schedules.changed.fire()
        guard let updated else { throw DomainError.notFound("schedule \(id) not found") }
        return updated
    }

    public func deleteSchedule(tenant: String, id: String) async throws {
        _ = try schedule(tenant: tenant, id: id)
        _ = try await workflows.store.append([Record(type: WorkflowStore.RecordType.schedule,
                                                     payload: ScheduleRecord.deleted(id: id).json.canonicalBytes())])
        schedules.entries.withLock { _ = $0.removeValue(forKey: id) }
        schedules.changed.fire()
    }

    /// Rebuilds the schedules from their records and works out what each missed while the
    /// server was down, by its catch-up policy.
    func recoverSchedules() {
        let table = ScheduleTable.fold(workflows.recoveredRuns.schedules)
        schedules.entries.withLock { $0 = table }
    }

    /// Fires schedules for as long as the executor lives: first what recovery says was
    /// missed, then each next fire time as it comes (woken early when schedules change).
    func runScheduler() async {
        var caughtUp = false
        while !Task.isCancelled {
            let generation = schedules.changed.generation
            let at = now()
            var due: [(Schedule, Instant)] = []
            var earliest: Instant?
            schedules.entries.withLock { e in
                for (id, var entry) in e {
                    var s = entry.schedule
                    if s.paused { s.nextRunAt = nil; entry.schedule = s; e[id] = entry; continue }
                    let last = s.owedAfter
                    if !caughtUp {
                        // After a restart: what was missed while the server was down (and
                        // the schedule was not paused).
                        let plan = CatchUpPlan(expression: entry.cron, zone: entry.zone, lastFire: last, now: at,
                                               policy: s.catchUp)
                        for m in plan.runNow { due.append((s, m)) }
                        if let m = entry.cron.previous(atOrBefore: at, in: entry.zone), m > last { s.lastFireAt = m }
                    } else if let next = s.nextRunAt, next <= at {
                        due.append((s, next))
                        s.lastFireAt = next
                    }
                    s.nextRunAt = entry.cron.next(after: max(s.owedAfter, at), in: entry.zone)
                    if let n = s.nextRunAt, earliest == nil || n < earliest! { earliest = n }
                    entry.schedule = s
                    e[id] = entry
                }
            }
            caughtUp = true
            for (s, fireAt) in due { await fire(s, at: fireAt) }
            if !due.isEmpty { continue }
            // Sleep until the earliest fire time, or until a schedule changes.
            let wake = earliest
            await withTaskGroup(of: Void.self) { group in
                if let wake {
                    let sleeper = self.sleeper
                    group.addTask { try? await sleeper.sleep(wake) }
                }
                group.addTask { await self.schedules.changed.wait(past: generation) }
                await group.next()
                group.cancelAll()
            }
        }
    }

    private func fire(_ s: Schedule, at fireAt: Instant) async {
        let key = "schedule:\(s.id):\(fireAt.nanosSinceEpoch)"
        let origin = RunOrigin(trigger: .schedule, idempotencyKey: key, scheduleID: s.id)
        let runID: String
        do {
            runID = try await start(StartRequest(tenantID: s.tenantID, workflowID: s.workflowID, inputs: s.inputs, origin: origin)).id
        } catch {
            runID = ""
        }
        _ = try? await workflows.store.append([Record(type: WorkflowStore.RecordType.schedule,
                                                      payload: ScheduleRecord.fired(id: s.id, fireAt: fireAt, runID: runID).json.canonicalBytes())])
        schedules.entries.withLock { e in
            e[s.id]?.schedule.lastRunID = runID
        }
    }

    func snapshotScheduleRecords() -> [Record] {
        schedules.entries.withLock { e in
            e.values.flatMap { entry -> [Record] in
                var out = [Record(type: WorkflowStore.RecordType.schedule,
                                  payload: ScheduleRecord.created(entry.schedule).json.canonicalBytes())]
                let s = entry.schedule
                if s.paused || s.resumedAt != nil {
                    let at = s.paused ? s.pausedAt : s.resumedAt
                    out.append(Record(type: WorkflowStore.RecordType.schedule,
                                      payload: ScheduleRecord.paused(id: s.id, paused: s.paused, at: at).json.canonicalBytes()))
                }
                if let last = entry.schedule.lastFireAt {
                    out.append(Record(type: WorkflowStore.RecordType.schedule,
                                      payload: ScheduleRecord.fired(id: entry.schedule.id, fireAt: last,
                                                                    runID: entry.schedule.lastRunID).json.canonicalBytes()))
                }
                return out
            }
        }
    }
}
