import ProtoJSON
import Testing
@testable import SpindleCLI

/// The YAML subset: what it reads, and where it says a file is wrong.
@Suite struct YAMLTests {
    func parse(_ text: String) throws -> JSON { try YAML.parse(text) }

    func failure(_ text: String, limits: YAML.Limits = YAML.Limits()) -> SyntaxError? {
        do {
            _ = try YAML.parse(text, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func aWorkflowDefinition() throws {
        let text = """
        # leading comment
        ---
        name: etl   # trailing comment
        tags: [a, "b c", 3]
        inputs:
          - name: who
            required: true
        definition:
          steps:
          - id: fetch
            type: http_request
            config: {url: "https://x/#frag", headers: {A: 'it''s'}}
            depends_on: []
          -   id: report
              config:
                expression: |
                  upper(x)
                  + 1
        """
        let doc = try parse(text)
        let expected: JSON = .object([
            JSONMember("name", .string("etl")),
            JSONMember("tags", .array([.string("a"), .string("b c"), .number("3")])),
            JSONMember("inputs", .array([.object([JSONMember("name", .string("who")), JSONMember("required", .bool(true))])])),
            JSONMember("definition", .object([JSONMember("steps", .array([
                .object([JSONMember("id", .string("fetch")), JSONMember("type", .string("http_request")),
                         JSONMember("config", .object([JSONMember("url", .string("https://x/#frag")),
                                                       JSONMember("headers", .object([JSONMember("A", .string("it's"))]))])),
                         JSONMember("depends_on", .array([]))]),
                .object([JSONMember("id", .string("report")),
                         JSONMember("config", .object([JSONMember("expression", .string("upper(x)\n+ 1\n"))]))]),
            ]))])),
        ])
        #expect(doc == expected)
    }

    @Test func plainScalarsResolveLikeJSON() throws {
        let doc = try parse("a: null\nb: ~\nc:\nd: true\ne: False\nf: -12\ng: 1.5e3\nh: 0755\ni: 1.2.3\nj: yes\nk: +7\nl: 10:30\n")
        #expect(doc["a"] == .null && doc["b"] == .null && doc["c"] == .null)
        #expect(doc["d"] == .bool(true) && doc["e"] == .bool(false))
        #expect(doc["f"] == .number("-12") && doc["g"] == .number("1.5e3") && doc["k"] == .number("7"))
        #expect(doc["h"] == .string("0755") && doc["i"] == .string("1.2.3") && doc["j"] == .string("yes"))
        #expect(doc["l"] == .string("10:30"))
    }

    /// Found by the yaml fuzz target: a 130-digit plain number was read as a number that the
    /// JSON parser refuses, so the file's YAML and JSON forms disagreed. Both refuse it now.
    @Test func numbersKeepTheJSONParsersLengthLimit() throws {
        let longest = String(repeating: "7", count: JSONParser.maxNumberLength)
        #expect(try parse("n: \(longest)\n")["n"] == .number(longest))
        let e = failure("a: 1\nn:  \(longest)7\n")
        #expect(e?.line == 2 && e?.column == 5 && e?.message.contains("number longer than 64") == true, "\(String(describing: e))")
        #expect(failure("- [1, \(longest)7]\n")?.line == 1)
    }

    @Test func doubleQuotedEscapes() throws {
        let doc = try parse(#"s: "tab\there \"q\" \u00e9 \x41 \\ end""#)
        #expect(doc["s"] == .string("tab\there \"q\" é A \\ end"))
    }

    @Test func blockScalarsChompAndFold() throws {
        let doc = try parse("""
        keep: |+
          a
          b

        strip: |-
          a
        clip: |
          a

        folded: >
          one
          two

          three
            indented
          four
        indented: |2
            two more
        """)
        #expect(doc["keep"] == .string("a\nb\n\n"))
        #expect(doc["strip"] == .string("a"))
        #expect(doc["clip"] == .string("a\n"))
        #expect(doc["folded"] == .string("one two\nthree\n  indented\nfour\n"))
        #expect(doc["indented"] == .string("  two more\n"))
    }

    @Test func nestedSequencesAndEmptyItems() throws {
        let doc = try parse("- - a\n  - b\n- \n- {x: [1, {y: z}]}\n")
        #expect(doc == .array([.array([.string("a"), .string("b")]), .null,
                               .object([JSONMember("x", .array([.number("1"), .object([JSONMember("y", .string("z"))])]))])]))
    }

    @Test func scalarAndEmptyDocuments() throws {
        #expect(try parse("") == .null)
        #expect(try parse("# only a comment\n") == .null)
        #expect(try parse("just text") == .string("just text"))
        #expect(try parse("[1, 2]") == .array([.number("1"), .number("2")]))
        #expect(try parse("\"quoted key\": 1\n") == .object([JSONMember("quoted key", .number("1"))]))
    }

    @Test func errorsSayLineAndColumn() {
        let cases: [(String, Int, Int, String)] = [
            ("a: 1\n\tb: 2\n", 2, 1, "tabs are not allowed"),
            ("a: \"open\n", 1, 4, "unterminated quoted scalar"),
            ("a: 1\n  b: 2\n", 2, 3, "unexpected indentation"),
            ("a: 1\na: 2\n", 2, 1, "duplicate key \"a\""),
            ("a: &x 1\n", 1, 4, "anchors and aliases"),
            ("a: *x\n", 1, 4, "anchors and aliases"),
            ("a: !!str 1\n", 1, 4, "tags are not supported"),
            ("a: 1\n---\nb: 2\n", 2, 1, "only one document"),
            ("a: [1, 2\n", 1, 9, "unterminated \"[\""),
            ("a: {b 1}\n", 1, 8, "expected \":\""),
            ("a: b: c\n", 1, 5, "cannot contain \": \""),
            ("a: \"x\" y\n", 1, 8, "unexpected text after the value"),
            ("- a\nb: 1\n", 2, 1, "unexpected content"),
            ("a: |x\n  t\n", 1, 5, "bad block scalar header"),
            ("%YAML 1.2\n", 1, 1, "directives"),
            ("a: \"\\q\"\n", 1, 7, "unknown escape"),
            ("  a: 1\n", 1, 3, "must start at column 1"),
        ]
        for (text, line, column, message) in cases {
            let e = failure(text)
            #expect(e?.line == line && e?.column == column && e?.message.contains(message) == true,
                    "\(text.debugDescription): \(e.map(String.init(describing:)) ?? "parsed")")
        }
    }

