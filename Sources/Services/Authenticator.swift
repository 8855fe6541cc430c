import FoundationEssentials
import Synchronization
import Crypto
import Engine
import ProtoWire
public import RPC

/// Who is calling: every workflow and run is scoped to `tenant`.
public struct Principal: Sendable, Equatable {
    public var tenant: String
    public var subject: String
    /// "jwt", "api-key" or "none".
    public var method: String

    public init(tenant: String, subject: String, method: String) {
        self.tenant = tenant
        self.subject = subject
        self.method = method
    }
}

/// Checks `authorization: Bearer <token>` on each call. A token is a static API key from the
/// keys file, or else an HS256 JWT signed with the server's secret (RFC 7519; claims:
/// `tenant`, optional `sub`, `exp`, `nbf`, `iat`). The keys file decides first, whatever the
/// token looks like: a key may contain dots. Anything else is UNAUTHENTICATED, with a message
/// that says what was wrong.
public struct Authenticator: Sendable {
    public enum Mode: Sendable {
        /// Every request is tenant "default" (local development only).
        case none
        case verify(jwtSecret: [UInt8]?, apiKeys: [String: Principal])
    }

    public let mode: Mode
    /// Seconds since 1970; injectable for tests.
    let now: @Sendable () -> Int64
    /// Clock skew tolerated on `exp`, `nbf` and `iat`.
    let leewaySeconds: Int64
    /// The most `--jwt-leeway-seconds` may be: a leeway is for clock skew, not for tokens
    /// that outlive their `exp`.
    public static let maxLeewaySeconds: Int64 = 300
    public static let defaultLeewaySeconds: Int64 = 30
    /// API keys by the SHA-256 of the key: a lookup hashes what was presented and looks the
    /// digest up, so its time says nothing usable about any key (a compare of the raw strings
    /// stops at the first differing byte, which leaks a key byte by byte).
    private let keyDigests: [[UInt8]: Principal]
    /// JWTs whose signature was already checked (an HMAC and two JSON parses per call
    /// otherwise): token -> principal and validity window; `exp` / `nbf` / `iat` are still
    /// checked on every call.
    private let verified = TokenCache()

    public init(mode: Mode, leewaySeconds: Int64 = Authenticator.defaultLeewaySeconds,
                now: @escaping @Sendable () -> Int64 = Authenticator.unixNow) {
        self.mode = mode
        self.now = now
        self.leewaySeconds = min(max(leewaySeconds, 0), Self.maxLeewaySeconds)
        var digests: [[UInt8]: Principal] = [:]
        if case .verify(_, let keys) = mode {
            for (key, principal) in keys { digests[SHA256.hash(key.utf8)] = principal }
        }
        keyDigests = digests
    }

    /// Seconds since 1970, from the system clock.
    @Sendable public static func unixNow() -> Int64 { Int64(Date().timeIntervalSince1970) }

    public func authenticate(_ context: ServerContext) throws(RPCError) -> Principal {
        try authenticate(authorization: context.metadata["authorization"])
    }

    public func authenticate(authorization: String?) throws(RPCError) -> Principal {
        guard case .verify(let secret, _) = mode else {
            return Principal(tenant: "default", subject: "anonymous", method: "none")
        }
        guard let header = authorization else {
            throw RPCError(.unauthenticated, "missing authorization metadata: send \"authorization: Bearer <token>\"")
        }
        // On the UTF-8 bytes: this runs on every call, and Character-wise string work (counting,
        // splitting) was a tenth of a small RPC's cost.
        let utf8 = header.utf8
        guard utf8.count > 7, utf8.prefix(7).elementsEqual("bearer ".utf8, by: { $0 | 0x20 == $1 }) else {
            throw RPCError(.unauthenticated, "authorization metadata must be \"Bearer <token>\"")
        }
        let token = String(Substring(utf8.dropFirst(7).drop(while: { $0 == UInt8(ascii: " ") })))
        if let principal = apiKey(token) { return principal }
        // Over the contiguous bytes: iterating the UTF-8 view a byte at a time cost 1% of a create.
        var copy = token
        let dots = copy.withUTF8 { bytes in bytes.reduce(0) { $0 + ($1 == UInt8(ascii: ".") ? 1 : 0) } }
        guard dots == 2 else {
            throw RPCError(.unauthenticated, "unknown API key (nor a JWT: a JWT is three base64url parts separated by dots)")
        }
        guard let secret else { throw RPCError(.unauthenticated, "unknown API key (and JWTs are not accepted: the server has no JWT secret)") }
        if let known = verified.lookup(token) {
            try checkWindow(known.window)
            return known.principal
        }
        let (principal, window) = try verifyJWT(token, secret: secret)
        verified.store(token, .init(principal: principal, window: window))
        return principal
    }

    /// The principal of `token` when it is a configured API key. The dictionary compares
    /// SHA-256 digests, so where a compare stops tells nothing usable about any key.
    private func apiKey(_ token: String) -> Principal? {
        guard !keyDigests.isEmpty else { return nil }
        return keyDigests[SHA256.hash(token.utf8)]
    }

