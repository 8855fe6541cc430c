/// Public doors to the internal zone parsers, for the fuzz targets in fuzz/ (built in
/// release, where `@testable` is not available). Each parses, then uses what it parsed the
/// way a schedule does, so a value that parses but breaks the arithmetic is found too.
public enum ZoneParsing {
    /// Parses a POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3") and asks it for offsets around
    /// `second`. Returns whether it parsed.
    @discardableResult
    public static func posixTZ(_ text: String, probing second: Int = 1_700_000_000) -> Bool {
        guard let rule = try? PosixTZ(parsing: text) else { return false }
        _ = rule.offsetSeconds(at: second)
        _ = rule.changes(years: 1969...2040)
        return true
    }

    /// Reads a TZif file and, if it is one, resolves a few instants and local times with it.
    @discardableResult
    public static func tzif(_ bytes: [UInt8], probing second: Int = 1_700_000_000) -> ZoneInfo? {
        guard let zone = try? TZif.parse(bytes, name: "fuzz") else { return nil }
        for s in [-2_000_000_000, 0, second, 4_000_000_000] {
            guard let instant = Instant(epochSeconds: s) else { continue }
            _ = zone.utcOffsetSeconds(at: instant)
            _ = zone.resolve(zone.localDateTime(at: instant))
        }
        return zone
    }
}
