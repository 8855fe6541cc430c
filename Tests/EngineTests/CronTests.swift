import Testing
import CivilDate
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

extension CronTests {
    @Suite struct Next {
        func next(_ expression: String, after: Instant, in zone: ZoneInfo = .utc) throws -> Instant? {
            try cron(expression).next(after: after, in: zone)
        }

        @Test func strictlyAfter() throws {
            #expect(try next("0 12 * * *", after: utc(2026, 5, 1, 12)) == utc(2026, 5, 2, 12))
            #expect(try next("0 12 * * *", after: nanos(utc(2026, 5, 1, 12), plus: -1)) == utc(2026, 5, 1, 12))
            #expect(try next("0 12 * * *", after: nanos(utc(2026, 5, 1, 12), plus: 1)) == utc(2026, 5, 2, 12))
            #expect(try next("* * * * *", after: utc(2026, 5, 1, 12, 0, 30)) == utc(2026, 5, 1, 12, 1))
            #expect(try next("* * * * *", after: Instant(nanosSinceEpoch: -1)) == utc(1970, 1, 1))
        }

        @Test func monthAndYearEnds() throws {
            #expect(try next("0 0 1 * *", after: utc(2026, 1, 31, 12)) == utc(2026, 2, 1))
            #expect(try next("0 0 31 * *", after: utc(2026, 2, 1)) == utc(2026, 3, 31))
            #expect(try next("0 0 31 * *", after: utc(2026, 3, 31)) == utc(2026, 5, 31))  // April has no 31st
            #expect(try next("59 23 31 12 *", after: utc(2026, 12, 31, 23, 59)) == utc(2027, 12, 31, 23, 59))
            #expect(try next("0 0 * * *", after: utc(2026, 12, 31, 23, 59, 59)) == utc(2027, 1, 1))
            #expect(try next("15 10 * 2 *", after: utc(2026, 2, 28, 10, 15)) == utc(2027, 2, 1, 10, 15))
        }

        @Test func leapYears() throws {
            #expect(try next("0 0 29 2 *", after: utc(2026, 1, 1)) == utc(2028, 2, 29))
            #expect(try next("0 0 29 2 *", after: utc(2024, 2, 29)) == utc(2028, 2, 29))
            // 2100 is not a leap year: eight years from 2096 to 2104.
            #expect(try next("0 0 29 2 *", after: utc(2096, 3, 1)) == utc(2104, 2, 29))
            #expect(try next("0 0 28-29 2 *", after: utc(2100, 2, 28)) == utc(2101, 2, 28))
        }

        @Test func nothingEverMatches() throws {
            #expect(try next("0 0 30 2 *", after: utc(2026, 1, 1)) == nil)
            #expect(try next("0 0 31 4,6,9,11 *", after: utc(2026, 1, 1)) == nil)
            #expect(try next("@yearly", after: utc(2262, 1, 1)) == nil)  // 2263 is past Instant's end
            #expect(try next("0 0 * * *", after: utc(2262, 4, 11)) == nil)  // Instant ends 2262-04-11T23:47:16Z
        }

