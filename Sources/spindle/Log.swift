#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One logfmt line per event, on stdout, written whole (concurrent writers never interleave).
enum Log {
    private static let lock = Mutex(())

    static let standardOutput: Int32 = 1
    static let standardError: Int32 = 2

    static func line(_ text: String) {
        lock.withLock { _ in write(standardOutput, text + "\n") }
    }

    /// Writes `text` with write(2), unbuffered: a line is never lost in a stdio buffer when
    /// the process is killed. (Not FileHandle: it would pull all of Foundation, ~8 MiB of RSS,
    /// into a server that otherwise needs only FoundationEssentials.)
    static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// `level=info event=listening addr=...`; values with spaces or quotes are quoted.
    static func event(_ level: String, _ event: String, _ fields: KeyValuePairs<String, String> = [:]) {
        var text = "level=\(level) event=\(event)"
        for (key, value) in fields { text += " \(key)=\(quote(value))" }
        line(text)
    }

    static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" })
        guard needsQuotes else { return value }
        var out = "\""
        for c in value {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}
