import Storage
import Synchronization

/// How large values are kept: over `blobThresholdBytes` (in the binary record encoding) a
/// value leaves the log record for a content-addressed blob beside the log, and the record
/// holds a reference (SHA-256 and size); over `maxValueBytes` the step (or call) that made it
/// fails with RESOURCE_EXHAUSTED.
public struct ValueLimits: Sendable, Hashable {
    public static let defaultBlobThresholdBytes = 256 << 10
    public static let defaultMaxValueBytes = 64 << 20

    public var blobThresholdBytes: Int
    public var maxValueBytes: Int
    /// Values read back from blobs kept decoded (newest first), so that many references to one
    /// blob (a value repeated, a run read again) share one copy in memory.
    public var cacheBytes: Int

    public init(blobThresholdBytes: Int = defaultBlobThresholdBytes, maxValueBytes: Int = defaultMaxValueBytes,
                cacheBytes: Int = 64 << 20) {
        self.blobThresholdBytes = max(64, blobThresholdBytes)
        self.maxValueBytes = max(1, maxValueBytes)
        self.cacheBytes = max(0, cacheBytes)
    }
}

/// The engine's side of the value blobs (`Store.putValue`): writing values out of records,
/// reading them back, and the owner bookkeeping that lets purges remove them.
public final class ValueBlobs: Sendable {
    public let limits: ValueLimits
    let store: Store
    private let cache: Mutex<Cache>

    struct Cache {
        var values: [[UInt8]: (value: JSONValue, bytes: Int)] = [:]
        var order: [[UInt8]] = []
        var bytes = 0
    }

    init(store: Store, limits: ValueLimits) {
        self.store = store
        self.limits = limits
        cache = Mutex(Cache())
    }

    /// Why `value` is too large to keep (RESOURCE_EXHAUSTED wording, naming `what` and the
    /// size), or nil. A walk of the value that stops at the limit: nothing for small values.
    func problem(_ value: JSONValue, _ what: String) -> String? {
        let limit = limits.maxValueBytes
        guard value.binarySize(stoppingAbove: limit) > limit else { return nil }
        return "\(what) is \(value.binarySize(stoppingAbove: .max)) bytes, over the limit of \(limit) bytes (--max-value-bytes)"
    }

    /// The first of `values` (by key) that is too large, as `problem` words it.
    func problem(_ values: [String: JSONValue], _ what: String) -> String? {
        let limit = limits.maxValueBytes
        var first: String?
        for (key, value) in values where value.binarySize(stoppingAbove: limit) > limit {
            if first.map({ key < $0 }) ?? true { first = key }
        }
        return first.flatMap { problem(values[$0]!, "\(what) \"\($0)\"") }
    }

    /// Writes a value's encoding as a blob `owner` holds; its SHA-256.
    func put(_ encoded: [UInt8], decoded value: JSONValue, owner: String) throws -> [UInt8] {
        let digest = try store.putValue(encoded, owner: owner)
        remember(digest, value, bytes: encoded.count)
        return digest
    }

    /// The value a reference names, decoded (from the cache when it is there).
    func value(_ digest: [UInt8], bytes: Int, depth: Int) throws(DecodeError) -> JSONValue {
        if let known = cache.withLock({ $0.values[digest]?.value }) { return known }
        let encoded: [UInt8]
        do {
            encoded = try store.readValue(digest)
        } catch {
            throw DecodeError(path: "value blob", message: "\(error)")
        }
        guard encoded.count == bytes else {
            throw DecodeError(path: "value blob", message: "\(encoded.count) bytes, the reference says \(bytes)")
        }
        var r = ByteReader(encoded, path: "value blob")
        r.values = self
        let value = try r.json(depth: depth)
        guard r.atEnd else { throw r.fail("trailing bytes") }
        remember(digest, value, bytes: bytes)
        return value
    }

    private func remember(_ digest: [UInt8], _ value: JSONValue, bytes: Int) {
        guard bytes <= limits.cacheBytes else { return }
        cache.withLock { c in
            guard c.values[digest] == nil else { return }
            c.values[digest] = (value, bytes)
            c.order.append(digest)
            c.bytes += bytes
            while c.bytes > limits.cacheBytes, !c.order.isEmpty {
                let old = c.order.removeFirst()
                c.bytes -= c.values.removeValue(forKey: old)?.bytes ?? 0
            }
        }
    }