        @Test func dayOfMonthOrDayOfWeek() throws {
            // 2026-01-01 is a Thursday. The 13th of any month, or any Friday.
            let friday13 = try cron("0 0 13 * FRI")
            #expect(friday13.fireTimes(after: utc(2026, 1, 1), through: utc(2026, 1, 31), in: .utc, limit: 10)
                == [utc(2026, 1, 2), utc(2026, 1, 9), utc(2026, 1, 13), utc(2026, 1, 16), utc(2026, 1, 23), utc(2026, 1, 30)])
            // Only one restricted: that one decides.
            #expect(try next("0 0 * * MON", after: utc(2026, 1, 1)) == utc(2026, 1, 5))
            #expect(try next("0 0 13 * *", after: utc(2026, 1, 1)) == utc(2026, 1, 13))
            // A stepped day of month is a restriction: days 1, 11, 21, 31 or any Monday.
            #expect(try cron("0 0 */10 * MON").fireTimes(after: utc(2026, 1, 1), through: utc(2026, 1, 20), in: .utc, limit: 10)
                == [utc(2026, 1, 5), utc(2026, 1, 11), utc(2026, 1, 12), utc(2026, 1, 19)])
            // The OR rule lets February 30 fire on Sundays.
            #expect(try next("0 0 30 2 SUN", after: utc(2026, 1, 1)) == utc(2026, 2, 1))
        }

        @Test func macrosFire() throws {
            #expect(try next("@hourly", after: utc(2026, 5, 1, 10, 30)) == utc(2026, 5, 1, 11))
            #expect(try next("@daily", after: utc(2026, 5, 1, 10, 30)) == utc(2026, 5, 2))
            #expect(try next("@weekly", after: utc(2026, 5, 1, 10, 30)) == utc(2026, 5, 3))  // a Sunday
            #expect(try next("@monthly", after: utc(2026, 5, 1)) == utc(2026, 6, 1))
            #expect(try next("@yearly", after: utc(2026, 6, 15)) == utc(2027, 1, 1))
        }

        @Test func fireTimesStopAtThroughAndLimit() throws {
            let quarter = try cron("*/15 * * * *")
            #expect(quarter.fireTimes(after: utc(2026, 1, 1), through: utc(2026, 1, 1, 1), in: .utc, limit: 10)
                == [utc(2026, 1, 1, 0, 15), utc(2026, 1, 1, 0, 30), utc(2026, 1, 1, 0, 45), utc(2026, 1, 1, 1)])
            #expect(quarter.fireTimes(after: utc(2026, 1, 1), through: utc(2026, 1, 2), in: .utc, limit: 2).count == 2)
            #expect(quarter.fireTimes(after: utc(2026, 1, 1), through: utc(2026, 1, 2), in: .utc, limit: 0).isEmpty)
            #expect(quarter.fireTimes(after: utc(2026, 1, 1), through: utc(2025, 1, 1), in: .utc, limit: 5).isEmpty)
            #expect(try cron("0 0 30 2 *").fireTimes(after: utc(2026, 1, 1), through: utc(2040, 1, 1), in: .utc, limit: 5).isEmpty)
        }

        @Test func previousMirrorsNext() throws {
            let hourly = try cron("0 * * * *")
            #expect(hourly.previous(atOrBefore: utc(2026, 5, 1, 10), in: .utc) == utc(2026, 5, 1, 10))
            #expect(hourly.previous(atOrBefore: nanos(utc(2026, 5, 1, 10), plus: -1), in: .utc) == utc(2026, 5, 1, 9))
            #expect(try cron("0 0 29 2 *").previous(atOrBefore: utc(2104, 2, 28), in: .utc) == utc(2096, 2, 29))
            #expect(try cron("0 0 1 1 *").previous(atOrBefore: utc(2026, 1, 1), in: .utc) == utc(2026, 1, 1))
            #expect(try cron("0 0 30 2 *").previous(atOrBefore: utc(2026, 1, 1), in: .utc) == nil)
        }
    }
}

