import Testing
@testable import Engine

/// The pieces start-up builds its run tables with: the id sort (packed keys, whole-id ties)
/// must give exactly the UTF-8 byte order that `insertSorted` and `list` rely on, and shared
/// strings must number each string once, never give one string's number to another.
@Suite struct RecoveryTablesTests {
    static func reference(_ ids: [String]) -> [String] { ids.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }

    @Test func theIdSortIsUTF8ByteOrderWhateverTheLengthsAndTies() {
        // Ties in the first 32 bytes (loop children of one parent), ids that are prefixes of
        // others, a NUL, non-ASCII where String's own order differs from the bytes' order.
        let parent = "run_01JDZZZZZZZZZZZZZZZZZZZZZZ"
        var ids = [parent, parent + "-step-1-10", parent + "-step-1-2", parent + "-step-1-1", "run_", "run", "",
                   "run_\u{0}", "é", "e\u{301}", "\u{FB01}", "z", "run_01JDZZZZZZZZZZZZZZZZZZZZZY",
                   String(repeating: "a", count: 40) + "b", String(repeating: "a", count: 40)]
        var generator = SystemRandomNumberGenerator()
        for n in 0..<300 { ids.append("run_01JD\(n % 7)" + String(UInt64.random(in: 0...UInt64.max, using: &generator), radix: 32)) }
        ids.shuffle()
        var sorted = ids
        Executor.Tables.sortByUTF8(&sorted)
        #expect(sorted == Self.reference(ids))
    }

    @Test func aSortedListStaysAsItIs() {
        var ids = (0..<100).map { "run_\($0 / 10)\($0 % 10)" }
        let before = ids
        Executor.Tables.sortByUTF8(&ids)
        #expect(ids == before)
    }

    @Test func utf8PrecedesAgreesWithTheBytes() {
        let pairs = [("a", "b"), ("ab", "a"), ("", "a"), ("é", "f"), ("e\u{301}", "é"), ("same", "same")]
        for (a, b) in pairs {
            #expect(Executor.Tables.utf8Precedes(a, b) == a.utf8.lexicographicallyPrecedes(b.utf8), "\(a) vs \(b)")
            #expect(Executor.Tables.utf8Precedes(b, a) == b.utf8.lexicographicallyPrecedes(a.utf8), "\(b) vs \(a)")
        }
    }

    @Test func sharedStringsNumberEachStringOnceAndMatchOnlyTheSameBytes() throws {
        var writer = ByteWriter(capacity: 64)
        let given = ["wf_one", "wf_two", "wf_one", "wf_onf", "wf_on", "ü", "wf_one"]
        for s in given { writer.string(s) }
        var reader = ByteReader(writer.bytes, path: "test")
        var shared = SharedStrings()
        var got: [UInt32] = []
        for _ in given { got.append(try reader.string(sharing: &shared)) }
        #expect(got.map { shared[$0] } == given)
        #expect(got == [0, 1, 0, 2, 3, 4, 0] && shared.strings.count == 5)
        #expect(reader.atEnd)
        // Past the few recent ones, a string is still found by its number: not kept twice.
        var many = SharedStrings()
        let first = many.add("tenant_" + String(repeating: "x", count: 20))
        for n in 0..<10 { _ = many.add("other_\(n)" + String(repeating: "y", count: 20)) }
        #expect(many.add("tenant_" + String(repeating: "x", count: 20)) == first && many.strings.count == 11)
    }

    @Test func aStringThatIsNotUTF8IsRefusedStill() {
        var writer = ByteWriter(capacity: 8)
        writer.lengthPrefixed([0x61, 0xC3])
        var reader = ByteReader(writer.bytes, path: "test")
        #expect(throws: DecodeError.self) { try reader.string() }
        var again = ByteReader(writer.bytes, path: "test")
        var shared = SharedStrings()
        #expect(throws: DecodeError.self) { try again.string(sharing: &shared) }
    }
}
