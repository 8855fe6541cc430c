// The JWT parser and the rest of the Authenticator. The first byte picks what the rest is:
//   0: an authorization header value as sent ("Bearer <token>", or anything else);
//   1: a JWT header and claims (JSON, split at the first NUL), base64url-encoded and signed
//      with the server's secret, so the claim checks behind the signature are reached;
//   2: an API keys file.
import Foundation
import FuzzSupport
import Crypto
import Services

let secret = Array("fuzz-secret-0123456789abcdef".utf8)
let keys: [String: Principal] = ["key-one": Principal(tenant: "acme", subject: "k1", method: "api_key")]

func base64URL(_ bytes: [UInt8]) -> String {
    Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

fuzz { bytes in
    var input = FuzzInput(bytes)
    let auth = Authenticator(mode: .verify(jwtSecret: secret, apiKeys: keys), now: { 1_800_000_000 })
    switch input.byte() % 3 {
    case 0:
        let header = String(decoding: input.rest(), as: UTF8.self)
        _ = try? auth.authenticate(authorization: header)
    case 1:
        let head = base64URL(input.upTo(0)), claims = base64URL(input.rest())
        let signature = base64URL(Crypto.hmacSHA256(key: secret, message: Array("\(head).\(claims)".utf8)))
        let token = "\(head).\(claims).\(signature)"
        let first = try? auth.authenticate(authorization: "Bearer " + token)
        // The second call is answered from the verified-token cache: it must agree.
        let second = try? auth.authenticate(authorization: "Bearer " + token)
        guard first == second else { finding("a cached JWT answers differently from a fresh one") }
    default:
        _ = try? Authenticator.parseAPIKeys(String(decoding: input.rest(), as: UTF8.self))
    }
}
