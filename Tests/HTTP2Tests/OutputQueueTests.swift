import Glibc
@testable import HTTP2
import Testing

@Suite struct OutputQueueTests {
    /// Small and large appends, drained by writers that take odd amounts (and sometimes
    /// nothing): the bytes come out whole and in order, in iovec lists of bounded length.
    @Test(arguments: [true, false])
    func drainsEverythingInOrderWhateverEachWriteTakes(gather: Bool) {
        var queue = OutputQueue(gather: gather)
        var expected: [UInt8] = []
        var received: [UInt8] = []
        var next: UInt8 = 0
        func bytes(_ n: Int) -> [UInt8] {
            (0..<n).map { _ in next &+= 1; return next }
        }
        var maxPieces = 0
        for round in 0..<150 {
            // A frame header, then a payload that is sometimes large enough to be a slice.
            let header = bytes(9)
            header.withUnsafeBufferPointer { queue.append($0) }
            let size = [0, 5, 1030, 4095, 4096, 16_384, 70_000][round * 5 % 7]
            let payload = bytes(size)
            queue.append(payload[...])
            expected += header + payload
            if round % 5 == 0 { queue.append(0xEE); expected.append(0xEE) }
            #expect(queue.count == expected.count - received.count)
            // Drain some, in writes of uneven sizes (0 = the socket is full).
            for attempt in 0..<(round % 3) {
                let cap = (round * 7919 + attempt * 104_729) % 50_000
                _ = queue.write { iov in
                    maxPieces = max(maxPieces, iov.count)
                    return take(iov, cap, into: &received)
                }
            }
        }
        while !queue.isEmpty {
            let n = queue.write { iov in
                maxPieces = max(maxPieces, iov.count)
                return take(iov, 65_536, into: &received)
            }
            #expect(n > 0)
        }
        #expect(received.count == expected.count)
        let firstDifference = received.indices.first { $0 < expected.count && received[$0] != expected[$0] }
        #expect(firstDifference == nil, "bytes differ from offset \(firstDifference ?? -1)")
        #expect(maxPieces <= OutputQueue.maxPieces)
        if gather { #expect(maxPieces > 1, "large payloads go out as their own pieces") } else { #expect(maxPieces == 1) }
    }

    @Test func sliceQueueHandsOutEveryByteOnceInOrder() {
        var queue = SliceQueue()
        var expected: [UInt8] = []
        var out: [UInt8] = []
        for round in 0..<300 {
            let chunk = (0..<(round * 37 % 900)).map { UInt8(truncatingIfNeeded: $0 &+ round) }
            queue.append(chunk[...])
            expected += chunk
            let n = min(queue.count, round * 53 % 1500)
            queue.removeFirst(n) { out += $0 }
            #expect(queue.count == expected.count - out.count)
        }
        queue.removeFirst(queue.count) { out += $0 }
        #expect(queue.isEmpty && out == expected)
    }

    @Test func aWriteErrorLeavesTheQueueAsItWas() {
        var queue = OutputQueue(gather: true)
        let big = [UInt8](repeating: 3, count: 10_000)
        queue.append(big[...])
        #expect(queue.write { _ in -1 } == -1)
        #expect(queue.count == 10_000)
    }

    /// Copies up to `cap` bytes from the iovecs, as a socket would accept them.
    private func take(_ iov: UnsafeBufferPointer<iovec>, _ cap: Int, into out: inout [UInt8]) -> Int {
        var taken = 0
        for v in iov where taken < cap {
            let n = min(v.iov_len, cap - taken)
            out += UnsafeRawBufferPointer(start: v.iov_base, count: n)
            taken += n
        }
        return taken
    }
}
