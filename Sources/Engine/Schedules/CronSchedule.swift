import CivilDate

/// Fire times of a cron expression in a zone.
///
/// A schedule fires at the first instant the zone's wall clock reads a matching minute (or
/// later). So a matching minute in a spring-forward gap fires once, when the gap ends
/// (02:30 on a day New York jumps from 02:00 to 03:00 fires at 03:00), and a matching minute
/// a fall-back repeats fires once, the first time it occurs. Fire times are whole local
/// minutes, so whole seconds.
extension CronExpression {
    /// How far a search looks, in years either way: enough to reach February 29 across a
    /// century year that is not a leap year (2096 to 2104).
    static let maxSearchYears = 8

    /// The first fire time strictly after `after`, or nil when there is none within
    /// `maxSearchYears` (February 30 never comes) or before `Instant`'s end in 2262.
    public func next(after: Instant, in zone: ZoneInfo) -> Instant? {
        let afterSeconds = after.epochSeconds
        // Fire times only grow with the local minute, and every minute up to the wall clock
        // at `after` fired by `after`: start at the next whole local minute.
        let wallClock = afterSeconds + zone.offsetSeconds(at: afterSeconds)
        var from = Civil.floorDiv(wallClock, 60) * 60 + 60
        while let minute = matchingMinute(from: from, upward: true) {
            guard let fire = Instant(epochSeconds: zone.firstSecond(atOrAfterLocal: minute)) else { return nil }
            if fire > after { return fire }
            from = minute + 60  // the second pass of a repeated hour: that minute fired already
        }
        return nil
    }

    /// The last fire time at or before `now`, or nil when there is none within `maxSearchYears`.
    public func previous(atOrBefore now: Instant, in zone: ZoneInfo) -> Instant? {
        let nowSeconds = now.epochSeconds
        // The latest wall-clock reading so far: during the second pass of a repeated hour, the
        // reading just before the clock went back.
        var wallClock = nowSeconds + zone.offsetSeconds(at: nowSeconds)
        for change in zone.changes(from: nowSeconds - 2 * 86_400, through: nowSeconds) where change.after < change.before {
            wallClock = max(wallClock, change.at - 1 + change.before)
        }
        var from = Civil.floorDiv(wallClock, 60) * 60
        while let minute = matchingMinute(from: from, upward: false) {
            let fireSeconds = zone.firstSecond(atOrAfterLocal: minute)
            if fireSeconds <= nowSeconds { return Instant(epochSeconds: fireSeconds) }
            from = minute - 60
        }
        return nil
    }

    /// The fire times in (after, through], ascending, at most `limit` of them.
    public func fireTimes(after: Instant, through: Instant, in zone: ZoneInfo, limit: Int) -> [Instant] {
        var out: [Instant] = []
        var last = after
        while out.count < limit, let fire = next(after: last, in: zone), fire <= through {
            out.append(fire)
            last = fire
        }
        return out
    }

    /// The first matching local minute (local seconds, a multiple of 60) at or after `from`
    /// (`upward`) or at or before it, skipping months and days that cannot match.
    func matchingMinute(from: Int, upward: Bool) -> Int? {
        var day = Civil.floorDiv(from, 86_400)
        var minuteOfDay = (from - day * 86_400) / 60
        let firstYear = Civil.date(days: day).year
        let edgeOfDay = upward ? 0 : 1_439
        while true {
            let (year, month, dayOfMonth) = Civil.date(days: day)
            guard abs(year - firstYear) <= Self.maxSearchYears else { return nil }
            if !months.contains(month) {
                // To the next month's first day, or the previous month's last.
                day = upward ? Civil.days(year: month == 12 ? year + 1 : year, month: month % 12 + 1, day: 1)
                    : Civil.days(year: year, month: month, day: 1) - 1
            } else if dayMatches(dayOfMonth: dayOfMonth, weekday: Civil.weekday(days: day)),
                      let minute = matchingMinuteOfDay(from: minuteOfDay, upward: upward) {
                return day * 86_400 + minute * 60
            } else {
                day += upward ? 1 : -1
            }
            minuteOfDay = edgeOfDay
        }
    }

    /// The first matching minute of a day (0...1439) at or after `from`, or at or before it.
    private func matchingMinuteOfDay(from: Int, upward: Bool) -> Int? {
        let hour = from / 60
        if hours.contains(hour), let minute = minutes.nearestMember(from: from % 60, upward: upward) {
            return hour * 60 + minute
        }
        guard let other = hours.nearestMember(from: hour + (upward ? 1 : -1), upward: upward) else { return nil }
        // Every field matches at least one value, so another hour has a first and last minute.
        guard let minute = minutes.nearestMember(from: upward ? 0 : 59, upward: upward) else { return nil }
        return other * 60 + minute
    }
}

extension ZoneInfo {
    /// The first instant (seconds) at which the wall clock reads `local` or later: the
    /// instant itself, the earlier of two in an overlap, the end of a gap.
    func firstSecond(atOrAfterLocal local: Int) -> Int {
        let (candidates, gapEnd) = resolve(localSeconds: local)
        // No candidates means a gap; a gap the changes do not explain cannot happen, but the
        // instant the standard offset would give is a safe answer if it ever did.
        return candidates.first ?? gapEnd ?? local - offsetSeconds(at: local)
    }
}
