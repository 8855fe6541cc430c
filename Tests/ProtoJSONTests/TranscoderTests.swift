// The JSON transcoder against the reference: every golden protobuf vector of the codec tests
// (Tests/MessagesTests/Golden) read into JSON must equal what google.protobuf.json_format
// made of it (Tests/ProtoJSONTests/Golden, scripts/gen-json-golden.py), and the reference JSON
// written back to protobuf and read again must give the same JSON.
import Foundation
@testable import ProtoJSON
import Testing

private let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
private let goldenJSON = here.appendingPathComponent("Golden")
private let goldenBinary = here.deletingLastPathComponent().appendingPathComponent("MessagesTests/Golden")

private let names: [String] = (try? FileManager.default.contentsOfDirectory(atPath: goldenJSON.path))?
    .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted() ?? []

/// Equal as JSON values: objects by key, numbers by value (float32 precision accepted).
private func same(_ a: JSON, _ b: JSON) -> Bool {
    switch (a, b) {
    case (.object(let x), .object(let y)):
        guard x.count == y.count else { return false }
        return x.allSatisfy { m in y.first { $0.key == m.key }.map { same(m.value, $0.value) } ?? false }
    case (.array(let x), .array(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
    case (.number(let x), .number(let y)):
        guard let dx = Double(x), let dy = Double(y) else { return x == y }
        return dx == dy || Float(dx) == Float(dy)
    default:
        return a == b
    }
}

@Suite struct TranscoderTests {
    @Test func thereAreGoldenVectors() {
        #expect(names.count > 100)
    }

    @Test(arguments: names) func matchesJSONFormat(_ name: String) throws {
        let golden = try JSONParser.parse(Array(try Data(contentsOf: goldenJSON.appendingPathComponent(name + ".json"))))
        guard case .string(let type)? = golden["type"], let expected = golden["json"] else {
            Issue.record("malformed golden file \(name)")
            return
        }
        let binary = Array(try Data(contentsOf: goldenBinary.appendingPathComponent(name + ".bin")))
        let transcoder = Transcoder()
        if expected["@error"] != nil {
            #expect(throws: TranscodeError.self) { try transcoder.json(from: binary[...], type: type) }
            return
        }
        let ours = try transcoder.json(from: binary[...], type: type)
        #expect(same(ours, expected), "\(name): ours \(String(decoding: ours.bytes(), as: UTF8.self))")
        let back = try transcoder.protobuf(from: expected, type: type)
        let again = try transcoder.json(from: back[...], type: type)
        #expect(same(again, expected), "\(name) round trip: \(String(decoding: again.bytes(), as: UTF8.self))")
    }

    @Test func inputAcceptsProtoNamesNumbersAsStringsAndEnumNumbers() throws {
        let t = Transcoder()
        let a = try t.protobuf(from: try JSONParser.parse(Array(#"{"f_int64":"-5","fUint32":"7","f_enum":2,"fBool":true}"#.utf8)),
                               type: "spindle.testing.AllTypes")
        let json = try t.json(from: a[...], type: "spindle.testing.AllTypes")
        #expect(json == .object([JSONMember("fInt64", .string("-5")), JSONMember("fBool", .bool(true)),
                                 JSONMember("fUint32", .number("7")), JSONMember("fEnum", .string("GREEN"))]))
    }

    @Test func badInputNamesTheField() {
        let t = Transcoder()
        let cases: [(String, String)] = [
            (#"{"nope":1}"#, "unknown field \"nope\""),
            (#"{"fInt32":1.5}"#, "f_int32"),
            (#"{"f_int32":4294967296}"#, "out of range"),
            (#"{"fBool":"yes"}"#, "f_bool"),
            (#"{"fEnum":"PURPLE"}"#, "PURPLE"),
            (#"{"fBytes":"%%%"}"#, "base64"),
            (#"{"fInt32":1,"f_int32":2}"#, "given twice"),
            (#"{"rInt32":5}"#, "array"),
            (#"[]"#, "JSON object"),
        ]
        for (input, needle) in cases {
            do {
                _ = try t.protobuf(from: try JSONParser.parse(Array(input.utf8)), type: "spindle.testing.AllTypes")
                Issue.record("\(input) was accepted")
            } catch let error as TranscodeError {
                #expect(error.message.contains(needle), "\(input): \(error.message)")
            } catch {
                Issue.record("\(input): \(error)")
            }
        }
    }

    @Test func errorsCarryThePathIntoListsAndMaps() {
        let t = Transcoder()
        let cases: [(String, String)] = [
            (#"{"rInt32":[1,"x"]}"#, "rInt32[1]: expected an integer"),
            (#"{"r_int32":[1,null]}"#, "r_int32[1]: a list item is null"),
            (#"{"fNested":{"nope":1}}"#, "fNested.nope: unknown field \"nope\""),
        ]
        for (input, prefix) in cases {
            do {
                _ = try t.protobuf(from: try JSONParser.parse(input), type: "spindle.testing.AllTypes")
                Issue.record("\(input) was accepted")
            } catch let error as TranscodeError {
                #expect(error.message.hasPrefix(prefix), "\(input): \(error.message)")
            } catch {
                Issue.record("\(input): \(error)")
            }
        }
    }

    @Test func durationsParseExactlyInEveryUnit() {
        #expect(RFC3339.parseDuration("315576000000.000000001s")! == (315_576_000_000, 1))
        #expect(RFC3339.parseDuration("1.5m")! == (90, 0) && RFC3339.parseDuration("0.5ms")! == (0, 500_000))
        #expect(RFC3339.parseDuration("-2h")! == (-7200, 0) && RFC3339.parseDuration("1500ms")! == (1, 500_000_000))
        #expect(RFC3339.parseDuration("315576000001s") == nil && RFC3339.parseDuration("1.0000000001s") == nil)
        #expect(RFC3339.parseDuration("1e3s") == nil && RFC3339.parseDuration("-s") == nil)
    }

    @Test func structKeysComeOutSorted() throws {
        let t = Transcoder()
        let bytes = try t.protobuf(from: try JSONParser.parse(#"{"b":1,"a":{"z":true,"c":null}}"#), type: "google.protobuf.Struct")
        #expect(try t.json(from: bytes[...], type: "google.protobuf.Struct").render() == #"{"a":{"c":null,"z":true},"b":1}"#)
    }

    /// Found by the proto-json fuzz target: "sss," lost its empty second path on the way in,
    /// so the mask changed on a round trip. json_format keeps it: ["sss", ""] <-> "sss,".
    @Test func fieldMaskPathsSplitOnEveryComma() throws {
        let t = Transcoder()
        for (text, paths) in [("sss,", ["sss", ""]), (",fooBar", ["", "foo_bar"]), ("", [])] as [(String, [String])] {
            let bytes = try t.protobuf(from: .string(text), type: "google.protobuf.FieldMask")
            var expected: [UInt8] = []
            for p in paths { expected += [0x0A, UInt8(p.utf8.count)] + Array(p.utf8) }
            #expect(bytes == expected, "\(text)")
            #expect(try t.json(from: bytes[...], type: "google.protobuf.FieldMask") == .string(text))
        }
    }

    @Test func timestampsAndDurations() throws {
        #expect(RFC3339.format(seconds: 0, nanos: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(seconds: 1_700_000_000, nanos: 500_000_000) == "2023-11-14T22:13:20.500Z")
        #expect(RFC3339.format(seconds: -1, nanos: 1) == "1969-12-31T23:59:59.000000001Z")
        #expect(RFC3339.parse("2023-11-14T23:13:20.5+01:00")! == (1_700_000_000, 500_000_000))
        #expect(RFC3339.parse("2023-11-14T22:13:20") == nil)
        #expect(RFC3339.parseDuration("-1.5s")! == (-1, -500_000_000))
        #expect(RFC3339.parseDuration("1.5") == nil)
    }
}
