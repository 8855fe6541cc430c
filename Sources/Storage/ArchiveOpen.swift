#if canImport(Glibc)
import Glibc
#endif

extension Archive {
    /// Opens (creating if needed) the archive in `directory` and hands every valid index entry
    /// to `body`, oldest first. `mark`: the entries the caller's snapshot relies on (see the
    /// type's notes). Refuses (`corrupt`) a bad entry below the mark, and (`unrecoverable`) an
    /// index shorter than the mark; cuts a bad tail after it; truncates the data written after
    /// the last entry (a batch whose index never made it to disk).
    public static func open(directory: String, mark: UInt64, options: Options = Options(),
                            _ body: (Entry) throws -> Void) throws -> (Archive, Report) {
        let clock = ContinuousClock()
        let started = clock.now
        let files = options.files
        if try Directory.make(directory) { try files.fsyncDirectory(parent(of: directory)) }
        var removedTemp = false
        for name in try Directory.names(in: directory) where name.hasSuffix(".tmp") {
            try files.unlink(directory + "/" + name)
            removedTemp = true
        }
        if removedTemp { try files.fsyncDirectory(directory) }
        var scan = IndexScan(directory: directory, mark: mark, options: options)
        defer { scan.closeReaders() }
        try scan.run(body)
        guard scan.report.entries >= mark else {
            throw StorageError.unrecoverable("the archive index in \(directory) holds \(scan.report.entries) entries, "
                                             + "the snapshot relies on \(mark): index files are missing or cut short")
        }
        let (dataFile, dataSize) = try scan.prepareActiveData()
        let (indexFile, indexSize) = try scan.prepareActiveIndex()
        var writer = Writer(indexFD: -1, indexFile: indexFile, indexSize: indexSize, entriesWritten: scan.report.entries,
                            dataFD: -1, dataFile: dataFile, dataSize: dataSize)
        writer.indexFD = try files.open(scan.indexPath(indexFile), flags: O_WRONLY | O_APPEND, mode: 0)
        do {
            writer.dataFD = try files.open(scan.dataPath(dataFile), flags: O_WRONLY | O_APPEND, mode: 0)
        } catch {
            files.close(writer.indexFD)
            throw error
        }
        var report = scan.report
        report.duration = clock.now - started
        return (Archive(directory: directory, options: options, writer: writer, entries: report.entries), report)
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// The work of `Archive.open`: reads the index files in order, checks them, and finds where
/// the files should end.
private struct IndexScan {
    let directory: String
    let mark: UInt64
    let options: Options
    var report = Archive.Report()
    /// The end of the last record an entry points at, per data file.
    var referencedEnd: [UInt32: Int64] = [:]
    /// First entry number of each index file, ascending (after a cut tail, the files left).
    var indexFiles: [UInt64] = []
    var dataFiles: [UInt32] = []
    private var readers: [UInt32: Int32] = [:]

    typealias Options = Archive.Options

    init(directory: String, mark: UInt64, options: Options) {
        self.directory = directory
        self.mark = mark
        self.options = options
    }

    func indexPath(_ first: UInt64) -> String { directory + "/" + Hex.lsn(first) + ".index" }
    func dataPath(_ file: UInt32) -> String { directory + "/" + Hex.lsn(UInt64(file)) + ".data" }

    mutating func run(_ body: (Archive.Entry) throws -> Void) throws {
        let names = try Directory.names(in: directory)
        indexFiles = names.compactMap { Hex.parseLSN($0, suffix: ".index") }.sorted()
        dataFiles = names.compactMap { Hex.parseLSN($0, suffix: ".data") }.compactMap { UInt32(exactly: $0) }.sorted()
        report.indexFiles = indexFiles.count
        report.dataFiles = dataFiles.count
        for (i, first) in indexFiles.enumerated() {
            let path = indexPath(first)
            if first != report.entries {
                try cut(at: i, path: path, offset: 0, reason: "the file starts at entry \(first), the one before ends at \(report.entries)")
                return
            }
            let fd = try options.files.open(path, flags: O_RDWR, mode: 0)
            defer { options.files.close(fd) }
            if try !scanFile(fd: fd, index: i, path: path, body) { return }
        }
    }

    /// Scans one index file; false when it ended in a cut (no file after it counts).
    private mutating func scanFile(fd: Int32, index: Int, path: String, _ body: (Archive.Entry) throws -> Void) throws -> Bool {
        var scanner = SegmentScanner(files: options.files, fd: fd, path: path, from: 0, limit: try options.files.size(fd),
                                     maxPayloadBytes: options.maxSummaryBytes + 12)
        while true {
            let offset = scanner.offset
            switch try scanner.next(wantPayload: true) {
            case .end:
                return true
            case let .bad(offset, reason, _):
                try cut(at: index, path: path, offset: offset, reason: reason, fd: fd)
                return false
            case .zeros:  // archive files are not written ahead: zeros are a torn or damaged entry
                try cut(at: index, path: path, offset: offset, reason: "a header of zeros", fd: fd)
                return false
            case let .record(type, payload):
                guard let entry = IndexEntry.decode(type, payload ?? []) else {
                    try cut(at: index, path: path, offset: offset, reason: "entry of unknown type \(type)", fd: fd)
                    return false
                }
                try take(entry, body)
            }
        }
    }

    /// One valid entry: after the mark, a put's record is checked first.
    private mutating func take(_ entry: Archive.Entry, _ body: (Archive.Entry) throws -> Void) throws {
        defer { report.entries += 1 }
        guard case .put(_, let at) = entry else { return try body(entry) }
        if report.entries >= mark, let problem = check(at) {
            report.droppedEntries.append(problem.description)
            return
        }
        referencedEnd[at.file] = max(referencedEnd[at.file] ?? 0, Int64(at.offset) + Int64(at.frameBytes))
        try body(entry)
    }

    private mutating func check(_ at: Archive.Location) -> ArchiveDamage? {
        let path = dataPath(at.file)
        do {
            let fd: Int32
            if let known = readers[at.file] {
                fd = known
            } else {
                fd = try options.files.open(path, flags: O_RDONLY, mode: 0)
                readers[at.file] = fd
            }
            let bytes = try options.files.readFully(fd, count: Int(at.frameBytes), at: Int64(at.offset))
            _ = try Archive.parse(bytes, path: path, offset: Int64(at.offset), maxPayloadBytes: options.maxRecordBytes)
            return nil
        } catch let damage as ArchiveDamage {
            return damage
        } catch {
            return ArchiveDamage(path: path, offset: Int64(at.offset), reason: "\(error)")
        }
    }

    /// A bad entry: below the mark it is corruption (refused); after it, a torn tail: this file
    /// is cut at `offset` and the index files after it are removed.
    private mutating func cut(at index: Int, path: String, offset: Int64, reason: String, fd: Int32? = nil) throws {
        guard report.entries >= mark else {
            throw StorageError.corrupt(path: path, offset: offset,
                                       reason: "\(reason) (archive index entry \(report.entries), below the snapshot's mark \(mark))")
        }
        report.truncatedIndex = "\(path) at offset \(offset): \(reason)"
        let files = options.files
        if let fd {
            try files.truncate(fd, to: offset)
            try files.fsync(fd)
        } else {
            try files.unlink(path)
        }
        for later in indexFiles[(index + 1)...] { try files.unlink(indexPath(later)) }
        indexFiles = Array(indexFiles[..<(fd == nil ? index : index + 1)])
        try files.fsyncDirectory(directory)
    }

    /// The data file writes go on in (the newest), cut back to the end of its last referenced
    /// record; made if there is none.
    mutating func prepareActiveData() throws -> (UInt32, Int64) {
        let files = options.files
        guard let last = dataFiles.last else {
            try files.writeDurably([], to: dataPath(1), directory: directory)
            return (1, 0)
        }
        let fd = try files.open(dataPath(last), flags: O_RDWR, mode: 0)
        defer { files.close(fd) }
        let end = referencedEnd[last] ?? 0
        if try files.size(fd) > end {
            try files.truncate(fd, to: end)
            try files.fsync(fd)
        }
        return (last, end)
    }

    mutating func prepareActiveIndex() throws -> (UInt64, Int64) {
        let files = options.files
        guard let last = indexFiles.last else {
            try files.writeDurably([], to: indexPath(report.entries), directory: directory)
            return (report.entries, 0)
        }
        let fd = try files.open(indexPath(last), flags: O_RDONLY, mode: 0)
        defer { files.close(fd) }
        return (last, try files.size(fd))
    }

    mutating func closeReaders() {
        for fd in readers.values { options.files.close(fd) }
        readers.removeAll()
    }
}
