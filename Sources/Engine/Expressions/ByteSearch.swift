/// Substring search over UTF-8 bytes in linear time (Knuth–Morris–Pratt), so `contains`,
/// `split` and `replace` cost what their inputs weigh even on adversarial text like
/// "aaaa…ab" in "aaaa…a". Bytes, not characters: the same order strings compare in.
enum ByteSearch {
    /// The UTF-8 offset of the first occurrence of `needle`; 0 for an empty needle.
    static func firstMatch(of needle: String, in haystack: String) -> Int? {
        var first: Int?
        forEachMatch(of: needle, in: haystack) { offset in
            first = offset
            return false
        }
        return first
    }

    /// The UTF-8 offsets of the non-overlapping occurrences of `needle`, left to right; nil
    /// when there are more than `atMost`.
    static func matches(of needle: String, in haystack: String, atMost: Int) -> [Int]? {
        var found: [Int] = []
        var tooMany = false
        forEachMatch(of: needle, in: haystack) { offset in
            guard found.count < atMost else {
                tooMany = true
                return false
            }
            found.append(offset)
            return true
        }
        return tooMany ? nil : found
    }

    /// Calls `body` with the offset of each non-overlapping occurrence until it returns false.
    /// An empty needle occurs once, at 0.
    static func forEachMatch(of needle: String, in haystack: String, _ body: (Int) -> Bool) {
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty else {
            _ = body(0)
            return
        }
        let fallback = failureTable(pattern)
        var text = haystack
        text.withUTF8 { bytes in
            var matched = 0
            for (i, byte) in bytes.enumerated() {
                while matched > 0 && byte != pattern[matched] { matched = fallback[matched - 1] }
                if byte == pattern[matched] { matched += 1 }
                if matched == pattern.count {
                    guard body(i + 1 - pattern.count) else { return }
                    matched = 0
                }
            }
        }
    }

    /// For each prefix of the pattern, the length of its longest proper prefix that is also
    /// its suffix.
    static func failureTable(_ pattern: [UInt8]) -> [Int] {
        var table = [Int](repeating: 0, count: pattern.count)
        var k = 0
        for i in pattern.indices.dropFirst() {
            while k > 0 && pattern[i] != pattern[k] { k = table[k - 1] }
            if pattern[i] == pattern[k] { k += 1 }
            table[i] = k
        }
        return table
    }
}
