import CivilDate

/// The POSIX TZ string a TZif footer carries ("CET-1CEST,M3.5.0,M10.5.0/3"): the rule for
/// instants after the file's last transition. RFC 8536 section 3.3 with its extensions:
/// rule times from -167 to 167 hours, and DST all year round.
struct PosixTZ: Sendable, Hashable {
    /// Which day of a year a DST boundary falls on.
    enum Day: Sendable, Hashable {
        /// `Jn`: 1...365, February 29 never counted.
        case julian(Int)
        /// `n`: 0...365, February 29 counted in leap years.
        case zeroBased(Int)
        /// `Mm.w.d`: weekday d (0 = Sunday) of week w (5 = the last) of month m.
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    /// A DST boundary: a day and a local time of day (seconds, may run past 24 hours or below 0).
    struct Boundary: Sendable, Hashable {
        var day: Day
        var timeSeconds: Int
    }

    struct DST: Sendable, Hashable {
        /// Seconds east of UTC while DST is in effect.
        var offsetSeconds: Int
        var start: Boundary
        var end: Boundary
    }

    /// Seconds east of UTC of standard time (POSIX writes it west, so "CET-1" is +3600).
    var stdOffsetSeconds: Int
    var dst: DST?

    /// One change of offset at `at` (seconds since the epoch) to `offsetSeconds`.
    struct Change: Sendable, Hashable {
        var at: Int
        var offsetSeconds: Int
    }

    /// The offset in effect at `second` (seconds since the epoch).
    func offsetSeconds(at second: Int) -> Int {
        guard let dst else { return stdOffsetSeconds }
        let year = LocalDateTime(localSeconds: second).year
        let changes = self.changes(years: (year - 1)...(year + 1))
        // A year holds a start and an end, so the window always has a change before `second`.
        guard let last = changes.last(where: { $0.at <= second }) else {
            return changes.first?.offsetSeconds == dst.offsetSeconds ? stdOffsetSeconds : dst.offsetSeconds
        }
        return last.offsetSeconds
    }

    /// The changes in those years, ascending, at most one per instant. When one year's end
    /// meets the next year's start (DST all year) the two cancel out and neither is listed.
    func changes(years: ClosedRange<Int>) -> [Change] {
        guard let dst else { return [] }
        // (at, order, offset): at equal instants the end (to standard time) goes first, so a
        // start at the same instant wins.
        var events: [(at: Int, order: Int, offset: Int)] = []
        for year in years {
            events.append((instant(of: dst.end, year: year, offsetBefore: dst.offsetSeconds), 0, stdOffsetSeconds))
            events.append((instant(of: dst.start, year: year, offsetBefore: stdOffsetSeconds), 1, dst.offsetSeconds))
        }
        events.sort { ($0.at, $0.order) < ($1.at, $1.order) }
        var out: [Change] = []
        for (i, e) in events.enumerated() where i + 1 == events.count || events[i + 1].at != e.at {
            let before = out.last?.offsetSeconds ?? (e.offset == stdOffsetSeconds ? dst.offsetSeconds : stdOffsetSeconds)
            if e.offset != before { out.append(Change(at: e.at, offsetSeconds: e.offset)) }
        }
        return out
    }

    private func instant(of boundary: Boundary, year: Int, offsetBefore: Int) -> Int {
        let day: Int
        let jan1 = Civil.days(year: year, month: 1, day: 1)
        switch boundary.day {
        case .julian(let n): day = jan1 + n - 1 + (Civil.isLeap(year) && n >= 60 ? 1 : 0)
        case .zeroBased(let n): day = jan1 + n
        case let .monthWeekDay(month, week, weekday):
            let first = Civil.days(year: year, month: month, day: 1)
            var dayOfMonth = 1 + (weekday - Civil.weekday(days: first) + 7) % 7 + (week - 1) * 7
            while dayOfMonth > Civil.daysInMonth(year: year, month: month) { dayOfMonth -= 7 }
            day = first + dayOfMonth - 1
        }
        return day * 86_400 + boundary.timeSeconds - offsetBefore
    }
}

extension PosixTZ {
    /// Parses a TZ string; the error says what is wrong and where.
    init(parsing text: String) throws(ScheduleError) {
        var p = Parser(bytes: Array(text.utf8), text: text)
        try p.name()
        stdOffsetSeconds = -(try p.offset(maxHours: 24))
        if p.atEnd {
            dst = nil
            return
        }
        try p.name()
        var dstOffset = stdOffsetSeconds + 3_600
        if let c = p.peek, c != UInt8(ascii: ","), c != UInt8(ascii: ";") {
            dstOffset = -(try p.offset(maxHours: 24))
        }
        try p.expect(",")
        let start = try p.boundary()
        try p.expect(",")
        let end = try p.boundary()
        guard p.atEnd else { throw p.fail("unexpected text after the DST rule") }
        dst = DST(offsetSeconds: dstOffset, start: start, end: end)
    }

