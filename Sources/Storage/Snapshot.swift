/// A snapshot: the state the layers above built from every record up to and including `lsn`.
public struct Snapshot: Sendable, Equatable {
    public let lsn: UInt64
    public let bytes: [UInt8]
}

/// The snapshot file, little-endian:
///
///     [8 "SPNDSNAP"][u32 version = 1][u32 flags = 0][u64 lsn][u64 length][u32 CRC-32C][payload]
///
/// The CRC covers the 32 header bytes before it, then the payload. The file's size must be
/// exactly 36 + length, and the LSN must match the file name.
enum SnapshotFile {
    static let magic = Array("SPNDSNAP".utf8)
    static let version: UInt32 = 1
    static let headerBytes = 36

    /// The 36 bytes that go before `payload` (written apart from it: a state of many MiB is
    /// not copied once more to put a header in front).
    static func header(lsn: UInt64, payload: [UInt8]) -> [UInt8] {
        var out = magic
        Frame.appendLE(version, to: &out)
        Frame.appendLE(UInt32(0), to: &out)
        Frame.appendLE(lsn, to: &out)
        Frame.appendLE(UInt64(payload.count), to: &out)
        let crc = CRC32C.checksum(payload, continuing: CRC32C.checksum(out))
        Frame.appendLE(crc, to: &out)
        return out
    }

    /// The payload, or why the file is not a valid snapshot at `lsn`.
    static func decode(_ file: [UInt8], lsn expected: UInt64) -> Result<[UInt8], SnapshotProblem> {
        guard file.count >= headerBytes else { return .failure(.init("\(file.count) bytes, shorter than the header")) }
        guard Array(file[0..<8]) == magic else { return .failure(.init("bad magic")) }
        return file.withUnsafeBytes { raw in
            let version = Frame.readLE(raw, at: 8, as: UInt32.self)
            guard version == Self.version else { return .failure(.init("unknown version \(version)")) }
            let lsn = Frame.readLE(raw, at: 16, as: UInt64.self)
            guard lsn == expected else { return .failure(.init("header says LSN \(lsn), name says \(expected)")) }
            let length = Frame.readLE(raw, at: 24, as: UInt64.self)
            guard length == UInt64(file.count - headerBytes) else {
                return .failure(.init("header says \(length) bytes, file holds \(file.count - headerBytes)"))
            }
            let stored = Frame.readLE(raw, at: 32, as: UInt32.self)
            let head = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<32]))
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[headerBytes...]), continuing: head)
            guard crc == stored else { return .failure(.init("checksum mismatch")) }
            return .success(Array(file[headerBytes...]))
        }
    }

    struct SnapshotProblem: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