extension CronTests {
    @Suite struct Zones {
        @Test func newYorkSpringForwardFiresOnceAtThreeAM() throws {
            let ny = try zone("America/New_York")
            // 2026-03-08 02:30 does not exist in New York: it fires at 03:00 EDT (07:00 UTC).
            #expect(try cron("30 2 * * *").fireTimes(after: utc(2026, 3, 7), through: utc(2026, 3, 10), in: ny, limit: 10)
                == [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7), utc(2026, 3, 9, 6, 30)])
            #expect(ny.localDateTime(at: utc(2026, 3, 8, 7)) == local(2026, 3, 8, 3, 0))
            // Every minute of the gap that matches collapses into one fire, shared with 03:00 itself.
            #expect(try cron("*/15 2,3 * * *").fireTimes(after: utc(2026, 3, 8, 6), through: utc(2026, 3, 8, 8), in: ny, limit: 10)
                == [utc(2026, 3, 8, 7), utc(2026, 3, 8, 7, 15), utc(2026, 3, 8, 7, 30), utc(2026, 3, 8, 7, 45)])
            #expect(try cron("0 2 * * *").next(after: utc(2026, 3, 8, 7), in: ny) == utc(2026, 3, 9, 6))
        }

        @Test func newYorkFallBackFiresOnceAtTheFirstOccurrence() throws {
            let ny = try zone("America/New_York")
            // 2026-11-01 01:30 happens at 05:30 UTC (EDT) and 06:30 UTC (EST): it fires at the first.
            let half = try cron("30 1 * * *")
            #expect(half.fireTimes(after: utc(2026, 10, 31, 12), through: utc(2026, 11, 2, 12), in: ny, limit: 10)
                == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)])
            // From inside the second pass, the next is tomorrow's.
            #expect(half.next(after: utc(2026, 11, 1, 6), in: ny) == utc(2026, 11, 2, 6, 30))
            #expect(try cron("*/30 * * * *").fireTimes(after: utc(2026, 11, 1, 4), through: utc(2026, 11, 1, 8), in: ny, limit: 20)
                == [utc(2026, 11, 1, 4, 30), utc(2026, 11, 1, 5), utc(2026, 11, 1, 5, 30),
                    utc(2026, 11, 1, 7), utc(2026, 11, 1, 7, 30), utc(2026, 11, 1, 8)])
            // The latest fire at 01:10 EST (second pass) is 01:45 EDT, not 01:00.
            #expect(try cron("*/15 * * * *").previous(atOrBefore: utc(2026, 11, 1, 6, 10), in: ny) == utc(2026, 11, 1, 5, 45))
            #expect(half.previous(atOrBefore: utc(2026, 11, 1, 6, 40), in: ny) == utc(2026, 11, 1, 5, 30))
        }

        @Test func parisSummerAndWinterAndItsGap() throws {
            let paris = try zone("Europe/Paris")
            let nine = try cron("0 9 * * *")
            #expect(nine.next(after: utc(2026, 7, 1), in: paris) == utc(2026, 7, 1, 7))
            #expect(nine.next(after: utc(2026, 1, 1), in: paris) == utc(2026, 1, 1, 8))
            #expect(try cron("30 2 29 3 *").next(after: utc(2026, 1, 1), in: paris) == utc(2026, 3, 29, 1))
            #expect(try cron("30 2 25 10 *").fireTimes(after: utc(2026, 10, 24), through: utc(2026, 10, 26), in: paris, limit: 5)
                == [utc(2026, 10, 25, 0, 30)])
        }

        @Test func oddOffsets() throws {
            let kathmandu = try zone("Asia/Kathmandu")
            #expect(try cron("@daily").next(after: utc(2026, 6, 1), in: kathmandu) == utc(2026, 6, 1, 18, 15))
            let lordHowe = try zone("Australia/Lord_Howe")
            // 2026-10-04 02:00 jumps to 02:30 (+10:30 to +11): 02:00 and 02:15 fire once, at 02:30.
            #expect(try cron("0,15,30 2 4 10 *").fireTimes(after: utc(2026, 10, 1), through: utc(2026, 10, 5), in: lordHowe, limit: 5)
                == [utc(2026, 10, 3, 15, 30)])
            // 2026-04-05 02:00 goes back to 01:30: 01:45 fires once, at +11.
            #expect(try cron("45 1 5 4 *").fireTimes(after: utc(2026, 4, 1), through: utc(2026, 4, 6), in: lordHowe, limit: 5)
                == [utc(2026, 4, 4, 14, 45)])
        }

        @Test func farFutureUsesTheFooterRule() throws {
            let ny = try zone("America/New_York")
            // 2060-03-14 is the second Sunday of March; no explicit transition exists that late.
            #expect(try cron("30 2 * * *").fireTimes(after: utc(2060, 3, 13), through: utc(2060, 3, 16), in: ny, limit: 5)
                == [utc(2060, 3, 13, 7, 30), utc(2060, 3, 14, 7), utc(2060, 3, 15, 6, 30)])
            let paris = try zone("Europe/Paris")
            #expect(try cron("0 12 1 7 *").next(after: utc(2060, 1, 1), in: paris) == utc(2060, 7, 1, 10))
        }

        /// Every minute of the wall clock that matches, fired the first time the clock reads it
        /// or later: the definition, walked instant by instant.
        static func bruteForce(_ expression: CronExpression, in zone: ZoneInfo, from: Instant, minutes: Int) -> [Instant] {
            func matches(_ l: LocalDateTime) -> Bool {
                let days = Civil.days(year: l.year, month: l.month, day: l.day)
                return expression.minutes.contains(l.minute) && expression.hours.contains(l.hour) && expression.months.contains(l.month)
                    && expression.dayMatches(dayOfMonth: l.day, weekday: Civil.weekday(days: days))
            }
            var fires: [Instant] = []
            var highest = zone.localDateTime(at: from).localSeconds  // the wall clock's peak so far
            let firstMinute = Civil.floorDiv(from.epochSeconds, 60) * 60  // the offsets here are whole minutes
            for i in 1...minutes {
                let t = Instant(epochSeconds: firstMinute + i * 60)!
                let wall = zone.localDateTime(at: t).localSeconds
                // Readings first reached at t: every whole minute in (highest, wall].
                var reading = (highest / 60 + 1) * 60
                var fired = false
                while reading <= wall {
                    if !fired, matches(LocalDateTime(localSeconds: reading)) { fires.append(t); fired = true }
                    reading += 60
                }
                highest = max(highest, wall)
            }
            return fires
        }

        @Test(arguments: ["America/New_York", "Europe/Paris", "Australia/Lord_Howe", "Europe/Dublin", "America/Santiago"])
        func agreesWithTheDefinitionAroundEveryTransitionOf2026And2060(name: String) throws {
            let zone = try zone(name)
            let expressions = try ["*/20 * * * *", "30 1,2 * * *", "0 0 * * *", "15 23 * * SAT", "0,30 0-3 1-7 * SUN"].map(cron)
            let changes = zone.changes(from: utc(2026, 1, 1).epochSeconds, through: utc(2027, 1, 1).epochSeconds)
                + zone.changes(from: utc(2060, 1, 1).epochSeconds, through: utc(2061, 1, 1).epochSeconds)
            #expect(changes.count >= 4)
            for change in changes {
                let from = Instant(epochSeconds: change.at - 86_400 - 7)!
                for expression in expressions {
                    let expected = Self.bruteForce(expression, in: zone, from: from, minutes: 3 * 1_440)
                    let got = expression.fireTimes(after: from, through: Instant(epochSeconds: from.epochSeconds + 3 * 86_400)!,
                                                   in: zone, limit: 1_000)
                    #expect(got == expected, "\(name) around @\(change.at)")
                    // previous() finds each fire time from it and from just before the next one.
                    for (i, fire) in expected.enumerated() {
                        #expect(expression.previous(atOrBefore: fire, in: zone) == fire)
                        if i + 1 < expected.count {
                            #expect(expression.previous(atOrBefore: nanos(expected[i + 1], plus: -1), in: zone) == fire)
                        }
                    }
                }
            }
        }
    }
}

