import Testing
@testable import Engine

/// The values a field's bits hold, ascending.
private func members(_ bits: UInt64) -> [Int] { (0..<64).filter { bits.contains($0) } }

private func cron(_ text: String) throws -> CronExpression { try CronExpression(parsing: text) }

private func zone(_ name: String) throws -> ZoneInfo { try ZoneInfo.load(name) }

private func nanos(_ instant: Instant, plus delta: Int64) -> Instant {
    Instant(nanosSinceEpoch: instant.nanosSinceEpoch + delta)
}

/// Parsing, fire times in zones, and catch-up after downtime.
enum CronTests {}

extension CronTests {
    @Suite struct Parsing {
        @Test func everyForm() throws {
            let all = try cron("* * * * *")
            #expect(members(all.minutes) == Array(0...59) && members(all.hours) == Array(0...23))
            #expect(members(all.daysOfMonth) == Array(1...31) && members(all.months) == Array(1...12))
            #expect(members(all.daysOfWeek) == Array(0...6))
            #expect(!all.dayOfMonthRestricted && !all.dayOfWeekRestricted)

            #expect(members(try cron("1,2,5 * * * *").minutes) == [1, 2, 5])
            #expect(members(try cron("1-5 * * * *").minutes) == [1, 2, 3, 4, 5])
            #expect(members(try cron("*/15 * * * *").minutes) == [0, 15, 30, 45])
            #expect(members(try cron("10-50/10 * * * *").minutes) == [10, 20, 30, 40, 50])
            #expect(members(try cron("5/15 * * * *").minutes) == [5, 20, 35, 50])
            #expect(members(try cron("0-4,30,*/20 * * * *").minutes) == [0, 1, 2, 3, 4, 20, 30, 40])
            #expect(members(try cron("* */6 * * *").hours) == [0, 6, 12, 18])
            #expect(members(try cron("* * 1-31/10 * *").daysOfMonth) == [1, 11, 21, 31])
            #expect(members(try cron("* * * jan-MAR,Dec *").months) == [1, 2, 3, 12])
            #expect(members(try cron("* * * */5 *").months) == [1, 6, 11])
            #expect(members(try cron("* * * * mon-fri").daysOfWeek) == [1, 2, 3, 4, 5])
            #expect(members(try cron("* * * * SUN,sat").daysOfWeek) == [0, 6])
            #expect(members(try cron("* * * * 7").daysOfWeek) == [0])
            #expect(members(try cron("* * * * 5-7").daysOfWeek) == [0, 5, 6])
            #expect(members(try cron("* * * * */2").daysOfWeek) == [0, 2, 4, 6])
            #expect(try cron("0 0 * * 7") == cron("0 0 * * 0"))
            #expect(try cron("  0\t0   * *  *\n") == cron("0 0 * * *"))
        }

        @Test func onlyAPlainStarLeavesTheDayRuleUnrestricted() throws {
            let a = try cron("0 0 13 * FRI")
            #expect(a.dayOfMonthRestricted && a.dayOfWeekRestricted)
            let b = try cron("0 0 */2 * *")
            #expect(b.dayOfMonthRestricted && !b.dayOfWeekRestricted)
            let c = try cron("0 0 * * 1-5")
            #expect(!c.dayOfMonthRestricted && c.dayOfWeekRestricted)
        }

        @Test(arguments: [
            ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"), ("@weekly", "0 0 * * 0"),
            ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@hourly", "0 * * * *"), (" @HOURLY ", "0 * * * *"),
        ])
        func macros(macro: String, fields: String) throws {
            #expect(try cron(macro) == cron(fields))
        }

        @Test(arguments: [
            ("", "empty cron expression"),
            ("   ", "empty cron expression"),
            ("* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 4"),
            ("* * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 6"),
            ("60 * * * *", "field 1 (minute): 60 is out of range 0-59"),
            ("0 24 * * *", "field 2 (hour): 24 is out of range 0-23"),
            ("* * 0 * *", "field 3 (day-of-month): 0 is out of range 1-31"),
            ("* * 32 * *", "field 3 (day-of-month): 32 is out of range 1-31"),
            ("* * * 13 *", "field 4 (month): 13 is out of range 1-12"),
            ("* * * * 8", "field 5 (day-of-week): 8 is out of range 0-7"),
            ("99999999999999999999 * * * *", "field 1 (minute): 99999999999999999999 is out of range 0-59"),
            ("* 1-30 * * *", "field 2 (hour): 30 is out of range 0-23"),
            ("* * * FOO *", #"field 4 (month): "FOO" is not a number or a name (JAN-DEC)"#),
            ("* * * * JAN", #"field 5 (day-of-week): "JAN" is not a number or a name (SUN-SAT)"#),
            ("* * * * MONDAY", #"field 5 (day-of-week): "MONDAY" is not a number or a name (SUN-SAT)"#),
            ("MON * * * *", #"field 1 (minute): "MON" is not a number"#),
            ("-5 * * * *", #"field 1 (minute): "" is not a number"#),
            ("1-2-3 * * * *", #"field 1 (minute): "2-3" is not a number"#),
            ("*/0 * * * *", #"field 1 (minute): step "0" is not a positive number"#),
            ("*/ * * * *", #"field 1 (minute): step "" is not a positive number"#),
            ("*/+5 * * * *", #"field 1 (minute): step "+5" is not a positive number"#),
            ("*/1/2 * * * *", #"field 1 (minute): step "1/2" is not a positive number"#),
            ("50-10 * * * *", "field 1 (minute): range 50-10 runs backwards"),
            ("* * * * FRI-MON", "field 5 (day-of-week): range FRI-MON runs backwards"),
            ("1,,2 * * * *", #"field 1 (minute): empty item in the list "1,,2""#),
            ("1, * * * *", #"field 1 (minute): empty item in the list "1,""#),
            ("@reboot", #"unknown cron macro "@reboot" (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)"#),
            ("@daily 0", #"unknown cron macro "@daily 0" (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)"#),
            (String(repeating: "*", count: 1_025), "cron expression longer than 1024 characters"),
        ])
        func preciseErrors(text: String, message: String) {
            #expect(throws: ScheduleError(.invalidExpression, message)) { try CronExpression(parsing: text) }
        }
    }
}
