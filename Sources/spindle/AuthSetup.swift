import FoundationEssentials
import Crypto
import Services

/// How `spindle serve` authenticates callers, and where `spindle token` gets its secret.
enum AuthSetup {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The JWT secret: `--jwt-secret-file`, else `<data-dir>/auth/jwt-secret`, created on
    /// first use with 32 random bytes (hex), readable by the owner only.
    static func jwtSecret(file: String?, dataDir: String, create: Bool) throws -> (path: String, secret: [UInt8]) {
        let path = file ?? (dataDir.hasSuffix("/") ? dataDir : dataDir + "/") + "auth/jwt-secret"
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard create, file == nil else {
                throw Failure(description: "no JWT secret at \(path)\(create ? "" : " (start `spindle serve` once to create it)")")
            }
            let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            try fm.createDirectory(atPath: parent.isEmpty ? "." : parent, withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o700])
            let digits = Array("0123456789abcdef")
            let hex = String(Crypto.randomBytes(32).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
            guard fm.createFile(atPath: path, contents: Data((hex + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw Failure(description: "cannot write \(path)")
            }
        }
        guard let text = fm.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw Failure(description: "cannot read \(path)")
        }
        let trimmed = text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
        let secret = Array(String(trimmed).utf8)
        guard secret.count >= 32 else { throw Failure(description: "\(path): a JWT secret needs at least 32 bytes") }
        return (path, secret)
    }

    static func authenticator(_ o: ServeOptions) throws -> Authenticator {
        if o.authMode == "none" {
            Log.event("warn", "auth_disabled", ["msg": "--auth none: every call is accepted as tenant \"default\"; for local development only, never expose this server"])
            return Authenticator(mode: .none)
        }
        let (path, secret) = try jwtSecret(file: o.jwtSecretFile, dataDir: o.dataDir, create: true)
        var keys: [String: Principal] = [:]
        if let keysFile = o.apiKeysFile {
            guard let text = FileManager.default.contents(atPath: keysFile).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw Failure(description: "cannot read API keys file \(keysFile)")
            }
            keys = try Authenticator.parseAPIKeys(text, file: keysFile)
        }
        Log.event("info", "auth", ["mode": "jwt", "secret_file": path, "api_keys": String(keys.count),
                                   "jwt_leeway_s": String(o.jwtLeewaySeconds),
                                   "mint": "spindle token --tenant TENANT --data-dir \(o.dataDir)"])
        return Authenticator(mode: .verify(jwtSecret: secret, apiKeys: keys), leewaySeconds: Int64(o.jwtLeewaySeconds))
    }
}
