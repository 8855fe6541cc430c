/// Reads the frames of one segment file in order, in chunks, through the file layer (so a
/// layer that returns short reads exercises the refill path). Used by recovery's check pass
/// and by replay.
struct SegmentScanner {
    enum Step {
        case record(type: UInt8, payload: [UInt8]?)
        /// Clean end: every byte up to the limit was a whole, valid frame.
        case end
        /// Zero-filled space the writer has not used yet starts at `offset` (the reader's
        /// position stays there). Recovery checks that only zeros follow.
        case zeros
        /// A bad frame at `offset`. `frameEnd` is where it claims to end (nil if its length is bad).
        case bad(offset: Int64, reason: String, frameEnd: Int64?)
    }

    static let chunkBytes = 1 << 20

    let files: any FileLayer
    let fd: Int32
    let path: String
    let maxPayloadBytes: Int
    /// Reads stop here (the file's size, or where recovery found the valid end).
    let limit: Int64
    private var buffer: [UInt8] = []
    private var position = 0
    private var bufferOffset: Int64

    init(files: any FileLayer, fd: Int32, path: String, from start: Int64, limit: Int64, maxPayloadBytes: Int) {
        self.files = files
        self.fd = fd
        self.path = path
        self.limit = limit
        self.maxPayloadBytes = maxPayloadBytes
        self.bufferOffset = start
    }

    /// File offset of the next frame.
    var offset: Int64 { bufferOffset + Int64(position) }

    mutating func next(wantPayload: Bool) throws -> Step {
        while true {
            let parsed = buffer.withUnsafeBytes { raw in
                Frame.parse(UnsafeRawBufferPointer(rebasing: raw[position...]), maxPayloadBytes: maxPayloadBytes)
            }
            switch parsed {
            case let .record(type, payload, frameBytes):
                let bytes = wantPayload
                    ? Array(buffer[(position + payload.lowerBound)..<(position + payload.upperBound)]) : nil
                position += frameBytes
                return .record(type: type, payload: bytes)
            case let .badLength(length):
                return .bad(offset: offset, reason: "record length \(length) is over the limit of \(maxPayloadBytes)",
                            frameEnd: nil)
            case .zeros:
                return .zeros
            case let .badChecksum(frameBytes):
                return .bad(offset: offset, reason: "checksum mismatch", frameEnd: offset + Int64(frameBytes))
            case let .incomplete(needed):
                if try fill(atLeast: needed) { continue }
                let have = buffer.count - position
                if have == 0 { return .end }
                let what = needed == Frame.headerBytes ? "header" : "payload"
                return .bad(offset: offset, reason: "short \(what): \(have) of \(needed) bytes",
                            frameEnd: offset + Int64(needed))
            }
        }
    }

    /// Makes at least `needed` unread bytes available; false if the limit comes first.
    private mutating func fill(atLeast needed: Int) throws -> Bool {
        if position > 0 {
            buffer.removeFirst(position)
            bufferOffset += Int64(position)
            position = 0
        }
        while buffer.count < needed {
            let readAt = bufferOffset + Int64(buffer.count)
            let want = Int(min(Int64(max(needed - buffer.count, Self.chunkBytes)), limit - readAt))
            if want <= 0 { return false }
            let old = buffer.count
            let (files, fd) = (self.files, self.fd)
            buffer.append(contentsOf: repeatElement(0, count: want))
            let n = try buffer.withUnsafeMutableBytes { raw -> Int in
                try files.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[old...]), at: readAt)
            }
            buffer.removeLast(want - n)
            if n == 0 { return false }
        }
        return true
    }
}