extension CronTests {
    @Suite struct CatchUp {
        static let hourly = try! CronExpression(parsing: "0 * * * *")

        func plan(_ policy: CatchUpPolicy, last: Instant, now: Instant, _ expression: CronExpression = hourly,
                  in zone: ZoneInfo = .utc) -> CatchUpPlan {
            CatchUpPlan(expression: expression, zone: zone, lastFire: last, now: now, policy: policy)
        }

        @Test func threeMissedHours() {
            let last = utc(2026, 5, 1, 10), now = utc(2026, 5, 1, 13, 30)
            #expect(plan(.skip, last: last, now: now) == CatchUpPlan(runNow: [], nextFire: utc(2026, 5, 1, 14)))
            #expect(plan(.latest, last: last, now: now) == CatchUpPlan(runNow: [utc(2026, 5, 1, 13)], nextFire: utc(2026, 5, 1, 14)))
            #expect(plan(.all, last: last, now: now)
                == CatchUpPlan(runNow: [utc(2026, 5, 1, 11), utc(2026, 5, 1, 12), utc(2026, 5, 1, 13)], nextFire: utc(2026, 5, 1, 14)))
        }

        @Test func aFireTimeEqualToNowIsDueNow() {
            let p = plan(.all, last: utc(2026, 5, 1, 10), now: utc(2026, 5, 1, 12))
            #expect(p == CatchUpPlan(runNow: [utc(2026, 5, 1, 11), utc(2026, 5, 1, 12)], nextFire: utc(2026, 5, 1, 13)))
        }

