import Foundation
import Synchronization

/// One logfmt line per event, on stdout, written whole (concurrent writers never interleave).
enum Log {
    private static let lock = Mutex(())

    static func line(_ text: String) {
        lock.withLock { _ in write(.standardOutput, text + "\n") }
    }

    /// Writes `text` at once, unbuffered: a line is never lost in a stdio buffer when the
    /// process is killed.
    static func write(_ handle: FileHandle, _ text: String) {
        try? handle.write(contentsOf: Data(text.utf8))
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
