// Byte queues on the way out: a stream's response DATA not yet framed, and a connection's
// framed bytes not yet written to its socket.
import Glibc

/// A FIFO of byte slices that share the storage of the arrays they came from: nothing is
/// copied in or out. One slice (the usual unary response) is held without an array.
struct SliceQueue {
    private var lone: ArraySlice<UInt8>?
    private var slices: [ArraySlice<UInt8>] = []
    private var head = 0
    /// Bytes queued.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ slice: ArraySlice<UInt8>) {
        guard !slice.isEmpty else { return }
        if count == 0 {
            lone = slice
        } else {
            if let first = lone {
                slices.append(first)
                lone = nil
            }
            slices.append(slice)
        }
        count += slice.count
    }

    /// Calls `body` with each queued slice, oldest first, until it returns false.
    func forEach(_ body: (ArraySlice<UInt8>) -> Bool) {
        if let lone { _ = body(lone); return }
        for index in head..<slices.count where !body(slices[index]) { return }
    }

    /// Drops the first `n` bytes, handing each removed slice (or part of one) to `body`.
    mutating func removeFirst(_ n: Int, _ body: (ArraySlice<UInt8>) -> Void = { _ in }) {
        precondition(n <= count, "removing more bytes than are queued")
        count -= n
        if let first = lone {
            body(first.prefix(n))
            lone = count == 0 ? nil : first.dropFirst(n)
            return
        }
        var left = n
        while left > 0 {
            let slice = slices[head]
            if slice.count <= left {
                body(slice)
                left -= slice.count
                slices[head] = []  // let go of the array it came from now
                head += 1
            } else {
                body(slice.prefix(left))
                slices[head] = slice.dropFirst(left)
                left = 0
            }
        }
        if head == slices.count {
            slices.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 32 && head * 2 > slices.count {
            slices.removeFirst(head)
            head = 0
        }
    }
}

/// A connection's unsent output, in order. Small pieces (frame headers, HEADERS frames, small
/// DATA) are gathered into one buffer; a large DATA payload stays a slice of the array the
/// runtime wrote, and the whole queue goes out with one `writev`. A large response body is
/// then copied once on its way out (into the kernel), not twice.
///
/// With `gather` off (TLS, where every byte is copied again to be encrypted, and where small
/// writes would become small TLS records) everything is gathered into the buffer.
struct OutputQueue {
    /// Payloads at least this large are queued as slices rather than copied.
    static let sliceThreshold = 4096
    /// Pieces handed to one `writev` (the kernel takes up to IOV_MAX = 1024).
    static let maxPieces = 64

    let gather: Bool
    /// Closed pieces, then `open`.
    private var pieces = SliceQueue()
    /// Small bytes appended after the last closed piece; the first `openOffset` are sent.
    private var open: [UInt8] = []
    private var openOffset = 0
    private var listScratch: [ArraySlice<UInt8>] = []
    private var iovScratch: [iovec] = []

    init(gather: Bool) { self.gather = gather }

    /// Unsent bytes.
    var count: Int { pieces.count + open.count - openOffset }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) { open.append(contentsOf: bytes) }

    mutating func append(_ byte: UInt8) { open.append(byte) }

    /// Queues `slice` itself when it is large (and gathering is on), else copies it.
    mutating func append(_ slice: ArraySlice<UInt8>) {
        guard gather, slice.count >= Self.sliceThreshold else {
            open.append(contentsOf: slice)
            return
        }
        // The unsent part of `open` becomes a piece, so that `slice` queues behind it.
        if openOffset < open.count { pieces.append(open[openOffset...]) }
        open = []
        openOffset = 0
        pieces.append(slice)
    }

    /// Calls `write` with the unsent bytes (up to `maxPieces` of them) as an iovec list and
    /// drops what it reports written. `write` returns a byte count, 0 for "try later", or a
    /// negative number for an error, which is passed back.
    mutating func write(_ write: (UnsafeBufferPointer<iovec>) -> Int) -> Int {
        let written: Int
        if pieces.isEmpty {  // all small: one buffer, no lists to build
            written = open.withUnsafeBytes { raw in
                var one = iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + openOffset),
                                iov_len: raw.count - openOffset)
                return withUnsafePointer(to: &one) { write(UnsafeBufferPointer(start: $0, count: 1)) }
            }
        } else {
            // Scratch lists kept between calls (taken out, so `self` is free meanwhile).
            var list = listScratch, iov = iovScratch
            pieces.forEach { piece in
                list.append(piece)
                return list.count < Self.maxPieces
            }
            if list.count < Self.maxPieces && openOffset < open.count { list.append(open[openOffset...]) }
            written = Self.pinning(list[...], into: &iov, write)
            list.removeAll(keepingCapacity: true)
            iov.removeAll(keepingCapacity: true)
            (listScratch, iovScratch) = (list, iov)
        }
        if written > 0 {
            let fromPieces = min(written, pieces.count)
            pieces.removeFirst(fromPieces)
            openOffset += written - fromPieces
            if count == 0 {
                open.removeAll(keepingCapacity: open.capacity <= 4 << 20)
                openOffset = 0
            }
        }
        return written
    }

    /// Pins each slice's storage while the iovecs point into it: one closure per slice,
    /// nested, so no pointer outlives the array it points into.
    private static func pinning(_ slices: ArraySlice<ArraySlice<UInt8>>, into iov: inout [iovec],
                                _ body: (UnsafeBufferPointer<iovec>) -> Int) -> Int {
        guard let first = slices.first else { return iov.withUnsafeBufferPointer(body) }
        return first.withUnsafeBytes { raw in
            iov.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress), iov_len: raw.count))
            return pinning(slices.dropFirst(), into: &iov, body)
        }
    }
}
