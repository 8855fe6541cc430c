import FoundationEssentials
import Synchronization

/// Where commands get the time: the real clock in the server, a scripted one in tests.
public struct Clock: Sendable {
    public let now: @Sendable () -> Instant
    public init(now: @escaping @Sendable () -> Instant) { self.now = now }

    public static let system = Clock {
        Instant(nanosSinceEpoch: Int64((Date().timeIntervalSince1970 * 1e9).rounded()))
    }

    /// Starts at `start` and moves forward `step` on every reading: deterministic and increasing.
    public static func stepping(from start: Instant, stepMillis: Int64 = 1) -> Clock {
        let next = Mutex(start.nanosSinceEpoch)
        return Clock {
            next.withLock { t in
                defer { t += stepMillis * 1_000_000 }
                return Instant(nanosSinceEpoch: t)
            }
        }
    }
}

/// Makes ids "<prefix>_" + a 26-character Crockford base32 ULID: 48 bits of milliseconds, then 80
/// bits that are random for the first id in a millisecond and incremented for the next ones, so
/// ids from one generator sort in the order they were made. A seed makes the sequence repeatable.
public struct IDGenerator: Sendable {
    private struct State {
        var lastMillis: Int64 = -1
        var high: UInt16 = 0   // top 16 of the 80 random bits
        var low: UInt64 = 0    // bottom 64
        var seed: UInt64?      // SplitMix64 state, nil for the system generator
    }
    private let box: Box

    private final class Box: Sendable {
        let state: Mutex<State>
        init(_ s: State) { state = Mutex(s) }
    }

    public init(seed: UInt64? = nil) { box = Box(State(seed: seed)) }

    public func make(prefix: String, at time: Instant) -> String {
        let millis = max(0, time.millisSinceEpoch)
        let (stamp, high, low) = box.state.withLock { s -> (Int64, UInt16, UInt64) in
            if millis <= s.lastMillis {
                // Same (or an earlier) millisecond: keep the previous time, count up.
                s.low &+= 1
                if s.low == 0 { s.high &+= 1 }
            } else {
                s.lastMillis = millis
                let r1 = Self.random(&s), r2 = Self.random(&s)
                s.high = UInt16(truncatingIfNeeded: r1)
                s.low = r2 >> 1  // leave headroom so counting up within a millisecond doesn't wrap
            }
            return (s.lastMillis, s.high, s.low)
        }
        return prefix + "_" + Self.encode(millis: UInt64(stamp), high: high, low: low)
    }

    public func workflowID(at time: Instant) -> String { make(prefix: "wf", at: time) }

    private static func random(_ s: inout State) -> UInt64 {
        guard var x = s.seed else { return UInt64.random(in: .min ... .max) }
        x &+= 0x9E37_79B9_7F4A_7C15
        s.seed = x
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// 128 bits (48 time + 80 random) as 26 base32 digits, most significant first.
    static func encode(millis: UInt64, high: UInt16, low: UInt64) -> String {
        // Put the value in a 130-bit big-endian window: 2 zero bits, 48 time bits, 80 random bits.
        let top = (millis & 0xFFFF_FFFF_FFFF) << 16 | UInt64(high)  // 64 bits: time + high random
        var chars = [UInt8](repeating: 0, count: 26)
        for i in 0..<26 {
            let shift = 125 - 5 * i  // bit offset of this digit's lowest bit, counting from the bottom of 128 bits
            var digit: UInt64 = 0
            for b in 0..<5 {
                let bit = shift + b
                if bit >= 128 { continue }
                let v = bit >= 64 ? (top >> UInt64(bit - 64)) & 1 : (low >> UInt64(bit)) & 1
                digit |= v << UInt64(b)
            }
            chars[i] = alphabet[Int(digit)]
        }
        return String(decoding: chars, as: UTF8.self)
    }
}

/// What a command needs from the outside world.
public struct Environment: Sendable {
    public var clock: Clock
    public var ids: IDGenerator
    public init(clock: Clock = .system, ids: IDGenerator = IDGenerator()) {
        self.clock = clock
        self.ids = ids
    }
}
