#if canImport(Glibc)
import Glibc
#endif
import Storage
import Synchronization

/// An IANA time zone read from the system's TZif files: UTC offsets at instants, and the
/// instants a wall-clock reading names. FoundationEssentials' TimeZone knows no IANA zones,
/// hence this.
public struct ZoneInfo: Sendable, Hashable {
    /// The name it was loaded by ("Europe/Paris"; "UTC" for UTC).
    public let name: String
    /// Transition times in seconds since the epoch, strictly ascending.
    let transitions: [Int]
    /// The UTC offset (seconds east) from `transitions[i]` until the next transition.
    let offsetsAfter: [Int]
    /// The offset before the first transition (TZif's local time type 0).
    let initialOffset: Int
    /// The TZif footer, for instants after the last transition; nil when the file has none.
    let rule: PosixTZ?

    init(name: String, transitions: [Int], offsetsAfter: [Int], initialOffset: Int, rule: PosixTZ?) {
        self.name = name
        self.transitions = transitions
        self.offsetsAfter = offsetsAfter
        self.initialOffset = initialOffset
        self.rule = rule
    }

    public static let utc = ZoneInfo(name: "UTC", transitions: [], offsetsAfter: [], initialOffset: 0, rule: nil)
    public static let defaultDirectory = "/usr/share/zoneinfo"

    /// The UTC offset in seconds (east positive) in effect at `instant`.
    public func utcOffsetSeconds(at instant: Instant) -> Int { offsetSeconds(at: instant.epochSeconds) }

    /// What a wall clock in this zone shows at `instant` (to the second, rounded down).
    public func localDateTime(at instant: Instant) -> LocalDateTime {
        let seconds = instant.epochSeconds
        return LocalDateTime(localSeconds: seconds + offsetSeconds(at: seconds))
    }

    /// The instants at which a wall clock in this zone shows `local`: none in a spring-forward
    /// gap, two in a fall-back overlap. nil when they are outside what `Instant` holds.
    public func resolve(_ local: LocalDateTime) -> LocalTimeResolution? {
        let (candidates, gapEnd) = resolve(localSeconds: local.localSeconds)
        guard let first = candidates.first else { return gapEnd.flatMap(Instant.init(epochSeconds:)).map { .skipped(gapEnd: $0) } }
        guard let earlier = Instant(epochSeconds: first) else { return nil }
        guard candidates.count > 1 else { return .unique(earlier) }
        return Instant(epochSeconds: candidates[candidates.count - 1]).map { .repeated(earlier, $0) }
    }

    /// `resolve(local)`'s instants, ascending: 0, 1 or 2 of them.
    public func instants(at local: LocalDateTime) -> [Instant] { resolve(local)?.instants ?? [] }

    // MARK: Seconds arithmetic

    /// The offset at `second` (seconds since the epoch).
    func offsetSeconds(at second: Int) -> Int {
        guard let lastTransition = transitions.last else { return rule?.offsetSeconds(at: second) ?? initialOffset }
        if second > lastTransition, let rule { return rule.offsetSeconds(at: second) }
        let i = transitionIndex(atOrBefore: second)
        return i < 0 ? initialOffset : offsetsAfter[i]
    }

    /// The index of the last transition at or before `second`, -1 when there is none.
    private func transitionIndex(atOrBefore second: Int) -> Int {
        var low = 0, high = transitions.count  // the answer + 1 is in low...high
        while low < high {
            let mid = (low + high) / 2
            if transitions[mid] <= second { low = mid + 1 } else { high = mid }
        }
        return low - 1
    }

    /// A change of offset at `at` (seconds since the epoch).
    struct Change: Hashable {
        var at: Int
        var before: Int
        var after: Int
    }

    /// The changes of offset at instants in (from, through], ascending. Meant for short spans:
    /// it computes the footer rule's changes for every year in the span.
    func changes(from: Int, through: Int) -> [Change] {
        var raw: [(at: Int, offset: Int)] = []
        let lastTransition = transitions.last ?? Int.min
        var i = transitionIndex(atOrBefore: from) + 1
        while i < transitions.count, transitions[i] <= through {
            raw.append((transitions[i], offsetsAfter[i]))
            i += 1
        }
        if let rule, through > lastTransition {
            let start = max(from, lastTransition)
            let years = (LocalDateTime(localSeconds: start).year - 1)...(LocalDateTime(localSeconds: through).year + 1)
            for c in rule.changes(years: years) where c.at > start && c.at <= through {
                raw.append((c.at, c.offsetSeconds))
            }
        }
        var out: [Change] = []
        var current = offsetSeconds(at: from)
        for (at, offset) in raw where offset != current {
            out.append(Change(at: at, before: current, after: offset))
            current = offset
        }
        return out
    }

