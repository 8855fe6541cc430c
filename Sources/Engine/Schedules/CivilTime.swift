import CivilDate

/// A wall-clock date and time with no zone: what a clock on the wall in some zone shows.
/// Ordering is by the fields, year first.
public struct LocalDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    /// 1...12
    public var month: Int
    /// 1...31
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The same wall-clock reading taken as UTC, in seconds since the Unix epoch: the
    /// "local seconds" that zone arithmetic works in.
    var localSeconds: Int {
        Civil.days(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second
    }

    init(localSeconds: Int) {
        let days = Civil.floorDiv(localSeconds, 86_400)
        let secondOfDay = localSeconds - days * 86_400
        let (y, m, d) = Civil.date(days: days)
        self.init(year: y, month: m, day: d, hour: secondOfDay / 3_600, minute: secondOfDay % 3_600 / 60,
                  second: secondOfDay % 60)
    }

    public static func < (a: LocalDateTime, b: LocalDateTime) -> Bool {
        (a.year, a.month, a.day, a.hour, a.minute, a.second) < (b.year, b.month, b.day, b.hour, b.minute, b.second)
    }

    /// "2026-03-08T02:30:00"
    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let digits = String(n.magnitude)
            return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
    }
}

/// Instants at second granularity, the unit zone data is in.
extension Instant {
    /// Whole seconds since the epoch, rounded down (so -0.5s is -1).
    var epochSeconds: Int { Civil.floorDiv(Int(nanosSinceEpoch), 1_000_000_000) }

    /// nil when the second is outside what `Instant` can hold (1677...2262).
    init?(epochSeconds seconds: Int) {
        let (nanos, overflow) = Int64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        self.init(nanosSinceEpoch: nanos)
    }
}
