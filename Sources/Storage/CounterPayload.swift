/// The torture writers' records (shared by spindle-storage-torture and the crash tests, hence `package`): 200 bytes, [u32 writer][u64 seq][188 bytes derived from
/// both], so a half-written or misplaced payload cannot parse.
package enum CounterPayload {
    package static let size = 200
    package static let type: UInt8 = 1

    package struct Bad: Error, CustomStringConvertible { package let description: String }

    package static func encode(writer: UInt32, seq: UInt64) -> Record {
        var payload: [UInt8] = []
        payload.reserveCapacity(size)
        withUnsafeBytes(of: writer.littleEndian) { payload.append(contentsOf: $0) }
        withUnsafeBytes(of: seq.littleEndian) { payload.append(contentsOf: $0) }
        for i in payload.count..<size { payload.append(filler(writer: writer, seq: seq, index: i)) }
        return Record(type: type, payload: payload)
    }

    package static func decode(_ record: Record) throws -> (writer: UInt32, seq: UInt64) {
        let p = record.payload
        guard record.type == type, p.count == size else { throw Bad(description: "record of type \(record.type), \(p.count) bytes") }
        let writer = p[0..<4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let seq = p[4..<12].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        for i in 12..<size where p[i] != filler(writer: writer, seq: seq, index: i) {
            throw Bad(description: "writer \(writer) seq \(seq): byte \(i) wrong")
        }
        return (writer, seq)
    }

    private static func filler(writer: UInt32, seq: UInt64, index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: UInt64(writer) &* 31 &+ seq &* 7 &+ UInt64(index))
    }

    /// Snapshot: [u32 count] then [u32 writer][u64 max seq] per writer.
    package static func encodeState(_ state: [UInt32: UInt64]) -> [UInt8] {
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt32(state.count).littleEndian) { out.append(contentsOf: $0) }
        for (writer, seq) in state.sorted(by: { $0.key < $1.key }) {
            withUnsafeBytes(of: writer.littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: seq.littleEndian) { out.append(contentsOf: $0) }
        }
        return out
    }

    package static func decodeState(_ bytes: [UInt8]) throws -> [UInt32: UInt64] {
        guard bytes.count >= 4 else { throw Bad(description: "snapshot of \(bytes.count) bytes") }
        let count = Int(bytes[0..<4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        guard bytes.count == 4 + count * 12 else { throw Bad(description: "snapshot of \(bytes.count) bytes for \(count) writers") }
        var state: [UInt32: UInt64] = [:]
        for i in 0..<count {
            let at = 4 + i * 12
            state[bytes[at..<(at + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }] =
                bytes[(at + 4)..<(at + 12)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
        return state
    }
}