    private struct Parser {
        let bytes: [UInt8]
        let text: String
        var pos = 0

        var atEnd: Bool { pos == bytes.count }
        var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

        func fail(_ why: String) -> ScheduleError {
            ScheduleError(.malformedZoneFile, "zone rule \"\(text)\": \(why) at offset \(pos)")
        }

        mutating func expect(_ c: Unicode.Scalar) throws(ScheduleError) {
            guard peek == UInt8(ascii: c) else { throw fail("expected \"\(c)\"") }
            pos += 1
        }

        /// An abbreviation: three or more letters, or anything in <...> ("<+0545>").
        mutating func name() throws(ScheduleError) {
            let start = pos
            if peek == UInt8(ascii: "<") {
                pos += 1
                while let c = peek, c != UInt8(ascii: ">") {
                    guard isAlnum(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") else { throw fail("bad character in <name>") }
                    pos += 1
                }
                try expect(">")
                guard pos - start >= 5 else { throw fail("zone abbreviation shorter than 3 characters") }
            } else {
                while let c = peek, isAlpha(c) { pos += 1 }
                guard pos - start >= 3 else { throw fail("zone abbreviation shorter than 3 letters") }
            }
        }

        /// `[+-]hh[:mm[:ss]]` in seconds, as written (POSIX offsets are west-positive).
        mutating func offset(maxHours: Int) throws(ScheduleError) -> Int {
            var sign = 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") {
                sign = peek == UInt8(ascii: "-") ? -1 : 1
                pos += 1
            }
            let hours = try number(maxDigits: 3, max: maxHours)
            var seconds = hours * 3_600
            if peek == UInt8(ascii: ":") {
                pos += 1
                seconds += try number(maxDigits: 2, max: 59) * 60
                if peek == UInt8(ascii: ":") {
                    pos += 1
                    seconds += try number(maxDigits: 2, max: 59)
                }
            }
            return sign * seconds
        }

        /// `date[/time]`, the time 02:00:00 when absent.
        mutating func boundary() throws(ScheduleError) -> Boundary {
            let day: Day
            switch peek {
            case UInt8(ascii: "J"):
                pos += 1
                day = .julian(try number(maxDigits: 3, min: 1, max: 365))
            case UInt8(ascii: "M"):
                pos += 1
                let month = try number(maxDigits: 2, min: 1, max: 12)
                try expect(".")
                let week = try number(maxDigits: 1, min: 1, max: 5)
                try expect(".")
                day = .monthWeekDay(month: month, week: week, weekday: try number(maxDigits: 1, max: 6))
            default:
                day = .zeroBased(try number(maxDigits: 3, max: 365))
            }
            var time = 7_200
            if peek == UInt8(ascii: "/") {
                pos += 1
                time = try offset(maxHours: 167)
            }
            return Boundary(day: day, timeSeconds: time)
        }

        mutating func number(maxDigits: Int, min: Int = 0, max: Int) throws(ScheduleError) -> Int {
            let start = pos
            var value = 0
            while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9"), pos - start < maxDigits {
                value = value * 10 + Int(c - UInt8(ascii: "0"))
                pos += 1
            }
            guard pos > start else { throw fail("expected a number") }
            guard (min...max).contains(value) else { throw fail("\(value) is out of range \(min)-\(max)") }
            return value
        }

        private func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") }
        private func isAlnum(_ c: UInt8) -> Bool { isAlpha(c) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) }
    }
}