    /// The runs are gone for good: their refs go, and the values no other run holds.
    func release(owners: Set<String>) throws {
        try store.releaseValues(owners: owners)
        cache.withLock { $0 = Cache() }
    }

    /// Start-up: refs of runs that no longer exist (a crash between a value and its record,
    /// or in a purge) are dropped, and values without refs deleted. Returns the values deleted.
    func collect(isLive: (String) -> Bool) throws -> Int { try store.collectValues(isLive: isLive) }
}

/// Moves the large parts of one record's values into blobs as the record is encoded (see
/// `ByteWriter.json`). Used only for a record whose plain encoding is over the threshold.
final class ValueSpill {
    let blobs: ValueBlobs
    let owner: String
    var threshold: Int { blobs.limits.blobThresholdBytes }
    /// The first blob write that failed: the record must not be written.
    private(set) var failure: (any Error)?

    init(_ blobs: ValueBlobs, owner: String) {
        self.blobs = blobs
        self.owner = owner
    }

    /// A value at a value position: inline when small; a container over the threshold is
    /// written with its large members as references, and becomes a reference itself if it is
    /// still over; any other large value (a string) becomes a reference.
    func json(_ value: JSONValue, into w: inout ByteWriter) {
        guard value.binarySize(stoppingAbove: threshold) > threshold else { return w.plain(value) }
        var inner = ByteWriter(capacity: 64, sortingKeys: w.sortingKeys)
        switch value {
        case .array, .object:
            inner.spill = self
            inner.tagged(value)
        default:
            inner.plain(value)
        }
        if inner.bytes.count <= threshold {
            w.append(inner.bytes)
        } else {
            reference(inner.bytes, value, into: &w)
        }
    }

    /// An object position (run inputs and outputs, pause inputs): its members, the largest
    /// made references until what stays inline is under the threshold.
    func object(_ members: [String: JSONValue], into w: inout ByteWriter) {
        let sizes = members.mapValues { $0.binarySize(stoppingAbove: .max) }
        var inline = sizes.reduce(0) { $0 + $1.key.utf8.count + 2 + $1.value }
        var forced = Set<String>()
        for (key, size) in sizes.sorted(by: { $0.value > $1.value }) where inline > threshold {
            forced.insert(key)
            inline -= size - 40
        }
        w.count(members.count)
        for key in w.sortingKeys ? JSONValue.sortedKeys(members) : Array(members.keys) {
            w.string(key)
            // A member over the threshold is a reference already; a forced one under it is made one.
            guard forced.contains(key), sizes[key]! <= threshold else {
                json(members[key]!, into: &w)
                continue
            }
            var inner = ByteWriter(capacity: 64, sortingKeys: w.sortingKeys)
            inner.plain(members[key]!)
            reference(inner.bytes, members[key]!, into: &w)
        }
    }

    private func reference(_ encoded: [UInt8], _ value: JSONValue, into w: inout ByteWriter) {
        do {
            let digest = try blobs.put(encoded, decoded: value, owner: owner)
            w.byte(JSONTag.blob)
            w.append(digest)
            w.count(encoded.count)
        } catch {
            if failure == nil { failure = error }
            w.plain(value)
        }
    }
}

extension JSONValue {
    /// Bytes of the value's binary record encoding (`ByteWriter.json`), counted without
    /// encoding; the walk stops as soon as the count passes `limit`.
    func binarySize(stoppingAbove limit: Int) -> Int {
        var total = 0
        func add(_ v: JSONValue) -> Bool {
            switch v {
            case .null, .bool: total += 1
            case .number: total += 9
            case .string(let s): total += 1 + Self.prefixed(s.utf8.count)
            case .array(let items):
                total += 1 + Self.varintBytes(items.count)
                for item in items where !add(item) { return false }
            case .object(let members):
                total += 1 + Self.varintBytes(members.count)
                for (key, value) in members {
                    total += Self.prefixed(key.utf8.count)
                    if !add(value) { return false }
                }
            }
            return total <= limit
        }
        _ = add(self)
        return total
    }

    private static func prefixed(_ n: Int) -> Int { varintBytes(n) + n }

    private static func varintBytes(_ n: Int) -> Int {
        var v = UInt64(n), bytes = 1
        while v >= 0x80 {
            v >>= 7
            bytes += 1
        }
        return bytes
    }
}
