import FoundationEssentials
import Synchronization
import Crypto

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

/// Makes ids "<prefix>_" + a 26-character Crockford base32 ULID: 48 bits of milliseconds, then an
/// 80-bit tail drawn from the CSPRNG, so an id says nothing about any other id (one increment
/// away is nothing but a guess). Ids still sort by time, and the ids one tenant gets in one
/// millisecond sort in the order they were made (List answers newest first by id): the first
/// one's tail is 80 random bits and each next one adds a random step of 1 ..< 2^64. That order
/// is kept per tenant, not across the server: a tenant's tails never depend on another
/// tenant's ids, so they show neither the order nor the number of anyone else's creations.
/// The time part never goes back (a clock that steps back keeps the newest millisecond), and
/// a tail that would pass 2^80 moves on to the next millisecond. A seed makes the sequence
/// repeatable (tests): every random draw then comes from SplitMix64.
public struct IDGenerator: Sendable {
    private struct State {
        /// The newest millisecond an id was made in; `tails` belong to it.
        var millis: Int64 = -1
        /// Per tenant, the last tail given out in `millis`.
        var tails: [String: Tail] = [:]
        var seed: UInt64?  // SplitMix64 state, nil for the system generator
        /// CSPRNG output drawn 4 KiB at a time: one OpenSSL call per 512 draws, not per id.
        var pool: [UInt64] = []
        var poolNext = 0
    }
    private struct Tail {
        var high: UInt16  // top 16 of the 80 bits
        var low: UInt64   // bottom 64
    }
    private let box: Box

    private final class Box: Sendable {
        let state: Mutex<State>
        init(_ s: State) { state = Mutex(s) }
    }

    public init(seed: UInt64? = nil) { box = Box(State(seed: seed)) }

    public func make(prefix: String, tenant: String, at time: Instant) -> String {
        let millis = max(0, time.millisSinceEpoch)
        let (stamp, tail) = box.state.withLock { s -> (Int64, Tail) in
            if millis > s.millis {
                s.millis = millis
                s.tails.removeAll(keepingCapacity: true)
            }
            var next: Tail
            if let last = s.tails[tenant] {
                let (low, carry) = last.low.addingReportingOverflow(max(Self.random(&s), 1))
                let (high, full) = last.high.addingReportingOverflow(carry ? 1 : 0)
                if full {
                    // 2^80 used up in this millisecond: the next one starts afresh for everyone,
                    // and is still later than every id made so far.
                    s.millis += 1
                    s.tails.removeAll(keepingCapacity: true)
                    next = Self.randomTail(&s)
                } else {
                    next = Tail(high: high, low: low)
                }
            } else {
                next = Self.randomTail(&s)
            }
            s.tails[tenant] = next
            return (s.millis, next)
        }
        return prefix + "_" + Self.encode(millis: UInt64(stamp), high: tail.high, low: tail.low)
    }

    public func workflowID(tenant: String, at time: Instant) -> String { make(prefix: "wf", tenant: tenant, at: time) }

    private static func randomTail(_ s: inout State) -> Tail {
        Tail(high: UInt16(truncatingIfNeeded: random(&s)), low: random(&s))
    }

    /// 64 bits from OpenSSL's CSPRNG (through the pool), or from the seeded SplitMix64 sequence.
    private static func random(_ s: inout State) -> UInt64 {
        guard var x = s.seed else {
            if s.poolNext == s.pool.count {
                s.pool = Crypto.randomBytes(512 * 8).withUnsafeBytes { raw in
                    (0..<512).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self) }
                }
                s.poolNext = 0
            }
            defer { s.poolNext += 1 }
            return s.pool[s.poolNext]
        }
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
