import ProtoWire
import Testing

func decodes(_ bytes: [UInt8]) throws(ProtoDecodingError) -> Node { try Node(serializedBytes: bytes) }

func expectFailure(_ bytes: [UInt8], _ expected: ProtoDecodingError, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(throws: expected, sourceLocation: sourceLocation) { try decodes(bytes) }
}

struct VarintTests {
    @Test func encodingsAreMinimal() {
        func enc(_ v: UInt64) -> [UInt8] { var w = ProtoWriter(); w.writeVarint(v); return w.take() }
        #expect(enc(0) == [0x00])
        #expect(enc(1) == [0x01])
        #expect(enc(127) == [0x7F])
        #expect(enc(128) == [0x80, 0x01])
        #expect(enc(300) == [0xAC, 0x02])
        #expect(enc(.max) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        for v: UInt64 in [0, 1, 127, 128, 16383, 16384, 1 << 35, .max] { #expect(Varint.size(v) == enc(v).count) }
    }

    @Test func decodeRoundTripsAndRejectsOverlong() throws {
        for v: UInt64 in [0, 1, 300, 1 << 63, .max] {
            var w = ProtoWriter(); w.writeVarint(v)
            var r = ProtoReader(w.take()[...])
            #expect(try r.readVarint() == v)
            #expect(r.isAtEnd)
        }
        // 10th byte may only be 0 or 1 (bit 63).
        var r = ProtoReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02][...])
        #expect(throws: ProtoDecodingError.malformedVarint) { try r.readVarint() }
        // 11 bytes.
        r = ProtoReader([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00][...])
        #expect(throws: ProtoDecodingError.malformedVarint) { try r.readVarint() }
        r = ProtoReader([0x80, 0x80][...])
        #expect(throws: ProtoDecodingError.truncated) { try r.readVarint() }
    }

    @Test func zigzag() {
        #expect(ZigZag.encode(Int32(0)) == 0)
        #expect(ZigZag.encode(Int32(-1)) == 1)
        #expect(ZigZag.encode(Int32(1)) == 2)
        #expect(ZigZag.encode(Int32.min) == UInt32.max)
        #expect(ZigZag.encode(Int64.max) == UInt64.max - 1)
        for v: Int64 in [0, -1, 1, .min, .max, -12345] { #expect(ZigZag.decode(ZigZag.encode(v)) == v) }
        for v: Int32 in [0, -1, 1, .min, .max] { #expect(ZigZag.decode(ZigZag.encode(v)) == v) }
    }
}

struct AnnotatedBytesTests {
    @Test func encodesFieldByField() {
        var n = Node()
        n.a = 150; n.s = "hi"; n.r = [-1, 2]
        #expect(n.serializedBytes() == [
            0x08, 0x96, 0x01,        // field 1, wire type 0; 150
            0x12, 0x02, 0x68, 0x69,  // field 2, wire type 2; length 2; "hi"
            0x1A, 0x02, 0x01, 0x04,  // field 3, wire type 2 (packed); zigzag(-1)=1, zigzag(2)=4
        ])
    }

    @Test func negativeInt32IsTenBytes() {
        var n = Node(); n.a = -1
        #expect(n.serializedBytes() == [0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x01])  // field 1, wire type 0
    }

    @Test func defaultsAreNotEmitted() {
        #expect(Node().serializedBytes() == [])
    }

    @Test func nestedLengthIsBackpatched() throws {
        var inner = Node(); inner.s = String(repeating: "x", count: 200)
        var outer = Node(); outer.child = .init(inner)
        let bytes = outer.serializedBytes()
        // field 4, wire type 2; length 203 = 0xCB 0x01; then field 2, wire type 2; length 200 = 0xC8 0x01.
        #expect(Array(bytes.prefix(6)) == [0x22, 0xCB, 0x01, 0x12, 0xC8, 0x01])
        #expect(bytes.count == 3 + 203)
        #expect(try decodes(bytes) == outer)
    }

    @Test func serializeAppendsToExistingBuffer() {
        var n = Node(); n.a = 1
        var buffer: [UInt8] = [0xAA, 0xBB]
        n.serialize(into: &buffer)
        #expect(buffer == [0xAA, 0xBB, 0x08, 0x01])  // field 1, wire type 0
    }

    @Test func packedAndUnpackedBothAccepted() throws {
        let unpacked: [UInt8] = [0x18, 0x01, 0x18, 0x04]  // field 3, wire type 0, twice
        let packed: [UInt8] = [0x1A, 0x02, 0x01, 0x04]    // field 3, wire type 2
        #expect(try decodes(unpacked).r == [-1, 2])
        #expect(try decodes(packed).r == [-1, 2])
        #expect(try decodes(packed + unpacked).r == [-1, 2, -1, 2])
    }

    @Test func unknownFieldsOfEveryWireTypeAreSkipped() throws {
        let bytes: [UInt8] = [
            0x28, 0x05,                          // field 5, wire type 0
            0x31, 1, 2, 3, 4, 5, 6, 7, 8,        // field 6, wire type 1
            0x3A, 0x01, 0xFF,                    // field 7, wire type 2
            0x43, 0x08, 0x01, 0x44,              // field 8, wire type 3 { field 1 varint } wire type 4
            0x4D, 1, 2, 3, 4,                    // field 9, wire type 5
            0x08, 0x07,                          // field 1, wire type 0: 7
        ]
        #expect(try decodes(bytes).a == 7)
    }
}