    /// The NumericDate claims of a verified token, in seconds since 1970 (fractions kept).
    struct Window: Sendable {
        var exp: Double?
        var nbf: Double?
        var iat: Double?
    }

    /// RFC 7519 §4.1.4 / §4.1.5: the time must be before `exp` and not before `nbf`, each with
    /// the leeway; an `iat` further in the future than the leeway is refused too (a token cannot
    /// have been issued later than now).
    private func checkWindow(_ w: Window) throws(RPCError) {
        let now = Double(now()), leeway = Double(leewaySeconds)
        if let exp = w.exp, now >= exp + leeway {
            throw RPCError(.unauthenticated, "JWT expired at \(Self.show(exp)) (now \(Self.show(now)), leeway \(leewaySeconds) s)")
        }
        if let nbf = w.nbf, now + leeway < nbf {
            throw RPCError(.unauthenticated, "JWT not valid before \(Self.show(nbf)) (now \(Self.show(now)), leeway \(leewaySeconds) s)")
        }
        if let iat = w.iat, now + leeway < iat {
            throw RPCError(.unauthenticated, "JWT issued in the future: iat \(Self.show(iat)) (now \(Self.show(now)), leeway \(leewaySeconds) s)")
        }
    }

    private static func show(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int64(seconds)) : String(seconds)
    }

    private func verifyJWT(_ token: String, secret: [UInt8]) throws(RPCError) -> (Principal, Window) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        let header = try Self.jsonPart(parts[0], "header"), payload = try Self.jsonPart(parts[1], "payload")
        guard let signature = Self.base64URLDecode(parts[2]) else {
            throw RPCError(.unauthenticated, "malformed JWT: the signature is not unpadded base64url")
        }
        try Self.checkHeader(header)
        let signed = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard Crypto.constantTimeEqual(Crypto.hmacSHA256(key: secret, message: signed), signature) else {
            throw RPCError(.unauthenticated, "JWT signature does not match")
        }
        let window = Window(exp: try Self.numericDate(payload, "exp"), nbf: try Self.numericDate(payload, "nbf"),
                            iat: try Self.numericDate(payload, "iat"))
        try checkWindow(window)
        guard let tenantClaim = payload["tenant"] else { throw RPCError(.unauthenticated, "JWT has no \"tenant\" claim") }
        guard case .string(let tenant) = tenantClaim, !tenant.isEmpty else {
            throw RPCError(.unauthenticated, "JWT claim \"tenant\" must be a non-empty string, not \(Self.kind(tenantClaim))")
        }
        guard tenant.utf8.count <= Self.maxTenantBytes, !tenant.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw RPCError(.unauthenticated, "JWT claim \"tenant\" must be at most \(Self.maxTenantBytes) bytes with no control characters")
        }
        var subject = ""
        if let sub = payload["sub"] {
            guard case .string(let s) = sub else {
                throw RPCError(.unauthenticated, "JWT claim \"sub\" must be a string, not \(Self.kind(sub))")
            }
            subject = s
        }
        return (Principal(tenant: tenant, subject: subject, method: "jwt"), window)
    }

    /// The longest tenant a JWT may name.
    static let maxTenantBytes = 256

    /// RFC 7515 §4.1: `alg` pinned to HS256 (so never "none", nor an asymmetric alg that would
    /// take our secret for a public key); `typ`, when present, "JWT" (RFC 7519 §5.1: compared
    /// case-insensitively; "application/jwt" is the same media type, RFC 7515 §4.1.9); `crit`
    /// names extensions that must be understood, and this server understands none (§4.1.11).
    private static func checkHeader(_ header: [String: JSONValue]) throws(RPCError) {
        guard case .string(let alg)? = header["alg"], alg == "HS256" else {
            let alg: String = switch header["alg"] {
            case .string(let a)?: "\"\(a)\""
            case nil: "(none)"
            case let other?: kind(other)
            }
            throw RPCError(.unauthenticated, "unsupported JWT alg \(alg): only HS256 is accepted")
        }
        if let typ = header["typ"] {
            guard case .string(let t) = typ, ["jwt", "application/jwt"].contains(t.lowercased()) else {
                throw RPCError(.unauthenticated, "JWT header \"typ\" must be \"JWT\" when present")
            }
        }
        if header["crit"] != nil {
            throw RPCError(.unauthenticated, "JWT header has \"crit\": this server understands no JWS extensions")
        }
    }

    /// One dot-separated part as a JSON object (RFC 7515: unpadded base64url of UTF-8 JSON;
    /// duplicate member names refused, §4).
    private static func jsonPart(_ part: Substring, _ name: String) throws(RPCError) -> [String: JSONValue] {
        guard let bytes = base64URLDecode(part) else {
            throw RPCError(.unauthenticated, "malformed JWT: the \(name) is not unpadded base64url")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes, depthLimit: 8)
        } catch {
            throw RPCError(.unauthenticated, "malformed JWT \(name): \(error.description)")
        }
        guard case .object(let object) = value else {
            throw RPCError(.unauthenticated, "malformed JWT: the \(name) is \(kind(value)), not a JSON object")
        }
        return object
    }

    /// A NumericDate claim (RFC 7519 §2: a JSON number of seconds since 1970, fractions
    /// allowed), nil when absent. Any other JSON type is refused, naming the claim.
    private static func numericDate(_ claims: [String: JSONValue], _ name: String) throws(RPCError) -> Double? {
        guard let value = claims[name] else { return nil }
        guard case .number(let n) = value, n.isFinite else {
            throw RPCError(.unauthenticated, "JWT claim \"\(name)\" must be a NumericDate (a JSON number of seconds since 1970), not \(kind(value))")
        }
        return n
    }

    private static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Unpadded base64url (RFC 7515 §2, RFC 4648 §5), strictly: no '=', no '+' or '/', no
    /// leftover bits set (so one signature has one spelling). nil when malformed.
    static func base64URLDecode(_ text: Substring) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var acc: UInt32 = 0, bits = 0
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = c - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = c - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "_"): v = 63
            default: return nil
            }
            acc = (acc << 6 | UInt32(v)) & 0xFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        // 1 leftover character (6 bits) cannot be; 2 or 3 leave 4 or 2 bits that must be zero.
        guard bits < 6, acc & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }

    /// Mints an HS256 JWT (for `spindle token` and tests).
    public static func mintToken(secret: [UInt8], tenant: String, subject: String = "dev",
                                 ttlSeconds: Int64 = 3600, now: Int64 = Authenticator.unixNow()) -> String {
        let header = base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let claims: JSONValue = .object(["tenant": .string(tenant), "sub": .string(subject),
                                         "iat": .number(Double(now)), "exp": .number(Double(now + ttlSeconds))])
        let payload = base64URL(claims.canonicalBytes())
        let signature = Crypto.hmacSHA256(key: secret, message: Array("\(header).\(payload)".utf8))
        return "\(header).\(payload).\(base64URL(signature))"
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        String(Base64.encode(bytes, padded: false).map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }
}

