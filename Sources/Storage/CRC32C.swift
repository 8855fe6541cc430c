/// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78), the checksum of log records and
/// snapshot files. Plain Swift, slicing-by-8: eight bytes per step through eight 256-entry tables.
public enum CRC32C {
    /// tables[k * 256 + b]: the CRC of byte b followed by k zero bytes.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for b in 0..<256 {
            var crc = UInt32(b)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            t[b] = crc
        }
        for k in 1..<8 {
            for b in 0..<256 {
                let previous = t[(k - 1) * 256 + b]
                t[k * 256 + b] = (previous >> 8) ^ t[Int(previous & 0xff)]
            }
        }
        return t
    }()

    /// The checksum of `bytes`, continuing from `crc` (the result of an earlier call, or 0).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        tables.withUnsafeBufferPointer { t in
            var state = ~crc
            var index = 0
            let count = bytes.count
            while count - index >= 8 {
                let lo = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self)) ^ state
                let hi = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index + 4, as: UInt32.self))
                state = t[7 * 256 + Int(lo & 0xff)] ^ t[6 * 256 + Int((lo >> 8) & 0xff)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xff)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xff)] ^ t[2 * 256 + Int((hi >> 8) & 0xff)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xff)] ^ t[Int(hi >> 24)]
                index += 8
            }
            while index < count {
                state = (state >> 8) ^ t[Int((state ^ UInt32(bytes[index])) & 0xff)]
                index += 1
            }
            return ~state
        }
    }

    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// The checksum a log record carries: over its type byte, then its payload.
    static func record(type: UInt8, payload: UnsafeRawBufferPointer) -> UInt32 {
        let head = withUnsafeBytes(of: type) { checksum($0) }
        return checksum(payload, continuing: head)
    }
}
