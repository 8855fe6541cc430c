import Synchronization

/// Where the executor waits for a point in time: backoff before a retry, a `wait` step, a
/// schedule's next fire. The server sleeps on the real clock; tests use `ManualClock` and
/// move time forward themselves, so nothing in a test waits for real seconds.
public struct Sleeper: Sendable {
    /// Returns at `deadline` (per the matching `Clock`), or throws when the task is cancelled.
    public let sleep: @Sendable (Instant) async throws -> Void

    public init(sleep: @escaping @Sendable (Instant) async throws -> Void) { self.sleep = sleep }

    public static func system(_ clock: Clock) -> Sleeper {
        Sleeper { deadline in
            let nanos = deadline.nanosSinceEpoch - clock.now().nanosSinceEpoch
            if nanos > 0 { try await Task.sleep(for: .nanoseconds(nanos)) }
            try Task.checkCancellation()
        }
    }
}

/// A clock tests move by hand: `advance(by:)` wakes every sleeper whose deadline has come.
public final class ManualClock: Sendable {
    private struct State {
        var now: Instant
        var sleepers: [UInt64: (deadline: Instant, continuation: CheckedContinuation<Void, any Error>)] = [:]
        var next: UInt64 = 0
    }
    private let state: Mutex<State>

    public init(start: Instant) { state = Mutex(State(now: start)) }

    public var now: Instant { state.withLock { $0.now } }
    /// How many tasks are sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }
    /// The earliest deadline anyone sleeps until.
    public var nextDeadline: Instant? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    public var clock: Clock { Clock { [self] in now } }

    public var sleeper: Sleeper {
        Sleeper { [self] deadline in try await sleep(until: deadline) }
    }

    public func advance(byMillis millis: Int64) {
        advance(to: Instant(nanosSinceEpoch: now.nanosSinceEpoch + millis * 1_000_000))
    }

    public func advance(to t: Instant) {
        let due = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            if t > s.now { s.now = t }
            let keys = s.sleepers.filter { $0.value.deadline <= s.now }.map(\.key)
            return keys.compactMap { s.sleepers.removeValue(forKey: $0)?.continuation }
        }
        for c in due { c.resume() }
    }

    func sleep(until deadline: Instant) async throws {
        let token = state.withLock { s -> UInt64 in
            s.next += 1
            return s.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let ready = state.withLock { s -> Bool in
                    if Task.isCancelled || deadline <= s.now { return true }
                    s.sleepers[token] = (deadline, c)
                    return false
                }
                if ready { c.resume() }
            }
        } onCancel: {
            let c = state.withLock { $0.sleepers.removeValue(forKey: token)?.continuation }
            c?.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }
}

/// Durations and points in time as step configs write them.
enum TimeText {
    /// "250ms", "5s", "1.5s", "2m", "1h", "1d", or a number of seconds. Nil if it is none of these.
    static func duration(_ value: JSONValue) -> Int64? {  // nanoseconds
        if case .number(let n) = value { return n >= 0 && n < 1e9 ? Int64(n * 1e9) : nil }
        guard case .string(let text) = value else { return nil }
        let units: [(String, Double)] = [("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9), ("d", 86400e9)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let body = text.dropLast(suffix.count)
            // "5ms" also ends in "s": the longer suffix is tried first, and a body must be a number.
            guard let n = Double(body), n >= 0, n * scale < 1e18 else { continue }
            return Int64(n * scale)
        }
        return nil
    }

    /// RFC 3339 ("2026-11-23T10:00:00Z", "...T10:00:00.5+01:00") or a number of milliseconds
    /// since the epoch.
    static func instant(_ value: JSONValue) -> Instant? {
        if case .number(let n) = value { return Instant(millisSinceEpoch: Int64(n)) }
        guard case .string(let text) = value else { return nil }
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for c in b[from..<(from + count)] {
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
              b[10] == 84 || b[10] == 116 || b[10] == 32, let h = num(11, 2), b[13] == 58, let mi = num(14, 2),
              b[16] == 58, let s = num(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { return nil }
        var i = 19
        var nanos = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int(b[i] - 48); digits += 1 }
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanos *= 10 }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45, let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 58, let om = num(i + 4, 2) {
            offset = (oh * 60 + om) * 60 * (b[i] == 45 ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = Int64(days) * 86_400 + Int64(h * 3600 + mi * 60 + s) - Int64(offset)
        return Instant(nanosSinceEpoch: seconds * 1_000_000_000 + Int64(nanos))
    }
}