        @Test func nothingMissed() {
            for policy in CatchUpPolicy.allCases {
                #expect(plan(policy, last: utc(2026, 5, 1, 10), now: utc(2026, 5, 1, 10, 59)) == CatchUpPlan(runNow: [], nextFire: utc(2026, 5, 1, 11)))
            }
        }

        @Test func allIsCappedAtTheLatestHundred() throws {
            let everyMinute = try cron("* * * * *")
            let now = utc(2026, 5, 2)
            let p = plan(.all, last: utc(2026, 5, 1), now: now, everyMinute)
            #expect(p.runNow.count == CatchUpPolicy.maxRuns)
            #expect(p.runNow.first == utc(2026, 5, 1, 22, 21) && p.runNow.last == now)
            #expect(p.runNow == p.runNow.sorted())
            #expect(p.nextFire == utc(2026, 5, 2, 0, 1))
        }

        @Test func longDowntimeFindsTheLatestWithoutWalkingEveryYear() throws {
            let newYear = try cron("@yearly")
            #expect(plan(.latest, last: utc(2020, 1, 1), now: utc(2026, 3, 1), newYear)
                == CatchUpPlan(runNow: [utc(2026, 1, 1)], nextFire: utc(2027, 1, 1)))
            #expect(plan(.all, last: utc(2020, 1, 1), now: utc(2026, 3, 1), newYear).runNow
                == [utc(2021, 1, 1), utc(2022, 1, 1), utc(2023, 1, 1), utc(2024, 1, 1), utc(2025, 1, 1), utc(2026, 1, 1)])
        }

        @Test func aClockThatWentBackNeverRefiresTheLastRun() {
            let p = plan(.all, last: utc(2026, 5, 1, 12), now: utc(2026, 5, 1, 11, 30))
            #expect(p == CatchUpPlan(runNow: [], nextFire: utc(2026, 5, 1, 13)))
        }

        @Test func anExpressionThatNeverFires() throws {
            #expect(plan(.all, last: utc(2026, 1, 1), now: utc(2026, 6, 1), try cron("0 0 30 2 *")) == CatchUpPlan(runNow: [], nextFire: nil))
        }

        @Test func acrossSpringForwardInNewYork() throws {
            let p = plan(.all, last: utc(2026, 3, 7, 7, 30), now: utc(2026, 3, 9, 12), try cron("30 2 * * *"), in: try zone("America/New_York"))
            #expect(p == CatchUpPlan(runNow: [utc(2026, 3, 8, 7), utc(2026, 3, 9, 6, 30)], nextFire: utc(2026, 3, 10, 6, 30)))
        }

        @Test func policyNames() {
            #expect(CatchUpPolicy.allCases.map(\.name) == ["SKIP", "LATEST", "ALL"])
            #expect(CatchUpPolicy.allCases.allSatisfy { CatchUpPolicy(name: $0.name) == $0 })
            #expect(CatchUpPolicy(name: "skip") == nil && CatchUpPolicy(name: "") == nil)
        }
    }
}