    @Test func depthAndSizeLimits() {
        let deepFlow = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(failure(deepFlow)?.message.contains("nested deeper than 64") == true)
        var deepBlock = ""
        for i in 0..<80 { deepBlock += String(repeating: " ", count: i * 2) + "k:\n" }
        #expect(failure(deepBlock)?.message.contains("nested deeper") == true)
        var small = YAML.Limits()
        small.maxBytes = 10
        #expect(failure("a: 123456789\n", limits: small)?.message.contains("over the limit of 10") == true)
    }

    /// Mutations of a valid document (a fixed PRNG: the same cases every run) either parse or
    /// fail with a position inside the text: never a crash, never a position past the end.
    @Test func mutatedInputsFailCleanly() {
        let base = Array("""
        name: etl
        tags: [a, "b", {c: 'd'}]
        steps:
          - id: x
            config: |
              text
          - {id: y, n: -1.5e3}
        """.utf8)
        let alphabet = Array(" \n\t:-[]{},'\"|>#&*!%@`\\".utf8) + [0xC3, 0xA9, 0x00]
        var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            return Int(rng % 1_000_003)
        }
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<(1 + next() % 4) {
                let at = next() % bytes.count
                switch next() % 3 {
                case 0: bytes[at] = alphabet[next() % alphabet.count]
                case 1: bytes.insert(alphabet[next() % alphabet.count], at: at)
                default: bytes.remove(at: at)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            if let e = failure(text) {
                #expect(e.line >= 1 && e.line <= lines && e.column >= 1, "\(text.debugDescription) -> \(e)")
            }
        }
    }
}
