import CFuzzer
#if canImport(Glibc)
import Glibc
#endif

/// The body for the current process: the C callback cannot capture, so it reads it from here.
/// Set once, before the driver starts, and only read afterwards (libFuzzer calls on one thread).
nonisolated(unsafe) private var testOneInput: ([UInt8]) -> Void = { _ in }

/// Runs libFuzzer with the process's arguments (-max_total_time=..., corpus dirs, a crash file
/// to replay) and calls `body` with each input. A trap, precondition failure or sanitizer
/// report inside `body` is a finding.
public func fuzz(_ body: @escaping ([UInt8]) -> Void) -> Never {
    testOneInput = body
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let rc = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
        testOneInput(bytes)
        return 0
    }
    exit(rc)
}

/// Reads an input front to back: a few leading bytes pick a mode or a split, the rest is data.
public struct FuzzInput {
    public private(set) var bytes: ArraySlice<UInt8>

    public init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    /// The next byte (0 when the input is used up).
    public mutating func byte() -> UInt8 {
        guard let b = bytes.first else { return 0 }
        bytes = bytes.dropFirst()
        return b
    }

    /// The next 8 bytes as a little-endian integer (missing bytes read as 0).
    public mutating func int64() -> Int64 {
        var raw: UInt64 = 0
        for i in 0..<8 { raw |= UInt64(byte()) << (8 * UInt64(i)) }
        return Int64(bitPattern: raw)
    }

    /// The rest, as an array.
    public mutating func rest() -> [UInt8] {
        defer { bytes = [] }
        return Array(bytes)
    }

    /// The bytes up to the next `separator` (dropped), or all of the rest if there is none.
    public mutating func upTo(_ separator: UInt8) -> [UInt8] {
        guard let i = bytes.firstIndex(of: separator) else { return rest() }
        defer { bytes = bytes[(i + 1)...] }
        return Array(bytes[..<i])
    }
}

/// Stops the process as a finding: `what` went wrong with an input the decoder accepted.
public func finding(_ what: String) -> Never {
    fatalError("fuzz finding: " + what)
}
