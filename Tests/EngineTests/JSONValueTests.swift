import Testing
@testable import Engine

@Suite struct JSONValueTests {
    @Test func canonicalSortsKeysByUTF8BytesAndDropsWhitespace() throws {
        // "Z" (0x5A) < "a" (0x61) < "é" (0xC3 0xA9) in UTF-8 byte order.
        let v = try JSONValue.parse(#" { "é" : 1 , "a" : [ true , null ] , "Z" : { "y" : "x" } } "#)
        #expect(v.canonicalString() == #"{"Z":{"y":"x"},"a":[true,null],"é":1}"#)
    }

    @Test(arguments: [
        (1.0, "1"), (-0.0, "0"), (0.1, "0.1"), (1.5, "1.5"), (-42.0, "-42"), (1e21, "1e+21"),
        (1e-7, "1e-07"), (123456789012.0, "123456789012"), (Double.infinity, "null"), (0.30000000000000004, "0.30000000000000004"),
    ])
    func numbersPrintShortest(value: Double, text: String) throws {
        #expect(JSONValue.number(value).canonicalString() == text)
        if value.isFinite { #expect(try JSONValue.parse(text) == .number(value == 0 ? 0 : value)) }
    }

    @Test func stringsEscapeOnlyWhatJSONRequires() throws {
        let s = "q\"b\\n\nt\tc\u{01}é😀/"
        let text = JSONValue.string(s).canonicalString()
        #expect(text == #""q\"b\\n\nt\tc\u0001é😀/""#)
        #expect(try JSONValue.parse(text) == .string(s))
        #expect(try JSONValue.parse(#""\ud83d\ude00\/""#) == .string("😀/"))
    }

    @Test(arguments: [
        ("", 0, JSONParseError.Reason.unexpectedEnd),
        ("[1,]", 3, .unexpectedCharacter(UInt8(ascii: "]"))),
        ("{\"a\":1,\"a\":2}", 7, .duplicateKey("a")),
        ("01", 0, .invalidNumber),
        ("1.", 0, .invalidNumber),
        ("-", 0, .invalidNumber),
        ("1e999", 0, .invalidNumber),
        ("\"\\x\"", 1, .invalidEscape),
        ("\"\\ud800\"", 1, .invalidUnicodeEscape),
        ("\"a\nb\"", 2, .controlCharacterInString),
        ("[1] x", 4, .trailingData),
        ("{'a':1}", 1, .unexpectedCharacter(UInt8(ascii: "'"))),
        ("nul", 3, .unexpectedEnd),
        ("NaN", 0, .unexpectedCharacter(UInt8(ascii: "N"))),
    ])
    func strictParserNamesOffsetAndReason(text: String, offset: Int, reason: JSONParseError.Reason) {
        #expect(throws: JSONParseError(offset: offset, reason: reason)) { try JSONValue.parse(text) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONParseError(offset: 0, reason: .invalidUTF8)) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func depthIsLimited() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONValue.parse(ok) }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError(offset: 64, reason: .tooDeep(limit: 64))) { try JSONValue.parse(deep) }
    }

    @Test func generatedValuesRoundTrip() throws {
        var rng = SplitMix(seed: 7)
        for _ in 0..<300 {
            let v = randomJSON(&rng, depth: 4)
            #expect(try JSONValue.parse(v.canonicalString()) == v)
        }
    }
}

/// Deterministic randomness for generated cases.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomJSON(_ rng: inout SplitMix, depth: Int) -> JSONValue {
    let keys = ["a", "b", "c", "x/y", "m~n", "", "é"]
    switch Int.random(in: 0..<(depth > 0 ? 7 : 4), using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .number([0, 1, -3, 2.5, 1e-9, 12345678].randomElement(using: &rng)!)
    case 3: return .string(["", "s", "t\"q", "😀"].randomElement(using: &rng)!)
    case 4, 5:
        return .array((0..<Int.random(in: 0..<4, using: &rng)).map { _ in randomJSON(&rng, depth: depth - 1) })
    default:
        var o: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0..<4, using: &rng) { o[keys.randomElement(using: &rng)!] = randomJSON(&rng, depth: depth - 1) }
        return .object(o)
    }
}
