/// One entry in the log: a type byte the layers above assign (workflow, run, run event...)
/// and an opaque payload. The store never looks inside.
public struct Record: Sendable, Hashable {
    public var type: UInt8
    public var payload: [UInt8]

    public init(type: UInt8, payload: [UInt8]) {
        self.type = type
        self.payload = payload
    }
}

/// The on-disk frame of a record, little-endian:
///
///     [u32 payload length][u32 CRC-32C of (type byte + payload)][u8 type][payload]
///
/// A record's LSN is not stored: it is the segment's first LSN (in its file name) plus the
/// record's index in the segment.
enum Frame {
    static let headerBytes = 9

    static func size(payloadBytes: Int) -> Int { headerBytes + payloadBytes }

    static func encode(_ record: Record, into out: inout [UInt8]) {
        let crc = record.payload.withUnsafeBytes { CRC32C.record(type: record.type, payload: $0) }
        appendLE(UInt32(record.payload.count), to: &out)
        appendLE(crc, to: &out)
        out.append(record.type)
        out.append(contentsOf: record.payload)
    }

    static func appendLE<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    static func readLE<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, at offset: Int, as: T.Type) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// What the bytes at the start of `bytes` hold.
    enum Parse: Equatable {
        /// A whole, checksummed record: its type, where its payload lies, and the frame's size.
        case record(type: UInt8, payload: Range<Int>, frameBytes: Int)
        /// Too few bytes to tell: `needed` in all for this frame (header or header + payload).
        case incomplete(needed: Int)
        /// The length is over the limit: no honest writer produced this frame.
        case badLength(UInt32)
        /// The frame is whole but its checksum does not match.
        case badChecksum(frameBytes: Int)
        /// A header of nine zero bytes: log space written ahead as zeros and not used yet
        /// (`LogWriter` zero-fills segments ahead of the records). No record frames to this,
        /// since the checksum of a zero type byte and no payload is not zero.
        case zeros
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, maxPayloadBytes: Int) -> Parse {
        guard bytes.count >= headerBytes else { return .incomplete(needed: headerBytes) }
        let length = readLE(bytes, at: 0, as: UInt32.self)
        let stored = readLE(bytes, at: 4, as: UInt32.self)
        let type = bytes[8]
        if length == 0 && stored == 0 && type == 0 { return .zeros }
        guard Int(length) <= maxPayloadBytes else { return .badLength(length) }
        let total = headerBytes + Int(length)
        guard bytes.count >= total else { return .incomplete(needed: total) }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[headerBytes..<total])
        guard CRC32C.record(type: type, payload: payload) == stored else { return .badChecksum(frameBytes: total) }
        return .record(type: type, payload: headerBytes..<total, frameBytes: total)
    }
}

/// Decodes frames from bytes that arrive in pieces of any size (a socket, a short read, a
/// test feeding one byte at a time). Checks the length against the limit before buffering.
public struct LogDecoder: Sendable {
    public enum Output: Equatable, Sendable {
        case record(Record)
        /// Needs more bytes before it can say anything.
        case needMore
        /// The next frame is bad: a length over the limit, or a checksum mismatch.
        case corrupt(offset: Int64, reason: String)
    }

    private var buffer: [UInt8] = []
    private var start = 0
    /// Stream offset of buffer[start]: where the next frame begins.
    public private(set) var offset: Int64 = 0
    private let maxPayloadBytes: Int

    public init(maxPayloadBytes: Int = StoreOptions.defaultMaxRecordBytes) {
        self.maxPayloadBytes = maxPayloadBytes
    }

    /// Bytes fed but not yet returned as records.
    public var bufferedBytes: Int { buffer.count - start }

    public mutating func feed(_ bytes: some Collection<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func next() -> Output {
        let parsed = buffer.withUnsafeBytes { raw in
            Frame.parse(UnsafeRawBufferPointer(rebasing: raw[start...]), maxPayloadBytes: maxPayloadBytes)
        }
        switch parsed {
        case .incomplete:
            return .needMore
        case let .badLength(length):
            return .corrupt(offset: offset, reason: "record length \(length) is over the limit of \(maxPayloadBytes)")
        case .badChecksum:
            return .corrupt(offset: offset, reason: "checksum mismatch")
        case .zeros:
            return .corrupt(offset: offset, reason: "a header of zeros")
        case let .record(type, payload, frameBytes):
            let record = Record(type: type, payload: Array(buffer[(start + payload.lowerBound)..<(start + payload.upperBound)]))
            start += frameBytes
            offset += Int64(frameBytes)
            return .record(record)
        }
    }
}
