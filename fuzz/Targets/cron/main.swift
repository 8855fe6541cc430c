// The cron parser, and the schedule arithmetic on what it parses: the next and previous fire
// times and a short run of fire times, in UTC and in zones with DST (from the system's
// zoneinfo, when installed), from any instant an Instant can hold (1677..2262).
// Input: [zone byte][8 bytes: the instant, nanoseconds, little-endian][cron line].
import FuzzSupport
import Engine

let zones: [ZoneInfo] = [.utc] + ["Europe/Paris", "America/New_York", "Australia/Lord_Howe"].compactMap { try? ZoneInfo.load($0) }

fuzz { bytes in
    var input = FuzzInput(bytes)
    let zone = zones[Int(input.byte()) % zones.count]
    let at = Instant(nanosSinceEpoch: input.int64())
    guard let cron = try? CronExpression(parsing: String(decoding: input.rest(), as: UTF8.self)) else { return }
    if let next = cron.next(after: at, in: zone) {
        guard next > at else { finding("next fire time is not after the instant asked about") }
    }
    if let previous = cron.previous(atOrBefore: at, in: zone) {
        guard previous <= at else { finding("previous fire time is after the instant asked about") }
    }
    let (through, overflow) = at.nanosSinceEpoch.addingReportingOverflow(400 * 86_400 * 1_000_000_000)
    let times = cron.fireTimes(after: at, through: Instant(nanosSinceEpoch: overflow ? .max : through), in: zone, limit: 8)
    guard zip(times, times.dropFirst()).allSatisfy({ $0 < $1 }) else { finding("fire times not ascending") }
}
