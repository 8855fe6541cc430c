import COpenSSL

/// SHA-256 from OpenSSL (with the CPU's SHA extensions where it has them): content hashes for
/// workflow definitions and stored files. Incremental, so large uploads hash as they stream in.
/// One per hashing: it owns an OpenSSL digest context, freed when it goes away.
public struct SHA256: ~Copyable {
    private let context: OpaquePointer
    /// The algorithm, fetched from the provider once: without it every call looks it up again,
    /// which on OpenSSL 3 costs more than hashing a small definition. An EVP_MD is immutable
    /// once fetched and safe to share between threads.
    nonisolated(unsafe) private static let algorithm: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("OpenSSL has no SHA256") }
        return md
    }()

    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        precondition(EVP_DigestInit_ex2(context, Self.algorithm, nil) == 1, "SHA-256 init failed")
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    public mutating func update(_ bytes: some Collection<UInt8>) {
        let done: Int32? = bytes.withContiguousStorageIfAvailable { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        let rc = done ?? Array(bytes).withUnsafeBufferPointer { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        precondition(rc == 1, "SHA-256 update failed")
    }

    /// The 32-byte digest.
    public consuming func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        let rc = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, nil) }
        precondition(rc == 1, "SHA-256 final failed")
        return digest
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        let oneShot = { (input: UnsafeBufferPointer<UInt8>) -> Int32 in
            digest.withUnsafeMutableBufferPointer { EVP_Digest(input.baseAddress, input.count, $0.baseAddress, nil, algorithm, nil) }
        }
        let rc = bytes.withContiguousStorageIfAvailable(oneShot) ?? Array(bytes).withUnsafeBufferPointer(oneShot)
        precondition(rc == 1, "SHA-256 failed")
        return digest
    }
}