struct MalformedInputTests {
    @Test func truncatedVarint() { expectFailure([0x08, 0x96], .truncated) }          // field 1, varint cut
    @Test func elevenByteVarint() {
        expectFailure([0x08] + [UInt8](repeating: 0x80, count: 10) + [0x00], .malformedVarint)
    }
    @Test func lengthBeyondEnd() { expectFailure([0x12, 0x05, 0x61], .lengthOutOfBounds) }  // field 2, len 5, 1 byte
    @Test func lengthNearIntMax() {
        // field 2, wire type 2, length 2^63 - 1
        expectFailure([0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], .lengthOutOfBounds)
        expectFailure([0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], .lengthOutOfBounds)
    }
    @Test func wrongWireTypeForKnownField() {
        expectFailure([0x0D, 0, 0, 0, 0], .invalidWireType(field: 1, wireType: 5))  // field 1, wire type 5
        expectFailure([0x0A, 0x00], .invalidWireType(field: 1, wireType: 2))        // field 1, wire type 2
        expectFailure([0x10, 0x00], .invalidWireType(field: 2, wireType: 0))        // field 2 (string), wire type 0
        expectFailure([0x0B, 0x0C], .invalidWireType(field: 1, wireType: 3))        // field 1, group
    }
    @Test func wireTypesSixAndSeven() {
        expectFailure([0x0E], .invalidWireType(field: 1, wireType: 6))
        expectFailure([0x0F], .invalidWireType(field: 1, wireType: 7))
    }
    @Test func fieldNumberZeroAndTooLarge() {
        expectFailure([0x00, 0x00], .invalidFieldNumber(0))                        // field 0, wire type 0
        expectFailure([0x80, 0x80, 0x80, 0x80, 0x10, 0x00], .invalidFieldNumber(1 << 29))  // field 2^29
    }
    @Test func unmatchedGroups() {
        expectFailure([0x2C], .unmatchedEndGroup(field: 5))                        // field 5, end group alone
        expectFailure([0x2B, 0x08, 0x01], .truncated)                              // field 5 group never closed
        expectFailure([0x2B, 0x34], .unmatchedEndGroup(field: 6))                  // start 5, end 6
    }
    @Test func invalidUTF8() {
        expectFailure([0x12, 0x02, 0xC3, 0x28], .invalidUTF8(field: 2))            // field 2, bad continuation
        expectFailure([0x12, 0x01, 0xFF], .invalidUTF8(field: 2))
        expectFailure([0x12, 0x03, 0xED, 0xA0, 0x80], .invalidUTF8(field: 2))      // UTF-16 surrogate
    }

    @Test func deepNestingHitsTheBudgetWithoutOverflowingTheStack() {
        // 10,000 levels of field 4 { field 4 { ... } }, built inside out.
        var bytes: [UInt8] = []
        for _ in 0..<10_000 {
            var w = ProtoWriter()
            w.writeTag(4, .lengthDelimited)
            w.writeLengthDelimited(bytes)
            bytes = w.take()
        }
        expectFailure(bytes, .recursionLimitExceeded)
    }

    @Test func nestingWithinBudgetDecodes() throws {
        var n = Node()
        for i in 0..<100 { var parent = Node(); parent.a = Int32(i); parent.child = .init(n); n = parent }
        #expect(try decodes(n.serializedBytes()).depth == 101)
        var parent = Node(); parent.child = .init(n)
        expectFailure(parent.serializedBytes(), .recursionLimitExceeded)
    }

    @Test func deepGroupsHitTheBudget() {
        let bytes = [UInt8](repeating: 0x2B, count: 10_000) + [UInt8](repeating: 0x2C, count: 10_000)
        expectFailure(bytes, .recursionLimitExceeded)
    }
}

struct RobustnessTests {
    static func sample() -> Node {
        var leaf = Node(); leaf.a = -5; leaf.s = "ünï"; leaf.r = [1, -300, 70000]
        var root = Node(); root.a = 123456; root.s = "root"; root.r = [0, -1]; root.child = .init(leaf)
        return root
    }

    @Test func everyPrefixDecodesOrThrows() {
        let bytes = Self.sample().serializedBytes()
        var decodedPrefixes = 0
        for end in 0..<bytes.count {
            // Never traps; a prefix that ends on a field boundary decodes to a prefix-consistent value.
            if let n = try? decodes(Array(bytes[..<end])) {
                decodedPrefixes += 1
                #expect(n.a == 0 || n.a == 123456)
                #expect(n.child == nil || n.child == Self.sample().child)
            }
        }
        #expect(decodedPrefixes >= 3)
    }

    @Test func dripFedSliceReadsMatchWholeBuffer() throws {
        // Decoding a slice whose startIndex is not 0 must behave exactly like a fresh array.
        let bytes = Self.sample().serializedBytes()
        let padded = [0xEE, 0xEE] + bytes + [0xEE]
        #expect(try Node(serializedBytes: padded[2..<(2 + bytes.count)]) == Self.sample())
    }

    @Test func seededMutationFuzzNeverTraps() {
        var rng = SplitMix64(seed: 0x5EED)
        let base = Self.sample().serializedBytes()
        var outcomes = (ok: 0, failed: 0)
        for _ in 0..<20_000 {
            var bytes = base
            for _ in 0...Int(rng.next() % 4) {
                let i = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 4 {
                case 0: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes[i] ^= 1 << UInt8(rng.next() % 8)
                case 2: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
                default: if bytes.count > 1 { bytes.remove(at: i) }
                }
            }
            do {
                let n = try decodes(bytes)
                outcomes.ok += 1
                // Whatever decoded must re-encode and decode to itself.
                #expect((try? decodes(n.serializedBytes())) == n)
            } catch {
                outcomes.failed += 1
            }
        }
        #expect(outcomes.ok > 0 && outcomes.failed > 0)
    }
}

/// A tiny deterministic PRNG so the fuzz loop is reproducible.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