    /// The instants (seconds) whose local time is `local` (seconds, wall clock taken as UTC),
    /// ascending; when there are none, the end of the gap `local` falls in.
    func resolve(localSeconds local: Int) -> (candidates: [Int], gapEnd: Int?) {
        // Offsets are within ±26 hours, so every candidate lies in local ± 26h.
        let windowStart = local - 2 * 86_400
        let changes = self.changes(from: windowStart, through: local + 2 * 86_400)
        // Segments of constant offset: [start, end) with offset. A candidate t = local - offset
        // counts when it lies in a segment with that offset.
        var candidates: [Int] = []
        var segmentStart = Int.min
        var offset = offsetSeconds(at: windowStart)
        for change in changes + [Change(at: Int.max, before: 0, after: 0)] {
            let t = local - offset
            if t >= segmentStart, t < change.at { candidates.append(t) }
            segmentStart = change.at
            offset = change.after
        }
        guard candidates.isEmpty else { return (candidates, nil) }
        // In a gap: the change that skipped the wall clock over `local`.
        let gap = changes.first { $0.after > $0.before && local - $0.after < $0.at && $0.at <= local - $0.before }
        return ([], gap?.at)
    }

    // MARK: Loading

    /// Loads a zone by IANA name from `directory` (tests may pass their own); "" and "UTC"
    /// are UTC without a file. Loaded zones are cached per directory and name.
    public static func load(_ name: String, directory: String = defaultDirectory) throws(ScheduleError) -> ZoneInfo {
        if name.isEmpty || name == "UTC" { return .utc }
        try validate(name: name)
        let key = CacheKey(directory: directory, name: name)
        if let zone = cache.withLock({ $0[key] }) { return zone }
        let bytes = try readFile(directory + "/" + name, zoneName: name)
        let zone = try TZif.parse(bytes, name: name)
        cache.withLock { cached in
            if cached.count < maxCachedZones { cached[key] = zone }
        }
        return zone
    }

    private struct CacheKey: Hashable {
        var directory: String
        var name: String
    }

    /// tzdata has about 600 names; past this many, zones are loaded but not kept.
    static let maxCachedZones = 2_048
    private static let cache = Mutex<[CacheKey: ZoneInfo]>([:])

    /// Allows only what can name a file below the zone directory: [A-Za-z0-9_+-/], no "..",
    /// no leading "/", no empty path component.
    static func validate(name: String) throws(ScheduleError) {
        func fail(_ why: String) -> ScheduleError {
            ScheduleError(.invalidZoneName, "invalid time zone name \"\(name)\": \(why)")
        }
        guard name.utf8.count <= 255 else { throw fail("longer than 255 bytes") }
        guard !name.contains("..") else { throw fail("\"..\" is not allowed") }
        guard !name.hasPrefix("/") else { throw fail("absolute paths are not allowed") }
        for c in name.unicodeScalars {
            let ok = ("A"..."Z").contains(c) || ("a"..."z").contains(c) || ("0"..."9").contains(c) || "_+-/".unicodeScalars.contains(c)
            guard ok else { throw fail("character \"\(c)\" is not allowed (only A-Z a-z 0-9 _ + - /)") }
        }
        guard !name.split(separator: "/", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
            throw fail("empty path component")
        }
    }

    private static func readFile(_ path: String, zoneName: String) throws(ScheduleError) -> [UInt8] {
        let files = PosixFiles()
        let unknown = ScheduleError(.unknownZone, "unknown time zone \"\(zoneName)\"")
        guard let fd = try? files.open(path, flags: O_RDONLY, mode: 0) else { throw unknown }
        defer { files.close(fd) }
        guard let size = try? files.size(fd) else { throw unknown }
        guard size <= TZif.maxFileBytes else {
            throw ScheduleError(.malformedZoneFile, "time zone \"\(zoneName)\": bad zone file: over \(TZif.maxFileBytes) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                try? files.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]), at: Int64(done))
            }
            // A directory fails here (EISDIR); a file that shrank ends early.
            guard let n, n > 0 else { throw unknown }
            done += n
        }
        return bytes
    }
}

/// Where a wall-clock reading falls in a zone.
public enum LocalTimeResolution: Sendable, Hashable {
    /// It occurs once.
    case unique(Instant)
    /// It occurs twice (a fall-back overlap): the earlier, then the later.
    case repeated(Instant, Instant)
    /// It never occurs (a spring-forward gap); `gapEnd` is the first instant after the gap,
    /// when the clock jumps past it.
    case skipped(gapEnd: Instant)

    public var instants: [Instant] {
        switch self {
        case .unique(let t): [t]
        case let .repeated(a, b): [a, b]
        case .skipped: []
        }
    }

    /// The first instant at which the wall clock shows this reading or later: the instant
    /// itself, the earlier of two, or the end of the gap. Where a schedule fires.
    public var firstAtOrAfter: Instant {
        switch self {
        case .unique(let t): t
        case .repeated(let t, _): t
        case .skipped(let t): t
        }
    }
}
