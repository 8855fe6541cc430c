/// The `grpc-timeout` header: 1 to 8 ASCII digits and a unit (H, M, S, m, u, n).
public enum GRPCTimeout {
    /// Parses the header value; nil when malformed.
    public static func parse(_ value: String) -> Duration? {
        let utf8 = Array(value.utf8)
        guard utf8.count >= 2, utf8.count <= 9, let unit = utf8.last else { return nil }
        var amount: Int64 = 0
        for c in utf8.dropLast() {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            amount = amount * 10 + Int64(c - 0x30)
        }
        switch unit {
        case UInt8(ascii: "H"): return .seconds(amount * 3600)
        case UInt8(ascii: "M"): return .seconds(amount * 60)
        case UInt8(ascii: "S"): return .seconds(amount)
        case UInt8(ascii: "m"): return .milliseconds(amount)
        case UInt8(ascii: "u"): return .microseconds(amount)
        case UInt8(ascii: "n"): return .nanoseconds(amount)
        default: return nil
        }
    }

    /// Encodes a duration the way clients send it (for tests and outbound calls).
    public static func encode(_ duration: Duration) -> String {
        let (seconds, attos) = duration.components
        let nanos = seconds * 1_000_000_000 + attos / 1_000_000_000
        if nanos < 100_000_000 { return "\(max(nanos, 0))n" }
        let micros = nanos / 1000
        if micros < 100_000_000 { return "\(micros)u" }
        let millis = micros / 1000
        if millis < 100_000_000 { return "\(millis)m" }
        return "\(min(millis / 1000, 99_999_999))S"
    }
}
