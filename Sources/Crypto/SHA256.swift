import COpenSSL

/// SHA-256 from OpenSSL (with the CPU's SHA extensions where it has them): content hashes for
/// workflow definitions and stored files. Incremental, so large uploads hash as they stream in.
/// One per hashing: it owns an OpenSSL digest context, freed when it goes away.
public struct SHA256: ~Copyable {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "SHA-256 init failed")
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

    /// The digest of `bytes` in one call (no context to allocate).
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        let oneShot = { (input: UnsafeBufferPointer<UInt8>) in
            digest.withUnsafeMutableBufferPointer { _ = COpenSSL.SHA256(input.baseAddress, input.count, $0.baseAddress) }
        }
        if bytes.withContiguousStorageIfAvailable(oneShot) == nil { Array(bytes).withUnsafeBufferPointer(oneShot) }
        return digest
    }
}
