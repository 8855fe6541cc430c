import Foundation
import Testing
import CivilDate
@testable import Engine

/// The instant of a UTC date-time.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Instant {
    Instant(epochSeconds: LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second).localSeconds)!
}

func local(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> LocalDateTime {
    LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute)
}

@Suite struct ZoneInfoTests {
    @Test func civilArithmeticRoundTripsAcrossCenturiesAndLeapDays() {
        #expect(Civil.days(year: 1970, month: 1, day: 1) == 0)
        #expect(Civil.days(year: 2000, month: 3, day: 1) == 11_017)
        #expect(Civil.weekday(days: 0) == 4)  // Thursday
        #expect(Civil.weekday(days: Civil.days(year: 2026, month: 3, day: 8)) == 0)  // a Sunday
        #expect(Civil.weekday(days: -1) == 3)
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = Civil.date(days: days)
            #expect(Civil.days(year: y, month: m, day: d) == days)
            #expect(d <= Civil.daysInMonth(year: y, month: m))
        }
        #expect(Civil.isLeap(2000) && Civil.isLeap(2024) && !Civil.isLeap(2100) && !Civil.isLeap(2026))
        #expect(LocalDateTime(localSeconds: -1) == LocalDateTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59))
        #expect(Instant(nanosSinceEpoch: -1).epochSeconds == -1)
        #expect(local(2026, 3, 8, 2, 30).description == "2026-03-08T02:30:00")
        #expect(Instant(epochSeconds: Int(Int64.max / 1_000_000_000) + 1) == nil)
    }

    @Test func emptyAndUTCNeedNoFile() throws {
        #expect(try ZoneInfo.load("") == .utc)
        #expect(try ZoneInfo.load("UTC", directory: "/nonexistent") == .utc)
        #expect(ZoneInfo.utc.utcOffsetSeconds(at: utc(2026, 7, 1)) == 0)
        #expect(ZoneInfo.utc.resolve(local(2026, 3, 8, 2, 30)) == .unique(utc(2026, 3, 8, 2, 30)))
        #expect(try ZoneInfo.load("Etc/UTC").utcOffsetSeconds(at: utc(2060, 1, 1)) == 0)
    }

    @Test(arguments: [
        ("../etc/passwd", #"invalid time zone name "../etc/passwd": ".." is not allowed"#),
        ("Europe/../../etc/passwd", #"invalid time zone name "Europe/../../etc/passwd": ".." is not allowed"#),
        ("/etc/localtime", #"invalid time zone name "/etc/localtime": absolute paths are not allowed"#),
        ("Europe/Par is", #"invalid time zone name "Europe/Par is": character " " is not allowed (only A-Z a-z 0-9 _ + - /)"#),
        ("Europe/Paris.", #"invalid time zone name "Europe/Paris.": character "." is not allowed (only A-Z a-z 0-9 _ + - /)"#),
        ("Zürich", #"invalid time zone name "Zürich": character "ü" is not allowed (only A-Z a-z 0-9 _ + - /)"#),
        ("Europe//Paris", #"invalid time zone name "Europe//Paris": empty path component"#),
        ("Europe/", #"invalid time zone name "Europe/": empty path component"#),
        (String(repeating: "a", count: 256), "invalid time zone name \"\(String(repeating: "a", count: 256))\": longer than 255 bytes"),
    ])
    func invalidNamesAreRefusedBeforeAnyFileIsOpened(name: String, message: String) {
        #expect(throws: ScheduleError(.invalidZoneName, message)) { try ZoneInfo.load(name) }
    }

    @Test(arguments: ["Europe/Pariss", "Mars/Olympus_Mons", "Europe", "posixrules/x"])
    func unknownNames(name: String) {
        #expect(throws: ScheduleError(.unknownZone, "unknown time zone \"\(name)\"")) { try ZoneInfo.load(name) }
    }

    @Test func parisOffsetsAndTransitions2026() throws {
        let paris = try ZoneInfo.load("Europe/Paris")
        #expect(paris.name == "Europe/Paris")
        #expect(paris.utcOffsetSeconds(at: utc(2026, 1, 15)) == 3_600)
        #expect(paris.utcOffsetSeconds(at: utc(2026, 7, 15)) == 7_200)
        // Last Sunday of March at 01:00 UTC, last Sunday of October at 01:00 UTC.
        #expect(paris.utcOffsetSeconds(at: Instant(nanosSinceEpoch: utc(2026, 3, 29, 1).nanosSinceEpoch - 1)) == 3_600)
        #expect(paris.utcOffsetSeconds(at: utc(2026, 3, 29, 1)) == 7_200)
        #expect(paris.utcOffsetSeconds(at: utc(2026, 10, 25, 0, 59, 59)) == 7_200)
        #expect(paris.utcOffsetSeconds(at: utc(2026, 10, 25, 1)) == 3_600)
        #expect(paris.localDateTime(at: utc(2026, 3, 29, 1)) == local(2026, 3, 29, 3))
        #expect(paris.resolve(local(2026, 3, 29, 2, 30)) == .skipped(gapEnd: utc(2026, 3, 29, 1)))
        #expect(paris.resolve(local(2026, 10, 25, 2, 30)) == .repeated(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)))
        #expect(paris.instants(at: local(2026, 6, 1, 12)) == [utc(2026, 6, 1, 10)])
        // Before the first transition: local mean time, +00:09:21.
        #expect(paris.utcOffsetSeconds(at: utc(1850, 1, 1)) == 561)
    }

    @Test func newYorkGapAndOverlap2026() throws {
        let ny = try ZoneInfo.load("America/New_York")
        // 2026-03-08 02:00 EST jumps to 03:00 EDT (07:00 UTC): 02:30 does not exist.
        #expect(ny.resolve(local(2026, 3, 8, 2, 30)) == .skipped(gapEnd: utc(2026, 3, 8, 7)))
        #expect(ny.instants(at: local(2026, 3, 8, 2, 30)).isEmpty)
        #expect(ny.resolve(local(2026, 3, 8, 2, 30))?.firstAtOrAfter == utc(2026, 3, 8, 7))
        #expect(ny.resolve(local(2026, 3, 8, 1, 59)) == .unique(utc(2026, 3, 8, 6, 59)))
        #expect(ny.resolve(local(2026, 3, 8, 3, 0)) == .unique(utc(2026, 3, 8, 7)))
        // 2026-11-01 02:00 EDT falls back to 01:00 EST (06:00 UTC): 01:30 happens twice.
        #expect(ny.instants(at: local(2026, 11, 1, 1, 30)) == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)])
        #expect(ny.resolve(local(2026, 11, 1, 1, 0)) == .repeated(utc(2026, 11, 1, 5), utc(2026, 11, 1, 6)))
        #expect(ny.resolve(local(2026, 11, 1, 2, 0)) == .unique(utc(2026, 11, 1, 7)))
        #expect(ny.resolve(local(2026, 11, 1, 0, 59)) == .unique(utc(2026, 11, 1, 4, 59)))
    }

    @Test func halfHourDSTAndQuarterHourOffsets() throws {
        let lordHowe = try ZoneInfo.load("Australia/Lord_Howe")
        #expect(lordHowe.utcOffsetSeconds(at: utc(2026, 7, 1)) == 37_800)  // +10:30
        #expect(lordHowe.utcOffsetSeconds(at: utc(2026, 1, 1)) == 39_600)  // +11, DST is 30 minutes
        // First Sunday of October 02:00 -> 02:30; first Sunday of April 02:00 -> 01:30.
        #expect(lordHowe.resolve(local(2026, 10, 4, 2, 15)) == .skipped(gapEnd: utc(2026, 10, 3, 15, 30)))
        #expect(lordHowe.instants(at: local(2026, 4, 5, 1, 45)) == [utc(2026, 4, 4, 14, 45), utc(2026, 4, 4, 15, 15)])

        let kathmandu = try ZoneInfo.load("Asia/Kathmandu")
        #expect(kathmandu.utcOffsetSeconds(at: utc(2026, 6, 1)) == 20_700)  // +05:45
        #expect(kathmandu.utcOffsetSeconds(at: utc(1980, 6, 1)) == 19_800)  // +05:30 until 1986
        #expect(kathmandu.localDateTime(at: utc(2026, 6, 1, 18, 15)) == local(2026, 6, 2, 0, 0))
        #expect(kathmandu.utcOffsetSeconds(at: utc(2200, 6, 1)) == 20_700)
    }

    @Test func footerRuleCarriesOnAfterTheLastTransition() throws {
        let paris = try ZoneInfo.load("Europe/Paris")
        let ny = try ZoneInfo.load("America/New_York")
        let dublin = try ZoneInfo.load("Europe/Dublin")
        // The files list transitions only up to 2037; 2060 needs the footer.
        for zone in [paris, ny, dublin] {
            #expect(zone.rule != nil)
            #expect(try #require(zone.transitions.last) < utc(2038, 1, 1).epochSeconds)
        }
        #expect(paris.utcOffsetSeconds(at: utc(2060, 1, 10)) == 3_600)
        #expect(paris.utcOffsetSeconds(at: utc(2060, 7, 10)) == 7_200)
        #expect(paris.utcOffsetSeconds(at: utc(2060, 3, 28, 0, 59, 59)) == 3_600)  // last Sunday of March
        #expect(paris.utcOffsetSeconds(at: utc(2060, 3, 28, 1)) == 7_200)
        #expect(paris.resolve(local(2060, 10, 31, 2, 30)) == .repeated(utc(2060, 10, 31, 0, 30), utc(2060, 10, 31, 1, 30)))
        #expect(ny.resolve(local(2060, 3, 14, 2, 30)) == .skipped(gapEnd: utc(2060, 3, 14, 7)))
        // Dublin's "negative DST": standard time is IST in summer, the rule's DST is GMT in winter.
        #expect(dublin.utcOffsetSeconds(at: utc(2060, 1, 10)) == 0)
        #expect(dublin.utcOffsetSeconds(at: utc(2060, 7, 10)) == 3_600)
    }

    @Test func posixRulesWithTheRFC8536Extensions() throws {
        // DST all year: from January 1 00:00 to December 31 25:00, so the ends meet.
        let allYear = try PosixTZ(parsing: "EST5EDT,0/0,J365/25")
        for year in [2030, 2031, 2032] {
            #expect(allYear.offsetSeconds(at: utc(year, 1, 1, 0, 0, 0).epochSeconds) == -14_400)
            #expect(allYear.offsetSeconds(at: utc(year, 12, 31, 23).epochSeconds) == -14_400)
        }
        #expect(allYear.changes(years: 2030...2032).count == 2)  // only the window's own edges
        // Nuuk: negative rule times (-1 = 23:00 the day before).
        let nuuk = try PosixTZ(parsing: "<-02>2<-01>,M3.5.0/-1,M10.5.0/0")
        // Last Sunday of March 2060 is the 28th: Saturday 23:00 at -02 is 01:00 UTC.
        #expect(nuuk.offsetSeconds(at: utc(2060, 3, 28, 0, 59, 59).epochSeconds) == -7_200)
        #expect(nuuk.offsetSeconds(at: utc(2060, 3, 28, 1, 0, 0).epochSeconds) == -3_600)
        // Julian days skip February 29: J60 is March 1 in every year.
        let julian = try PosixTZ(parsing: "AAA0BBB,J60/0,J300/0")
        #expect(julian.offsetSeconds(at: utc(2024, 2, 29, 23, 59, 59).epochSeconds) == 0)
        #expect(julian.offsetSeconds(at: utc(2024, 3, 1).epochSeconds) == 3_600)
        let zeroBased = try PosixTZ(parsing: "AAA0BBB,59/0,300/0")  // day 59 is Feb 29 in leap years
        #expect(zeroBased.offsetSeconds(at: utc(2024, 2, 29).epochSeconds) == 3_600)
        #expect(zeroBased.offsetSeconds(at: utc(2023, 2, 28, 23, 59, 59).epochSeconds) == 0)
        #expect(try PosixTZ(parsing: "<+0545>-5:45") == PosixTZ(stdOffsetSeconds: 20_700, dst: nil))
        #expect(try PosixTZ(parsing: "CET-1CEST,M3.5.0,M10.5.0/3").dst?.offsetSeconds == 7_200)
    }

    @Test(arguments: [
        ("", "zone abbreviation shorter than 3 letters at offset 0"),
        ("CET", "expected a number at offset 3"),
        ("CET-25", "25 is out of range 0-24 at offset 6"),
        ("CET-1CEST", "expected \",\" at offset 9"),
        ("CET-1CEST,M13.5.0,M10.5.0", "13 is out of range 1-12 at offset 13"),
        ("CET-1CEST,M3.5.0,M10.5.0/168", "168 is out of range 0-167 at offset 28"),
        ("CET-1CEST,M3.5.0,M10.5.0x", "unexpected text after the DST rule at offset 24"),
        ("<+0>-1", "zone abbreviation shorter than 3 characters at offset 4"),
    ])
    func malformedPosixRules(text: String, why: String) {
        #expect(throws: ScheduleError(.malformedZoneFile, "zone rule \"\(text)\": \(why)")) { try PosixTZ(parsing: text) }
    }

    /// The offsets `date` prints for each instant, read through one `date -f -` per zone.
    static func systemOffsets(zone: String, epochs: [Int]) throws -> [Int] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/date")
        process.arguments = ["-f", "-", "+%::z"]
        process.environment = ["TZ": zone]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(epochs.map { "@\($0)\n" }.joined().utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").map { line in
            let sign = line.hasPrefix("-") ? -1 : 1
            let parts = line.dropFirst().split(separator: ":").map { Int($0)! }
            return sign * (parts[0] * 3_600 + parts[1] * 60 + parts[2])
        }
    }

    @Test(arguments: ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Europe/Dublin",
                      "America/Santiago", "America/Nuuk", "Africa/Casablanca", "Pacific/Chatham", "Asia/Tehran"])
    func offsetsAgreeWithTheSystemDateCommand(zone: String) throws {
        let info = try ZoneInfo.load(zone)
        // A deterministic spread from 1850 to 2150, plus a minute either side of every
        // transition from 2020 to 2070 (explicit ones and the footer's).
        var state: UInt64 = 0x5EED
        var epochs: [Int] = (0..<300).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return utc(1850, 1, 1).epochSeconds + Int(state >> 33) % (300 * 365 * 86_400)
        }
        for change in info.changes(from: utc(2020, 1, 1).epochSeconds, through: utc(2070, 1, 1).epochSeconds) {
            epochs += [change.at - 60, change.at - 1, change.at, change.at + 60]
        }
        #expect(epochs.count > 300 || zone == "Asia/Kathmandu" || zone == "Asia/Tehran")
        let expected = try Self.systemOffsets(zone: zone, epochs: epochs)
        #expect(expected.count == epochs.count)
        for (epoch, offset) in zip(epochs, expected) {
            #expect(info.offsetSeconds(at: epoch) == offset, "\(zone) at @\(epoch)")
        }
    }

    @Test func everyTruncationOfARealFileIsRefusedCleanly() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "/usr/share/zoneinfo/Europe/Paris")))
        #expect(try TZif.parse(bytes, name: "P") == ZoneInfo.load("Europe/Paris").renamed("P"))
        for length in 0..<bytes.count {
            #expect(throws: ScheduleError.self) { try TZif.parse(Array(bytes[..<length]), name: "P") }
        }
        var corrupt = bytes
        corrupt[4] = UInt8(ascii: "9")
        #expect(throws: ScheduleError(.malformedZoneFile, #"time zone "P": bad zone file: unknown version byte 57"#)) {
            try TZif.parse(corrupt, name: "P")
        }
    }

    /// A version 1 file: 32-bit data and no footer, built byte by byte.
    static func version1File() -> [UInt8] {
        func be32(_ v: Int32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
        var b = Array("TZif".utf8) + [0] + [UInt8](repeating: 0, count: 15)
        b += be32(0) + be32(0) + be32(0) + be32(2) + be32(2) + be32(8)  // isut isstd leap time type char
        b += be32(1_000_000_000) + be32(1_100_000_000)  // transitions (2001-09-09, 2004-11-09)
        b += [1, 0]  // to type 1, then back to type 0
        b += be32(3_600) + [0, 0] + be32(-9_000) + [1, 4]  // +01:00 "AAA", -02:30 "BBB"
        b += Array("AAA\0BBB\0".utf8)
        return b
    }

    @Test func version1FilesAndADirectoryOverride() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoneinfo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("Test"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.version1File()).write(to: dir.appendingPathComponent("Test/Old"))
        try Data("not a zone".utf8).write(to: dir.appendingPathComponent("Test/Junk"))

        let old = try ZoneInfo.load("Test/Old", directory: dir.path)
        #expect(old.rule == nil)
        #expect(old.utcOffsetSeconds(at: Instant(epochSeconds: 999_999_999)!) == 3_600)
        #expect(old.utcOffsetSeconds(at: Instant(epochSeconds: 1_000_000_000)!) == -9_000)
        #expect(old.utcOffsetSeconds(at: Instant(epochSeconds: 1_100_000_000)!) == 3_600)
        #expect(old.utcOffsetSeconds(at: utc(2200, 1, 1)) == 3_600)  // no footer: the last type stays
        #expect(throws: ScheduleError(.malformedZoneFile, #"time zone "Test/Junk": bad zone file: no TZif header at byte 0"#)) {
            try ZoneInfo.load("Test/Junk", directory: dir.path)
        }
        #expect(throws: ScheduleError(.unknownZone, #"unknown time zone "Europe/Paris""#)) {
            try ZoneInfo.load("Europe/Paris", directory: dir.path)
        }
    }

    @Test func leapSecondFilesAreRefused() throws {
        try #require(FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/right/UTC"))
        #expect(throws: ScheduleError(.malformedZoneFile,
                                      #"time zone "right/UTC": bad zone file: leap-second ("right/") zone files are not supported"#)) {
            try ZoneInfo.load("right/UTC")
        }
    }

    @Test func loadsAreCachedAndSafeFromManyTasks() async throws {
        let zones = ["Europe/Paris", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe"]
        let loaded = try await withThrowingTaskGroup(of: ZoneInfo.self) { group in
            for i in 0..<200 { group.addTask { try ZoneInfo.load(zones[i % zones.count]) } }
            return try await group.reduce(into: [ZoneInfo]()) { $0.append($1) }
        }
        #expect(Set(loaded.map(\.name)) == Set(zones))
        #expect(Set(loaded).count == zones.count)
    }
}

extension ZoneInfo {
    func renamed(_ name: String) -> ZoneInfo {
        ZoneInfo(name: name, transitions: transitions, offsetsAfter: offsetsAfter, initialOffset: initialOffset, rule: rule)
    }
}
