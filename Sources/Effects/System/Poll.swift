// poll(2) with a cancel wakeup and a deadline: how every blocking step on a dedicated thread
// waits, so that cancellation and timeouts interrupt it at once.
import Glibc

/// Why a wait ended without its descriptor becoming ready.
enum WaitInterrupt: Error, Sendable {
    case canceled
    case timedOut
}

/// The wakeup and deadline one operation's every wait honours.
struct Interrupts: Sendable {
    let wakeup: Wakeup
    let deadline: ContinuousClock.Instant

    /// Canceled wins over timed out: the executor cancels a step that timed out its own way.
    func check() throws(WaitInterrupt) {
        if wakeup.isFired { throw .canceled }
        if ContinuousClock.now >= deadline { throw .timedOut }
    }

    /// Waits until `fd` reports one of `events` (or an error/hangup), returning its revents.
    func wait(for fd: Int32, events: Int16) throws(WaitInterrupt) -> Int16 {
        while true {
            try check()
            var fds = [pollfd(fd: fd, events: events, revents: 0),
                       pollfd(fd: wakeup.fd, events: Int16(POLLIN), revents: 0)]
            let ready = pollRetryingEINTR(&fds, timeoutMilliseconds: millisecondsUntil(deadline))
            if ready > 0, fds[1].revents != 0 { throw .canceled }
            if ready > 0, fds[0].revents != 0 { return fds[0].revents }
        }
    }
}

/// poll(2), retried on EINTR. Returns the count of ready descriptors, 0 on timeout.
func pollRetryingEINTR(_ fds: inout [pollfd], timeoutMilliseconds: Int32) -> Int32 {
    while true {
        let rc = fds.withUnsafeMutableBufferPointer { buffer in
            poll(buffer.baseAddress, nfds_t(buffer.count), timeoutMilliseconds)
        }
        if rc >= 0 || errno != EINTR { return max(rc, 0) }
    }
}

/// Milliseconds from now until `deadline`, rounded up (a deadline 0.2 ms away is 1 ms, not a
/// busy 0), clamped to 0...Int32.max.
func millisecondsUntil(_ deadline: ContinuousClock.Instant) -> Int32 {
    let left = ContinuousClock.now.duration(to: deadline)
    guard left > .zero else { return 0 }
    let (seconds, attoseconds) = left.components
    let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    return Int32(clamping: millis)
}

/// Seconds as a short human string: "5s", "1.5s", "0.25s".
func describe(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
    if millis % 1000 == 0 { return "\(millis / 1000)s" }
    var text = String(Double(millis) / 1000)
    while text.hasSuffix("0") { text.removeLast() }
    return text + "s"
}
