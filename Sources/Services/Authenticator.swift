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

/// Checks `authorization: Bearer <token>` on each call. A token is either an HS256 JWT
/// signed with the server's secret (claims: `tenant`, optional `sub`, `exp`, `nbf`) or a
/// static API key from the keys file. Anything else is UNAUTHENTICATED, with a message that
/// says what was wrong.
public struct Authenticator: Sendable {
    public enum Mode: Sendable {
        /// Every request is tenant "default" (local development only).
        case none
        case verify(jwtSecret: [UInt8]?, apiKeys: [String: Principal])
    }

    public let mode: Mode
    /// Seconds since 1970; injectable for tests.
    let now: @Sendable () -> Int64
    /// Clock skew tolerated on `exp` / `nbf`.
    let leewaySeconds: Int64 = 30
    /// JWTs whose signature was already checked (an HMAC and two JSON parses per call
    /// otherwise): token -> principal and validity window; `exp` / `nbf` are still checked
    /// on every call.
    private let verified = TokenCache()

    public init(mode: Mode, now: @escaping @Sendable () -> Int64 = Authenticator.unixNow) {
        self.mode = mode
        self.now = now
    }

    /// Seconds since 1970, from the system clock.
    @Sendable public static func unixNow() -> Int64 { Int64(Date().timeIntervalSince1970) }

    public func authenticate(_ context: ServerContext) throws(RPCError) -> Principal {
        try authenticate(authorization: context.metadata["authorization"])
    }

    public func authenticate(authorization: String?) throws(RPCError) -> Principal {
        guard case .verify(let secret, let keys) = mode else {
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
        var token = String(Substring(utf8.dropFirst(7).drop(while: { $0 == UInt8(ascii: " ") })))
        // Over the contiguous bytes: iterating the UTF-8 view a byte at a time cost 1% of a create.
        let dots = token.withUTF8 { bytes in bytes.reduce(0) { $0 + ($1 == UInt8(ascii: ".") ? 1 : 0) } }
        if dots == 2 {
            guard let secret else { throw RPCError(.unauthenticated, "JWTs are not accepted: the server has no JWT secret") }
            if let known = verified.lookup(token) {
                try checkWindow(exp: known.exp, nbf: known.nbf)
                return known.principal
            }
            let (principal, exp, nbf) = try verifyJWT(token, secret: secret)
            verified.store(token, .init(principal: principal, exp: exp, nbf: nbf))
            return principal
        }
        let presented = Array(token.utf8)
        for (key, principal) in keys where Crypto.constantTimeEqual(Array(key.utf8), presented) {
            return principal
        }
        throw RPCError(.unauthenticated, "unknown API key")
    }

    private func checkWindow(exp: Int64?, nbf: Int64?) throws(RPCError) {
        let now = now()
        if let exp, now > exp + leewaySeconds {
            throw RPCError(.unauthenticated, "JWT expired at \(exp) (now \(now))")
        }
        if let nbf, now + leewaySeconds < nbf {
            throw RPCError(.unauthenticated, "JWT not valid before \(nbf) (now \(now))")
        }
    }

    private func verifyJWT(_ token: String, secret: [UInt8]) throws(RPCError) -> (Principal, exp: Int64?, nbf: Int64?) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard let headerBytes = Base64.decode(parts[0]), let payloadBytes = Base64.decode(parts[1]),
              let signature = Base64.decode(parts[2]) else {
            throw RPCError(.unauthenticated, "malformed JWT: a part is not base64url")
        }
        guard let header = Self.jsonObject(headerBytes), let payload = Self.jsonObject(payloadBytes) else {
            throw RPCError(.unauthenticated, "malformed JWT: header or payload is not a JSON object")
        }
        guard case .string("HS256")? = header["alg"] else {
            let alg: String = if case .string(let a)? = header["alg"] { a } else { "none" }
            throw RPCError(.unauthenticated, "unsupported JWT alg \"\(alg)\": only HS256 is accepted")
        }
        let signed = Array("\(parts[0]).\(parts[1])".utf8)
        guard Crypto.constantTimeEqual(Crypto.hmacSHA256(key: secret, message: signed), signature) else {
            throw RPCError(.unauthenticated, "JWT signature does not match")
        }
        let exp = Self.seconds(payload["exp"]), nbf = Self.seconds(payload["nbf"])
        try checkWindow(exp: exp, nbf: nbf)
        guard case .string(let tenant)? = payload["tenant"], !tenant.isEmpty else {
            throw RPCError(.unauthenticated, "JWT has no \"tenant\" claim")
        }
        let subject: String = if case .string(let s)? = payload["sub"] { s } else { "" }
        return (Principal(tenant: tenant, subject: subject, method: "jwt"), exp, nbf)
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

    private static func jsonObject(_ bytes: [UInt8]) -> [String: JSONValue]? {
        guard case .object(let o)? = try? JSONValue.parse(bytes, depthLimit: 8) else { return nil }
        return o
    }

    /// A NumericDate claim (RFC 7519: seconds since 1970, possibly fractional).
    private static func seconds(_ value: JSONValue?) -> Int64? {
        guard case .number(let n)? = value, n.isFinite, abs(n) < 1e15 else { return nil }
        return Int64(n)
    }

    /// Parses an API keys file: one "KEY TENANT [SUBJECT]" per line; '#' starts a comment.
    public static func parseAPIKeys(_ text: String) throws(RPCError) -> [String: Principal] {
        var keys: [String: Principal] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.isEmpty { continue }
            guard words.count == 2 || words.count == 3 else {
                throw RPCError(.invalidArgument, "API keys file line \(index + 1): expected \"KEY TENANT [SUBJECT]\"")
            }
            keys[String(words[0])] = Principal(tenant: String(words[1]),
                                               subject: words.count == 3 ? String(words[2]) : "api-key",
                                               method: "api-key")
        }
        return keys
    }
}

/// Verified JWTs, at most `limit` (emptied when full: a cache miss only costs a verification).
final class TokenCache: Sendable {
    struct Entry: Sendable {
        var principal: Principal
        var exp: Int64?
        var nbf: Int64?
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
