import Foundation
import Testing
import Engine

/// The public door the fuzz target uses (fuzz/Targets/tz): a rule or file that parses is used
/// the way schedules use it; anything else is refused, not trapped on.
@Suite struct ZoneParsingTests {
    @Test func posixRulesParseOrAreRefused() {
        #expect(ZoneParsing.posixTZ("CET-1CEST,M3.5.0,M10.5.0/3"))
        #expect(ZoneParsing.posixTZ("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", probing: 8_999_999_999))
        #expect(ZoneParsing.posixTZ("EST5EDT,0/0,J365/25", probing: -8_999_999_999))
        for bad in ["", "CET", "CET-1CEST,M13.5.0,M10.5.0", "X25", "<+03", "EST5EDT,J0/2,J365"] {
            #expect(!ZoneParsing.posixTZ(bad), "\(bad)")
        }
    }

    @Test func tzifFilesParseOrAreRefused() throws {
        let paris = try #require(FileManager.default.contents(atPath: "/usr/share/zoneinfo/Europe/Paris"))
        #expect(ZoneParsing.tzif(Array(paris))?.name == "fuzz")
        #expect(ZoneParsing.tzif(Array(paris.prefix(60))) == nil)
        #expect(ZoneParsing.tzif(Array("TZif2".utf8) + [UInt8](repeating: 0xff, count: 60)) == nil)
    }
}
