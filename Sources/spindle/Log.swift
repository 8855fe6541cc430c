#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One logfmt line per event, on stdout, written whole (concurrent writers never interleave).
enum Log {
    private static let lock = Mutex(())

    static func line(_ text: String) {
        lock.withLock { _ in write(STDOUT_FILENO, text + "\n") }
    }

    /// Writes all of `text` to `fd`, retrying short writes (unbuffered: a line is never lost
    /// in a stdio buffer when the process is killed).
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
