// The cron parser, and the schedule arithmetic on what it parses: the next and previous fire
// times and a short run of fire times, in UTC and in a zone with DST (from the system's
// zoneinfo, when installed).
import FuzzSupport
import Engine

let zones: [ZoneInfo] = [.utc] + ["Europe/Paris", "America/New_York", "Australia/Lord_Howe"].compactMap { try? ZoneInfo.load($0) }
let at = Instant(nanosSinceEpoch: 1_790_000_000_000_000_000)

fuzz { bytes in
    guard let first = bytes.first else { return }
    guard let cron = try? CronExpression(parsing: String(decoding: bytes.dropFirst(), as: UTF8.self)) else { return }
    let zone = zones[Int(first) % zones.count]
    if let next = cron.next(after: at, in: zone) {
        guard next > at else { finding("next fire time is not after the instant asked about") }
    }
    if let previous = cron.previous(atOrBefore: at, in: zone) {
        guard previous <= at else { finding("previous fire time is after the instant asked about") }
    }
    let times = cron.fireTimes(after: at, through: Instant(nanosSinceEpoch: at.nanosSinceEpoch + 400 * 86_400 * 1_000_000_000),
                               in: zone, limit: 8)
    guard zip(times, times.dropFirst()).allSatisfy({ $0 < $1 }) else { finding("fire times not ascending") }
}