/// A keys file the server refuses to start with: which file, which line, what is wrong.
/// The message never holds a key.
public struct APIKeysFileError: Error, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var problem: String
    public var description: String { "\(file) line \(line): \(problem)" }
}

extension Authenticator {
    /// Parses an API keys file: one "KEY TENANT [SUBJECT]" per line, words separated by spaces
    /// or tabs; '#' starts a comment; blank lines and a CR before the newline are fine. A key is
    /// printable ASCII with no spaces (what an `authorization` header can carry) and appears
    /// once: the same key twice, even for the same tenant, is a mistake in the file, and which
    /// line would win is not for the server to guess. A tenant or subject holds no control
    /// characters.
    public static func parseAPIKeys(_ text: String, file: String = "API keys file") throws(APIKeysFileError) -> [String: Principal] {
        var keys: [String: Principal] = [:]
        var lineOf: [String: Int] = [:]
        // By scalars, not Characters: "\r\n" is one Character, so a CRLF file split on "\n"
        // would be one long line.
        for (index, raw) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            func fail(_ problem: String) -> APIKeysFileError { APIKeysFileError(file: file, line: number, problem: problem) }
            var scalars = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? raw[...]
            if scalars.last == "\r" { scalars = scalars.dropLast() }
            let line = String(String.UnicodeScalarView(scalars))
            if let bad = line.unicodeScalars.first(where: { $0 != "\t" && $0.properties.generalCategory == .control }) {
                throw fail("control character U+\(String(bad.value, radix: 16, uppercase: true)) (expected \"KEY TENANT [SUBJECT]\")")
            }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.isEmpty { continue }
            guard words.count == 2 || words.count == 3 else {
                throw fail("expected \"KEY TENANT [SUBJECT]\", found \(words.count) word\(words.count == 1 ? "" : "s")")
            }
            let key = String(words[0])
            guard key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw fail("a key must be printable ASCII with no spaces")
            }
            if let first = lineOf[key] {
                throw fail("this key is already listed on line \(first); each key must appear once")
            }
            lineOf[key] = number
            keys[key] = Principal(tenant: String(words[1]), subject: words.count == 3 ? String(words[2]) : "api-key",
                                  method: "api-key")
        }
        return keys
    }
}

/// Verified JWTs, at most `limit` (emptied when full: a cache miss only costs a verification).
final class TokenCache: Sendable {
    struct Entry: Sendable {
        var principal: Principal
        var window: Authenticator.Window
    }
    private let entries = Mutex<[String: Entry]>([:])
    let limit: Int

    init(limit: Int = 10_000) { self.limit = limit }

    func lookup(_ token: String) -> Entry? { entries.withLock { $0[token] } }

    func store(_ token: String, _ entry: Entry) {
        entries.withLock { e in
            if e.count >= limit { e.removeAll(keepingCapacity: true) }
            e[token] = entry
        }
    }
}
