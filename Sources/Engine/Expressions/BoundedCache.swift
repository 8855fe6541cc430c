import Synchronization

/// A small thread-safe cache keyed by source text, bounded in entries and in key bytes.
///
/// Two generations approximate LRU at O(1) cost: entries go into `recent`; a hit in `older`
/// moves back to `recent`; when `recent` reaches half the bounds it becomes `older` and the
/// previous `older` is dropped. So at most `capacity` entries and `maxKeyBytes` of keys are
/// held, and whatever was used since the last turnover survives it. Values are built outside
/// the lock; two threads missing together both build, and the second insert wins (harmless).
final class BoundedCache<Value: Sendable>: Sendable {
    private struct Generations {
        var recent: [String: Value] = [:]
        var older: [String: Value] = [:]
        var recentKeyBytes = 0
    }

    let capacity: Int
    let maxKeyBytes: Int
    /// Longer keys are not cached at all: building them each time is linear anyway.
    let maxKeyLength: Int
    private let state = Mutex(Generations())

    init(capacity: Int = 4096, maxKeyBytes: Int = 4 << 20, maxKeyLength: Int = 64 << 10) {
        self.capacity = capacity
        self.maxKeyBytes = maxKeyBytes
        self.maxKeyLength = maxKeyLength
    }

    func value(for key: String, make: () -> Value) -> Value {
        let keyBytes = key.utf8.count
        guard keyBytes <= maxKeyLength else { return make() }
        let hit = state.withLock { g -> Value? in
            if let value = g.recent[key] { return value }
            guard let value = g.older.removeValue(forKey: key) else { return nil }
            insert(key, value, keyBytes: keyBytes, into: &g)
            return value
        }
        if let hit { return hit }
        let value = make()
        state.withLock { g in insert(key, value, keyBytes: keyBytes, into: &g) }
        return value
    }

    private func insert(_ key: String, _ value: Value, keyBytes: Int, into g: inout Generations) {
        if g.recent.updateValue(value, forKey: key) == nil { g.recentKeyBytes += keyBytes }
        if g.recent.count >= capacity / 2 || g.recentKeyBytes >= maxKeyBytes / 2 {
            g.older = g.recent
            g.recent = [:]
            g.recentKeyBytes = 0
        }
    }

    /// Entries held now (for tests).
    var count: Int { state.withLock { $0.recent.count + $0.older.count } }
}
