/// One workflow as List sees it: the fields its filters read, kept in id order beside the id so
/// that a scan never goes through the records dictionary.
struct ListRow: Sendable, Hashable {
    var id: String
    var status: WorkflowStatus
    var triggerType: TriggerType
    var deleted: Bool
    var tags: [String]
    /// The name lower-cased (`String.lowercased()`), as UTF-8.
    var searchName: [UInt8]
    /// The name is ASCII without CR: a byte match is then exactly a `String.contains` match
    /// (no canonical equivalence, no "\r\n" grapheme for a match to split).
    var plainName: Bool

    init(_ w: Workflow) {
        id = w.id
        status = w.status
        triggerType = w.metadata.triggerType
        deleted = w.deleted
        tags = w.metadata.tags
        searchName = Array(w.name.lowercased().utf8)
        plainName = searchName.allSatisfy { $0 < 0x80 && $0 != 0x0D }
    }
}

/// The list filters compiled once per call: the lower-cased needle and whether a byte search
/// answers it exactly.
struct RowFilter {
    let filter: ListFilter
    let status: WorkflowStatus?
    let triggerType: TriggerType?
    let tag: String?
    let needle: [UInt8]
    let needleText: String
    let plainNeedle: Bool

    init(_ f: ListFilter) {
        filter = f
        status = f.status == .unspecified ? nil : f.status
        triggerType = f.triggerType == .unspecified ? nil : f.triggerType
        tag = f.tag?.isEmpty == false ? f.tag : nil
        needleText = f.nameContains?.lowercased() ?? ""
        needle = Array(needleText.utf8)
        plainNeedle = needle.allSatisfy { $0 < 0x80 && $0 != 0x0D }
    }

    /// Every filter, on one row.
    func matches(_ row: ListRow) -> Bool {
        if row.deleted, !filter.includeDeleted { return false }
        if let status, row.status != status { return false }
        if let triggerType, row.triggerType != triggerType { return false }
        if let tag, !row.tags.contains(tag) { return false }
        return nameMatches(row)
    }

    /// The filters the posting lists do not answer (deleted, name).
    func matchesUnindexed(_ row: ListRow) -> Bool {
        if row.deleted, !filter.includeDeleted { return false }
        return nameMatches(row)
    }

    private func nameMatches(_ row: ListRow) -> Bool {
        if needle.isEmpty { return true }
        if plainNeedle, row.plainName { return Self.contains(row.searchName, needle) }
        return String(decoding: row.searchName, as: UTF8.self).contains(needleText)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        let n = needle.count, h = haystack.count
        guard n <= h else { return false }
        let first = needle[0]
        var i = 0
        while i <= h - n {
            if haystack[i] == first {
                var k = 1
                while k < n, haystack[i + k] == needle[k] { k += 1 }
                if k == n { return true }
            }
            i += 1
        }
        return false
    }
}

/// A tenant's workflows in list order with posting lists for the filters that select few:
/// tag, status, trigger type, and the trigrams of lower-cased names (for name_contains). A
/// posting list holds positions in `rows`, ascending, so it is in id order too (ULIDs sort by
/// creation time, so newest first is back to front). Positions are plain integers: copying a
/// list (the first change after a snapshot takes the state) is a memcpy, and adding one is an
/// append with no string to compare or retain. A new workflow's row goes at the end, so no
/// position moves; a row inserted or removed in the middle (an id older than the newest, a
/// purge) moves every position after it by one, in every list, as `rows` itself moves. A
/// filtered page intersects the posting lists of the filters it names, walking down
/// from the page token, so it costs about what it returns. The name itself and include_deleted
/// are checked row by row on the candidates: a trigram list only narrows (a row holding every
/// trigram of the needle need not hold the needle).
///
/// Derived state: rebuilt from the records on snapshot load, kept in step by every event.
/// Empty posting lists are dropped, so equal records always give an equal index.
struct ListIndex: Sendable, Hashable {
    /// Every workflow, deleted ones included.
    private(set) var rows: [ListRow] = []
    private var byTag: [String: [Position]] = [:]
    private var byStatus: [WorkflowStatus: [Position]] = [:]
    private var byTrigger: [TriggerType: [Position]] = [:]
    /// Every 3-byte run of a lower-cased name (UTF-8), packed in a UInt32.
    private var byTrigram: [UInt32: [Position]] = [:]

    /// An index into `rows`.
    typealias Position = UInt32

    init() {}

