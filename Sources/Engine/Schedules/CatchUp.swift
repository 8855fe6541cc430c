/// What a schedule does about fire times missed while the server was down.
public enum CatchUpPolicy: Sendable, Hashable, CaseIterable {
    /// Run none of them.
    case skip
    /// Run once, for the latest of them.
    case latest
    /// Run once for each, up to `maxRuns` (the latest ones).
    case all

    /// ALL runs at most this many missed fire times.
    public static let maxRuns = 100

    /// "SKIP", "LATEST", "ALL"
    public var name: String {
        switch self {
        case .skip: "SKIP"
        case .latest: "LATEST"
        case .all: "ALL"
        }
    }

    public init?(name: String) {
        guard let policy = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = policy
    }
}

/// The runs a schedule owes when the server comes back, and when it fires next.
public struct CatchUpPlan: Sendable, Hashable {
    /// Missed fire times to run now, oldest first.
    public var runNow: [Instant]
    /// The first fire time after `now` (and after `lastFire`); nil when it never fires again.
    public var nextFire: Instant?

    public init(runNow: [Instant], nextFire: Instant?) {
        self.runNow = runNow
        self.nextFire = nextFire
    }

    /// The plan for a schedule that last fired at `lastFire` (its creation time if it never
    /// fired) and finds itself at `now`. Missed fire times are those in (lastFire, now]: a
    /// fire time equal to `now` is due, not future. When the clock went back (now < lastFire)
    /// nothing is missed and the next fire time comes after `lastFire`, never again at it.
    public init(expression: CronExpression, zone: ZoneInfo, lastFire: Instant, now: Instant, policy: CatchUpPolicy) {
        let count = switch policy {
        case .skip: 0
        case .latest: 1
        case .all: CatchUpPolicy.maxRuns
        }
        // Walk back from now: the latest missed fire times, without visiting every older one.
        var missed: [Instant] = []
        var bound = now
        while missed.count < count, let fire = expression.previous(atOrBefore: bound, in: zone), fire > lastFire {
            missed.append(fire)
            bound = Instant(nanosSinceEpoch: fire.nanosSinceEpoch - 1)
        }
        self.init(runNow: missed.reversed(), nextFire: expression.next(after: max(now, lastFire), in: zone))
    }
}
