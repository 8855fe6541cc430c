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
        #expect(throws: APIKeysFileError.self) { try Authenticator.parseAPIKeys("only-one-word\n") }
    }

    @Test func theKeysFileDecidesNotTheKeysShape() throws {
        // A key with two dots looks like a JWT; the keys file is asked first.
        let keys = try Authenticator.parseAPIKeys("ak.v1.0123abcd acme ci\nplain globex\n")
        let v = verifier(keys: keys)
        #expect(try v.authenticate(authorization: "Bearer ak.v1.0123abcd") == Principal(tenant: "acme", subject: "ci", method: "api-key"))
        // Not in the file and JWT-shaped: verified as a JWT.
        let jwt = Authenticator.mintToken(secret: secret, tenant: "initech", now: now)
        #expect(try v.authenticate(authorization: "Bearer \(jwt)").tenant == "initech")
        let result = code { () throws(RPCError) in try v.authenticate(authorization: "Bearer ak.v1.0123abce") }
        #expect(result?.0 == .unauthenticated)
    }

    @Test func aBadKeysFileNamesTheFileAndLine() throws {
        let cases: [(String, Int, String)] = [
            ("k1 acme\nk2 globex\nk1 globex\n", 3, "already listed on line 1"),
            ("k1 acme\nk1 acme a\n", 2, "already listed on line 1"),
            ("k1 acme\n\nlonely\n", 3, "expected \"KEY TENANT [SUBJECT]\""),
            ("k1 acme x y\n", 1, "found 4 words"),
            ("k\u{1}1 acme\n", 1, "control character U+1"),
            ("k\u{7F} acme\n", 1, "control character U+7F"),
            ("k\u{e9} acme\n", 1, "printable ASCII"),
        ]
        for (text, line, problem) in cases {
            do {
                _ = try Authenticator.parseAPIKeys(text, file: "/etc/keys")
                Issue.record("accepted \(text.debugDescription)")
            } catch {
                #expect(error.file == "/etc/keys" && error.line == line, "\(text.debugDescription): \(error)")
                #expect(error.problem.contains(problem), "\(text.debugDescription): \(error)")
                #expect(!error.description.contains("k1"), "the message must not hold the key: \(error)")
            }
        }
        // CRLF line ends, comments and blank lines are fine.
        #expect(try Authenticator.parseAPIKeys("# c\r\nk1 acme bot\r\n\r\nk2 globex # note\r\n").count == 2)
    }

    /// A token with the given header and claims (JSON text, as written), signed with `secret`.
    func hand(_ header: String, _ claims: String, secret: [UInt8]? = nil) -> String {
        let h = Authenticator.base64URL(Array(header.utf8)), p = Authenticator.base64URL(Array(claims.utf8))
        let mac = Crypto.hmacSHA256(key: secret ?? self.secret, message: Array("\(h).\(p)".utf8))
        return "Bearer \(h).\(p).\(Authenticator.base64URL(mac))"
    }

    @Test func claimsAreCheckedAsRFC7519Says() {
        let v = verifier()
        let hs = #"{"alg":"HS256","typ":"JWT"}"#
        let refused: [(String, String)] = [
            (hand(hs, #"{"tenant":"acme","exp":"1000"}"#), #""exp" must be a NumericDate"#),
            (hand(hs, #"{"tenant":"acme","exp":"9999999999"}"#), #""exp" must be a NumericDate"#),
            (hand(hs, #"{"tenant":"acme","exp":true}"#), "not a boolean"),
            (hand(hs, #"{"tenant":"acme","exp":null}"#), "not null"),
            (hand(hs, #"{"tenant":"acme","nbf":{"t":1}}"#), #""nbf" must be a NumericDate"#),
            (hand(hs, #"{"tenant":"acme","iat":[1]}"#), #""iat" must be a NumericDate"#),
            (hand(hs, #"{"tenant":"acme","exp":1799999969.5}"#), "expired"),  // 30.5 s ago: past the leeway
            (hand(hs, #"{"tenant":"acme","nbf":1800000031}"#), "not valid before"),
            (hand(hs, #"{"tenant":"acme","iat":1800000100}"#), "issued in the future"),
            (hand(hs, #"{"tenant":""}"#), #""tenant" must be a non-empty string"#),
            (hand(hs, #"{"tenant":42}"#), "not a number"),
            (hand(hs, #"{"exp":1800000100}"#), #"no "tenant" claim"#),
            (hand(hs, #"{"tenant":"acme","sub":7}"#), #""sub" must be a string"#),
            (hand(hs, #"{"tenant":"a\u0001b"}"#), "control characters"),
            (hand(hs, #"{"tenant":"acme","exp":1,"exp":1900000000}"#), "duplicate key \"exp\""),
            (hand(#"{"alg":"HS256","alg":"none"}"#, #"{"tenant":"acme"}"#), "duplicate key \"alg\""),
            (hand(#"{"alg":"none"}"#, #"{"tenant":"acme"}"#), "only HS256"),
            (hand(#"{"alg":"HS384"}"#, #"{"tenant":"acme"}"#), "only HS256"),
            (hand(#"{"alg":"RS256"}"#, #"{"tenant":"acme"}"#), "only HS256"),
            (hand(#"{"alg":"hs256"}"#, #"{"tenant":"acme"}"#), "only HS256"),
            (hand(#"{"typ":"JWT"}"#, #"{"tenant":"acme"}"#), "only HS256"),
            (hand(#"{"alg":"HS256","typ":"JOSE+JSON"}"#, #"{"tenant":"acme"}"#), #""typ" must be "JWT""#),
            (hand(#"{"alg":"HS256","typ":1}"#, #"{"tenant":"acme"}"#), #""typ" must be "JWT""#),
            (hand(#"{"alg":"HS256","crit":["exp"]}"#, #"{"tenant":"acme"}"#), "crit"),
            (hand(hs, #"["tenant","acme"]"#), "not a JSON object"),
            (hand(hs, #"{"tenant":"acme""#), "malformed JWT payload"),
            ("Bearer eyJhbGciOiJIUzI1NiJ9=.e30.AAAA", "not unpadded base64url"),
            ("Bearer eyJhbGciOiJIUzI1NiJ9.e30+.AAAA", "not unpadded base64url"),
            ("Bearer eyJhbGciOiJIUzI1NiJ9.e31.AAAA", "not unpadded base64url"),  // "e31": leftover bits set
            ("Bearer a.b.c.d", "unknown API key"),
        ]
        for (header, reason) in refused {
            let result = code { () throws(RPCError) in try v.authenticate(authorization: header) }
            #expect(result?.0 == .unauthenticated, "\(header)")
            #expect(result?.1.contains(reason) == true, "\(header): \(result?.1 ?? "accepted")")
        }
        let accepted = [
            hand(hs, #"{"tenant":"acme","exp":1800000000.25,"nbf":1800000029.9,"iat":1800000029}"#),
            hand(#"{"alg":"HS256","typ":"jwt"}"#, #"{"tenant":"acme","exp":1799999971}"#),  // within the 30 s leeway
            hand(#"{"alg":"HS256","typ":"application/JWT","kid":"k1"}"#, #"{"tenant":"acme"}"#),
            hand(#"{"alg":"HS256"}"#, #"{"tenant":"acme","sub":"ana","aud":"x"}"#),
        ]
        for header in accepted {
            let result = code { () throws(RPCError) in try v.authenticate(authorization: header) }
            #expect(result == nil, "\(header): \(result?.1 ?? "")")
        }
    }

    @Test func theLeewayIsConfigurableAndBounded() throws {
        let token = hand(#"{"alg":"HS256"}"#, #"{"tenant":"acme","exp":1799999900}"#)  // 100 s ago
        let now = self.now
        let strict = Authenticator(mode: .verify(jwtSecret: secret, apiKeys: [:]), leewaySeconds: 0, now: { now })
        let loose = Authenticator(mode: .verify(jwtSecret: secret, apiKeys: [:]), leewaySeconds: 120, now: { now })
        let capped = Authenticator(mode: .verify(jwtSecret: secret, apiKeys: [:]), leewaySeconds: 1_000_000, now: { now })
        #expect(throws: RPCError.self) { try strict.authenticate(authorization: token) }
        #expect(try loose.authenticate(authorization: token).tenant == "acme")
        #expect(capped.leewaySeconds == Authenticator.maxLeewaySeconds)
        let exact = hand(#"{"alg":"HS256"}"#, #"{"tenant":"acme","exp":1800000000}"#)  // exp == now: expired (RFC 7519 §4.1.4)
        #expect(throws: RPCError.self) { try strict.authenticate(authorization: exact) }
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
