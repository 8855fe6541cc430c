public import Crypto
#if canImport(Glibc)
import Glibc
#endif


/// The system calls the store makes, behind a protocol so tests can inject faults (short
/// reads, torn writes, failing fsyncs). `PosixFiles` is the real thing. Every method throws
/// `StorageError.io` naming the call and the path.
public protocol FileLayer: Sendable {
    func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32
    /// Reads at most `buffer.count` bytes at `offset`; 0 means end of file.
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int
    /// Appends (the fd is O_APPEND); may write fewer bytes than given.
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws -> Int
    func pwrite(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws -> Int
    func fdatasync(_ fd: Int32) throws
    func fsync(_ fd: Int32) throws
    func truncate(_ fd: Int32, to size: Int64) throws
    func size(_ fd: Int32) throws -> Int64
    func close(_ fd: Int32)
    func rename(_ from: String, _ to: String) throws
    func unlink(_ path: String) throws
}

/// The real file layer: POSIX calls, EINTR retried.
public struct PosixFiles: FileLayer {
    public init() {}

    public func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32 {
        let fd = retrying { Glibc.open(path, flags | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw StorageError.io(op: "open", path: path, errno: errno) }
        return fd
    }

    public func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        let n = retrying { Glibc.pread(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
        guard n >= 0 else { throw StorageError.io(op: "pread", path: "fd \(fd)", errno: errno) }
        return n
    }

    public func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws -> Int {
        let n = retrying { Glibc.write(fd, bytes.baseAddress, bytes.count) }
        guard n >= 0 else { throw StorageError.io(op: "write", path: "fd \(fd)", errno: errno) }
        return n
    }

    public func pwrite(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws -> Int {
        let n = retrying { Glibc.pwrite(fd, bytes.baseAddress, bytes.count, off_t(offset)) }
        guard n >= 0 else { throw StorageError.io(op: "pwrite", path: "fd \(fd)", errno: errno) }
        return n
    }

    public func fdatasync(_ fd: Int32) throws {
        guard retrying({ Glibc.fdatasync(fd) }) == 0 else { throw StorageError.io(op: "fdatasync", path: "fd \(fd)", errno: errno) }
    }

    public func fsync(_ fd: Int32) throws {
        guard retrying({ Glibc.fsync(fd) }) == 0 else { throw StorageError.io(op: "fsync", path: "fd \(fd)", errno: errno) }
    }

    public func truncate(_ fd: Int32, to size: Int64) throws {
        guard retrying({ Glibc.ftruncate(fd, off_t(size)) }) == 0 else {
            throw StorageError.io(op: "ftruncate", path: "fd \(fd)", errno: errno)
        }
    }

    public func size(_ fd: Int32) throws -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StorageError.io(op: "fstat", path: "fd \(fd)", errno: errno) }
        return Int64(st.st_size)
    }

    public func close(_ fd: Int32) { _ = Glibc.close(fd) }

    public func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw StorageError.io(op: "rename", path: "\(from) -> \(to)", errno: errno) }
    }

    public func unlink(_ path: String) throws {
        guard Glibc.unlink(path) == 0 else { throw StorageError.io(op: "unlink", path: path, errno: errno) }
    }

    private func retrying<T: BinaryInteger>(_ call: () -> T) -> T {
        while true {
            let result = call()
            if result == -1 && errno == EINTR { continue }
            return result
        }
    }
}

/// Helpers built from the protocol's calls, so injected faults reach them too.
extension FileLayer {
    func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = try write(fd, UnsafeRawBufferPointer(rebasing: bytes[done...]))
            guard n > 0 else { throw StorageError.io(op: "write", path: path, errno: EIO) }
            done += n
        }
    }

    func pwriteAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = try pwrite(fd, UnsafeRawBufferPointer(rebasing: bytes[done...]), at: offset + Int64(done))
            guard n > 0 else { throw StorageError.io(op: "pwrite", path: path, errno: EIO) }
            done += n
        }
    }

    /// Reads exactly `count` bytes at `offset`, or fewer only at end of file.
    func readFully(_ fd: Int32, count: Int, at offset: Int64) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = try out.withUnsafeMutableBytes { buffer -> Int in
                try read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]), at: offset + Int64(done))
            }
            if n == 0 { break }
            done += n
        }
        out.removeLast(count - done)
        return out
    }

    /// fsync of a directory, so the names created, renamed or removed in it are durable.
    func fsyncDirectory(_ path: String) throws {
        let fd = try open(path, flags: O_RDONLY | O_DIRECTORY, mode: 0)
        defer { close(fd) }
        try fsync(fd)
    }

    /// Writes `bytes` to `path` the durable way: a temp file, fsync, rename, fsync of the directory.
    /// A crash at any moment leaves either no file or the whole file under `path`.
    func writeDurably(_ bytes: [UInt8], to path: String, directory: String) throws {
        try writeDurably(parts: [bytes], to: path, directory: directory)
    }

    /// `writeDurably` of `parts` one after another in the file.
    func writeDurably(parts: [[UInt8]], to path: String, directory: String) throws {
        let temp = path + ".tmp"
        let fd = try open(temp, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        do {
            var offset: Int64 = 0
            for part in parts {
                let at = offset
                try part.withUnsafeBytes { raw in try pwriteAll(fd, raw, at: at, path: temp) }
                offset += Int64(part.count)
            }
            try fsync(fd)
        } catch {
            close(fd)
            try? unlink(temp)
            throw error
        }
        close(fd)
        try rename(temp, path)
        try fsyncDirectory(directory)
    }
}

/// Directory listing and creation: not fault-injected (tests corrupt files, not directories).
enum Directory {
    static func names(in path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw StorageError.io(op: "opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Creates `path` if missing; returns whether it did (the parent then needs an fsync).
    @discardableResult
    static func make(_ path: String) throws -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        if errno == EEXIST { return false }
        throw StorageError.io(op: "mkdir", path: path, errno: errno)
    }
}

/// Fixed-width lower-case hex, as file names use it: 16 digits for an LSN.
extension SHA256 {
    /// The digest of `bytes` as lower-case hex.
    public static func hex(_ bytes: some Collection<UInt8>) -> String { Hex.string(hash(bytes)) }
}

enum Hex {
    static func lsn(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Lower-case hex of the bytes themselves (`SHA256.hex` hashes first).
    static func string(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0xf)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func parseLSN(_ name: String, suffix: String) -> UInt64? {
        guard name.hasSuffix(suffix) else { return nil }
        let stem = name.dropLast(suffix.count)
        guard stem.count == 16, stem.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return UInt64(stem, radix: 16)
    }
}
