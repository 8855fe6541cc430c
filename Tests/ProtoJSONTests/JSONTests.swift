// The JSON tree: order and number text kept, strict RFC 8259 parsing with positions.
import ProtoJSON
import Testing

@Suite struct JSONTests {
    @Test func roundTripKeepsOrderAndNumbers() throws {
        let text = #"{"z":1,"a":[true,false,null,"x\ny"],"big":12345678901234567890,"f":-1.5e-3,"u":"\u00e9\ud83d\ude00"}"#
        let doc = try JSONParser.parse(text)
        #expect(doc.objectKeys == ["z", "a", "big", "f", "u"])
        #expect(doc["big"] == .number("12345678901234567890") && doc["u"] == .string("é😀"))
        #expect(doc.render() == #"{"z":1,"a":[true,false,null,"x\ny"],"big":12345678901234567890,"f":-1.5e-3,"u":"é😀"}"#)
        #expect(try JSONParser.parse(doc.render(pretty: true)) == doc)
    }

    @Test func errorsWithPositions() {
        let cases: [(String, Int, Int)] = [("{\"a\":1,}", 1, 8), ("[1,\n 2,\n x]", 3, 2), ("{\"a\" 1}", 1, 6), ("01", 1, 2),
                                           ("\"\\ud800\"", 1, 8), ("\"a\u{01}\"", 1, 3), ("[1] 2", 1, 5), ("", 1, 1)]
        for (text, line, column) in cases {
            do {
                _ = try JSONParser.parse(text)
                Issue.record("\(text.debugDescription) parsed")
            } catch {
                #expect(error.line == line && error.column == column, "\(text.debugDescription): \(error)")
            }
        }
        #expect(throws: SyntaxError.self) { try JSONParser.parse(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)) }
    }

    @Test func jsonParserIsStrict() throws {
        for bad in ["{", "[1,]", "{\"a\":1,}", "01", "1.", "\"\\x\"", "tru", "{\"a\":1,\"a\":2}", "\"\u{01}\"", "1 2",
                    "\"\\ud800\"", String(repeating: "[", count: 100) + String(repeating: "]", count: 100)] {
            #expect(throws: SyntaxError.self, "\(bad.prefix(20))") { try JSONParser.parse(Array(bad.utf8)) }
        }
        #expect(try JSONParser.parse(Array(#" {"a": [1, -2.5e3, "\u00e9\ud83d\ude80", null, true]} "#.utf8))
            == .object([JSONMember("a", .array([.number("1"), .number("-2.5e3"), .string("é🚀"), .null, .bool(true)]))]))
    }
}
