/// A 5-field cron expression: minute, hour, day of month, month, day of week.
///
/// Each field is `*`, a value, a range `1-5`, a step over either (`*/15`, `10-50/10`; `5/15`
/// means `5-max/15`), or a comma list of those. Months take JAN-DEC and days SUN-SAT, any case;
/// day of week 7 is Sunday as well as 0. The macros are @yearly (@annually), @monthly,
/// @weekly, @daily (@midnight) and @hourly.
///
/// The day rule is standard cron's: when day of month and day of week are both restricted, a
/// day matches when either does. A field counts as unrestricted only when it is exactly `*`
/// (`*/2` is a restriction; Vixie cron would treat it as unrestricted).
public struct CronExpression: Sendable, Hashable {
    /// Bit n is set when value n matches.
    let minutes: UInt64       // 0...59
    let hours: UInt64         // 0...23
    let daysOfMonth: UInt64   // 1...31
    let months: UInt64        // 1...12
    let daysOfWeek: UInt64    // 0...6, Sunday = 0 (7 is folded into 0)
    /// False when the field is `*`: the day rule above.
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// Longer input is refused before it is looked at.
    static let maxLength = 1_024

    public init(parsing text: String) throws(ScheduleError) {
        guard text.utf8.count <= Self.maxLength else {
            throw ScheduleError(.invalidExpression, "cron expression longer than \(Self.maxLength) characters")
        }
        var trimmed = text.trimmingWhitespace()
        if trimmed.hasPrefix("@") {
            guard let expanded = Self.macros[trimmed.lowercased()] else {
                throw ScheduleError(.invalidExpression, "unknown cron macro \"\(trimmed)\" (expected @yearly, @annually, "
                                    + "@monthly, @weekly, @daily, @midnight or @hourly)")
            }
            trimmed = expanded[...]
        }
        let parts = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 5 else {
            throw ScheduleError(.invalidExpression, parts.isEmpty ? "empty cron expression"
                                : "expected 5 fields (minute hour day-of-month month day-of-week), found \(parts.count)")
        }
        minutes = try Field.minute.parse(parts[0])
        hours = try Field.hour.parse(parts[1])
        daysOfMonth = try Field.dayOfMonth.parse(parts[2])
        months = try Field.month.parse(parts[3])
        daysOfWeek = try Field.dayOfWeek.parse(parts[4])
        dayOfMonthRestricted = parts[2] != "*"
        dayOfWeekRestricted = parts[4] != "*"
    }

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// Whether a day with this day of month (1...31) and weekday (0 = Sunday) matches.
    func dayMatches(dayOfMonth: Int, weekday: Int) -> Bool {
        let domMatches = daysOfMonth.contains(dayOfMonth), dowMatches = daysOfWeek.contains(weekday)
        // An unrestricted field has every bit set, so AND leaves the other field deciding.
        return dayOfMonthRestricted && dayOfWeekRestricted ? domMatches || dowMatches : domMatches && dowMatches
    }
}

/// One of the five fields: its position, name, bounds and value names.
private struct Field {
    var number: Int
    var name: String
    var min: Int
    var max: Int
    /// Names for min, min + 1, ... (upper case).
    var valueNames: [String] = []

    static let minute = Field(number: 1, name: "minute", min: 0, max: 59)
    static let hour = Field(number: 2, name: "hour", min: 0, max: 23)
    static let dayOfMonth = Field(number: 3, name: "day-of-month", min: 1, max: 31)
    static let month = Field(number: 4, name: "month", min: 1, max: 12,
                             valueNames: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])
    /// 7 is Sunday too; `parse` folds it into 0.
    static let dayOfWeek = Field(number: 5, name: "day-of-week", min: 0, max: 7,
                                 valueNames: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])

    func fail(_ why: String) -> ScheduleError {
        ScheduleError(.invalidExpression, "field \(number) (\(name)): \(why)")
    }

    /// A comma list of items, each `*`, `v`, or `a-b`, optionally `/step`.
    func parse(_ text: Substring) throws(ScheduleError) -> UInt64 {
        var bits: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw fail("empty item in the list \"\(text)\"") }
            let slash = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            let range = slash[0]
            var step = 1
            if slash.count == 2 {
                guard (1...4).contains(slash[1].count), slash[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                      let s = Int(slash[1]), s >= 1 else {
                    throw fail("step \"\(slash[1])\" is not a positive number")
                }
                step = s
            }
            var low = min, high = max
            if range != "*" {
                let ends = range.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
                low = try value(ends[0])
                high = ends.count == 2 ? try value(ends[1]) : (slash.count == 2 ? max : low)
                guard low <= high else { throw fail("range \(range) runs backwards") }
            }
            for v in stride(from: low, through: high, by: step) {
                bits |= 1 << UInt64(number == 5 && v == 7 ? 0 : v)
            }
        }
        return bits
    }

    private func value(_ text: Substring) throws(ScheduleError) -> Int {
        if let i = valueNames.firstIndex(of: text.uppercased()) { return min + i }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw fail(valueNames.isEmpty ? "\"\(text)\" is not a number"
                       : "\"\(text)\" is not a number or a name (\(valueNames[0])-\(valueNames[valueNames.count - 1]))")
        }
        guard text.count <= 4, let v = Int(text), (min...max).contains(v) else { throw fail("\(text) is out of range \(min)-\(max)") }
        return v
    }
}

extension UInt64 {
    func contains(_ n: Int) -> Bool { n >= 0 && n < 64 && self & (1 << UInt64(n)) != 0 }

    /// The nearest set bit at or above `n` (`upward`) or at or below it; nil when none.
    func nearestMember(from n: Int, upward: Bool) -> Int? {
        if upward {
            guard n < 64 else { return nil }
            let rest = self & (UInt64.max << UInt64(Swift.max(n, 0)))
            return rest == 0 ? nil : rest.trailingZeroBitCount
        }
        guard n >= 0 else { return nil }
        let rest = n >= 63 ? self : self & ((1 << UInt64(n + 1)) - 1)
        return rest == 0 ? nil : 63 - rest.leadingZeroBitCount
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line ends.
    fileprivate func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        var s = self[...]
        while let c = s.first, isSpace(c) { s.removeFirst() }
        while let c = s.last, isSpace(c) { s.removeLast() }
        return s
    }
}
