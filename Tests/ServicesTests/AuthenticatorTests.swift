import Synchronization
import Testing
import Crypto
import RPC
@testable import Services

@Suite struct AuthenticatorTests {
    let secret = Array("0123456789abcdef0123456789abcdef".utf8)
    let now: Int64 = 1_800_000_000

    func verifier(keys: [String: Principal] = [:]) -> Authenticator {
        let now = self.now
        return Authenticator(mode: .verify(jwtSecret: secret, apiKeys: keys), now: { now })
    }

    func code(_ body: () throws(RPCError) -> Principal) -> (StatusCode, String)? {
        do { _ = try body(); return nil } catch { return (error.code, error.message) }
    }

    @Test func validTokenYieldsItsTenant() throws {
        let token = Authenticator.mintToken(secret: secret, tenant: "acme", subject: "ana", now: now)
        let p = try verifier().authenticate(authorization: "Bearer \(token)")
        #expect(p == Principal(tenant: "acme", subject: "ana", method: "jwt"))
    }

    @Test func everyBadTokenIsUnauthenticatedWithAReason() {
        let v = verifier()
        let good = Authenticator.mintToken(secret: secret, tenant: "acme", now: now)
        let cases: [(String?, String)] = [
            (nil, "missing authorization"),
            ("Basic abc", "Bearer"),
            ("Bearer " + Authenticator.mintToken(secret: Array("other".utf8), tenant: "acme", now: now), "signature"),
            ("Bearer " + Authenticator.mintToken(secret: secret, tenant: "acme", ttlSeconds: 60, now: now - 1000), "expired"),
            ("Bearer " + Authenticator.mintToken(secret: secret, tenant: "", now: now), "tenant"),
            ("Bearer " + good.dropLast(3) + "AAA", "signature"),
            ("Bearer a.b!.c", "base64url"),
            ("Bearer not-a-key", "unknown API key"),
        ]
        for (header, reason) in cases {
            let result = code { () throws(RPCError) in try v.authenticate(authorization: header) }
            #expect(result?.0 == .unauthenticated, "\(header ?? "nil")")
            #expect(result?.1.contains(reason) == true, "\(header ?? "nil"): \(result?.1 ?? "accepted")")
        }
    }

    @Test func aVerifiedTokenStillExpiresOnTime() throws {
        let clock = Mutex(now)
        let auth = Authenticator(mode: .verify(jwtSecret: secret, apiKeys: [:]), now: { clock.withLock { $0 } })
        let token = "Bearer " + Authenticator.mintToken(secret: secret, tenant: "acme", ttlSeconds: 60, now: now)
        #expect(try auth.authenticate(authorization: token).tenant == "acme")
        #expect(try auth.authenticate(authorization: token).tenant == "acme")  // from the cache
        clock.withLock { $0 += 60 + 31 }  // past exp plus the leeway
        #expect(throws: RPCError.self) { try auth.authenticate(authorization: token) }
        // A forged token with the same claims never rides on the cached one.
        let forged = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BB" : "AA")
        clock.withLock { $0 = now }
        #expect(throws: RPCError.self) { try auth.authenticate(authorization: forged) }
    }

    @Test func algNoneIsRefused() {
        let header = Authenticator.base64URL(Array(#"{"alg":"none"}"#.utf8))
        let payload = Authenticator.base64URL(Array(#"{"tenant":"acme"}"#.utf8))
        let result = code { () throws(RPCError) in try verifier().authenticate(authorization: "Bearer \(header).\(payload).") }
        #expect(result?.0 == .unauthenticated)
        #expect(result?.1.contains("only HS256") == true)
    }

    @Test func apiKeysFromTheKeysFile() throws {
        let keys = try Authenticator.parseAPIKeys("# keys\nk-123 acme ci-bot\nk-456 globex\n\n")
        let v = verifier(keys: keys)
        #expect(try v.authenticate(authorization: "Bearer k-123") == Principal(tenant: "acme", subject: "ci-bot", method: "api-key"))
        #expect(try v.authenticate(authorization: "Bearer k-456").tenant == "globex")
        #expect(throws: RPCError.self) { try Authenticator.parseAPIKeys("only-one-word\n") }
    }

    @Test func noneModeIsTheDefaultTenant() throws {
        let p = try Authenticator(mode: .none).authenticate(authorization: nil)
        #expect(p.tenant == "default" && p.method == "none")
    }

    @Test func hmacMatchesRFC4231() {
        // RFC 4231 test case 2.
        let mac = Crypto.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(mac.map { String(format: "%02x", $0) }.joined()
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