    /// Builds the index of `rows` in any order (snapshot load).
    init(rows unsorted: [ListRow]) {
        rows = unsorted.sorted { $0.id < $1.id }
        for (i, row) in rows.enumerated() {
            let p = Position(i)
            for tag in Set(row.tags) { byTag[tag, default: []].append(p) }
            byStatus[row.status, default: []].append(p)
            byTrigger[row.triggerType, default: []].append(p)
            for t in Self.trigrams(row.searchName) { byTrigram[t, default: []].append(p) }
        }
    }

    var count: Int { rows.count }
    var ids: some Collection<String> { rows.lazy.map(\.id) }

    /// Adds a workflow, or replaces its row and moves it between posting lists.
    mutating func set(_ row: ListRow) {
        // Ids sort by creation time: a new workflow's row goes at the end, found with one
        // comparison instead of a binary search over every row.
        if rows.last.map({ $0.id < row.id }) ?? true {
            rows.append(row)
            return post(row, at: Position(rows.count - 1), add: true)
        }
        let at = Self.lowerBound(rows.count) { rows[$0].id < row.id }
        let p = Position(at)
        guard at < rows.count, rows[at].id == row.id else {
            rows.insert(row, at: at)
            shiftPositions(from: p, by: 1)
            post(row, at: p, add: true)
            return
        }
        let old = rows[at]
        guard old != row else { return }
        rows[at] = row
        if old.status != row.status {
            Self.remove(p, from: &byStatus, key: old.status)
            Self.insert(p, into: &byStatus[row.status, default: []])
        }
        if old.triggerType != row.triggerType {
            Self.remove(p, from: &byTrigger, key: old.triggerType)
            Self.insert(p, into: &byTrigger[row.triggerType, default: []])
        }
        if old.tags != row.tags {
            let before = Set(old.tags), after = Set(row.tags)
            for tag in before.subtracting(after) { Self.remove(p, from: &byTag, key: tag) }
            for tag in after.subtracting(before) { Self.insert(p, into: &byTag[tag, default: []]) }
        }
        if old.searchName != row.searchName {
            let before = Self.trigrams(old.searchName), after = Self.trigrams(row.searchName)
            for t in before.subtracting(after) { Self.remove(p, from: &byTrigram, key: t) }
            for t in after.subtracting(before) { Self.insert(p, into: &byTrigram[t, default: []]) }
        }
    }

    mutating func remove(_ id: String) {
        let at = Self.lowerBound(rows.count) { rows[$0].id < id }
        guard at < rows.count, rows[at].id == id else { return }
        post(rows.remove(at: at), at: Position(at), add: false)
        shiftPositions(from: Position(at + 1), by: -1)
    }

    private mutating func post(_ row: ListRow, at p: Position, add: Bool) {
        if add {
            // Posting a position twice is a no-op (`insert` finds it), so repeated tags need no Set.
            for tag in row.tags { Self.insert(p, into: &byTag[tag, default: []]) }
            Self.insert(p, into: &byStatus[row.status, default: []])
            Self.insert(p, into: &byTrigger[row.triggerType, default: []])
            // A repeated trigram finds the position already there: no set of them to build.
            Self.forEachTrigram(row.searchName) { Self.insert(p, into: &byTrigram[$0, default: []]) }
        } else {
            for tag in Set(row.tags) { Self.remove(p, from: &byTag, key: tag) }
            Self.remove(p, from: &byStatus, key: row.status)
            Self.remove(p, from: &byTrigger, key: row.triggerType)
            Self.forEachTrigram(row.searchName) { Self.remove(p, from: &byTrigram, key: $0) }
        }
    }

    /// Moves every posted position at or after `from` by `delta`, in every list: `rows` gained
    /// or lost an element there. O(the postings after it), like the move of `rows` itself.
    private mutating func shiftPositions(from: Position, by delta: Int32) {
        func shift<Key>(_ lists: inout [Key: [Position]]) {
            for i in lists.values.indices {
                lists.values[i].withUnsafeMutableBufferPointer { list in
                    var j = Self.lowerBound(list.count) { list[$0] < from }
                    while j < list.count {
                        list[j] = Position(Int32(list[j]) + delta)
                        j += 1
                    }
                }
            }
        }
        shift(&byTag)
        shift(&byStatus)
        shift(&byTrigger)
        shift(&byTrigram)
    }

    /// Each 3-byte run of `bytes`, repeats included, packed in a UInt32.
    static func forEachTrigram(_ bytes: [UInt8], _ body: (UInt32) -> Void) {
        guard bytes.count >= 3 else { return }
        for i in 0...(bytes.count - 3) {
            body(UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]))
        }
    }

    /// The distinct 3-byte runs of `bytes`.
    static func trigrams(_ bytes: [UInt8]) -> Set<UInt32> {
        var out = Set<UInt32>(minimumCapacity: max(0, bytes.count - 2))
        forEachTrigram(bytes) { out.insert($0) }
        return out
    }

    // MARK: Reading

    /// Up to `limit` ids matching `filter`, newest first, strictly older than `before` (nil: from
    /// the newest).
    func page(_ filter: RowFilter, before: String?, limit: Int) -> [String] {
        var postings: [[Position]] = []
        if let tag = filter.tag {
            guard let list = byTag[tag] else { return [] }
            postings.append(list)
        }
        if let status = filter.status {
            guard let list = byStatus[status] else { return [] }
            postings.append(list)
        }
        if let trigger = filter.triggerType {
            guard let list = byTrigger[trigger] else { return [] }
            postings.append(list)
        }
        // A byte needle (ASCII, see RowFilter) of 3 bytes or more: a matching name holds each of
        // its trigrams. The two rarest lists narrow enough; more would only cost seeks.
        if filter.plainNeedle, filter.needle.count >= 3 {
            var lists: [[Position]] = []
            for t in Self.trigrams(filter.needle) {
                guard let list = byTrigram[t] else { return [] }
                lists.append(list)
            }
            postings += lists.sorted { $0.count < $1.count }.prefix(2)
        }
        // A posting list that holds most of the tenant narrows nothing: scanning the rows
        // (no lookups per candidate) is then the cheaper walk.
        let smallest = postings.map(\.count).min() ?? rows.count
        if postings.isEmpty || (smallest > rows.count / 4 && !filter.needle.isEmpty) {
            return scan(filter, before: before, limit: limit)
        }
        var out: [String] = []
        // Rows strictly older than `before` are those below its position.
        let end = before.map { b in Position(Self.lowerBound(rows.count) { rows[$0].id < b }) }
        Self.intersectDescending(postings, before: end) { p in
            let row = rows[Int(p)]
            if filter.matchesUnindexed(row) { out.append(row.id) }
            return out.count < limit
        }
        return out
    }

    private func scan(_ filter: RowFilter, before: String?, limit: Int) -> [String] {
        var i = (before.map { b in Self.lowerBound(rows.count) { rows[$0].id < b } } ?? rows.count) - 1
        var out: [String] = []
        while i >= 0, out.count < limit {
            if filter.matches(rows[i]) { out.append(rows[i].id) }
            i -= 1
        }
        return out
    }

    /// Calls `body` with each id present in every list, descending, below `before`, until it
    /// returns false. Leapfrog: the candidate is the largest id not yet ruled out; each list in
    /// turn seeks down to its largest id not above it, and a list that lands lower makes that
    /// id the candidate. A match costs a few binary searches, however large the lists.
    static func intersectDescending<Element: Comparable>(_ lists: [[Element]], before: Element?,
                                                         _ body: (Element) -> Bool) {
        let k = lists.count
        // end[i]: list i's elements still in play are lists[i][0..<end[i]].
        var end = lists.map { list in before.map { b in lowerBound(list.count) { list[$0] < b } } ?? list.count }
        guard end[0] > 0 else { return }
        var candidate = lists[0][end[0] - 1]
        var agree = 1, i = 0
        while true {
            if agree == k {
                guard body(candidate) else { return }
                end[i] -= 1  // list i holds the candidate at its end: step past it
                guard end[i] > 0 else { return }
                candidate = lists[i][end[i] - 1]
                agree = 1
            }
            i = (i + 1) % k
            if agree == k { continue }  // k == 1: every element matches
            let list = lists[i]
            // Seek: the elements above the candidate drop out.
            if end[i] > 0, candidate < list[end[i] - 1] {
                end[i] = lowerBound(end[i] - 1) { !(candidate < list[$0]) }
            }
            guard end[i] > 0 else { return }
            let top = list[end[i] - 1]
            if top == candidate {
                agree += 1
            } else {
                candidate = top
                agree = 1
            }
        }
    }

    // MARK: Sorted-list helpers

    /// The first index in 0..<count for which `isBelow` is false (`isBelow` true, then false).
    static func lowerBound(_ count: Int, _ isBelow: (Int) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isBelow(mid) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    static func insert(_ p: Position, into list: inout [Position]) {
        if list.last.map({ $0 < p }) ?? true { return list.append(p) }  // the usual case: newest
        let at = lowerBound(list.count) { list[$0] < p }
        if at == list.count || list[at] != p { list.insert(p, at: at) }
    }

    static func remove<Key: Hashable>(_ p: Position, from lists: inout [Key: [Position]], key: Key) {
        guard var list = lists.removeValue(forKey: key) else { return }
        let at = lowerBound(list.count) { list[$0] < p }
        if at < list.count, list[at] == p { list.remove(at: at) }
        if !list.isEmpty { lists[key] = list }
    }
}
