/// Reads TZif files (RFC 8536), versions 1 to 4. For version 2 and later only the 64-bit
/// data and the footer are used; the version 1 block is skipped.
enum TZif {
    /// Real files are a few kilobytes; anything this big is not a zone file.
    static let maxFileBytes = 256 * 1024
    /// No real offset is beyond ±26 hours; zone arithmetic relies on that bound.
    static let maxOffsetSeconds = 26 * 3_600

    static func parse(_ bytes: [UInt8], name: String) throws(ScheduleError) -> ZoneInfo {
        var r = Reader(bytes: bytes, name: name)
        let v1 = try r.header()
        guard v1.version >= 2 else {
            let data = try r.block(v1, timeBytes: 4)
            return try zone(name: name, data: data, rule: nil, reader: r)
        }
        try r.skip(v1.blockBytes(timeBytes: 4))
        let v2 = try r.header()
        let data = try r.block(v2, timeBytes: 8)
        let footer = try r.footer()
        var rule: PosixTZ?
        if !footer.isEmpty {
            do {
                rule = try PosixTZ(parsing: footer)
            } catch {
                throw r.fail(error.message)
            }
        }
        return try zone(name: name, data: data, rule: rule, reader: r)
    }

    private static func zone(name: String, data: Block, rule: PosixTZ?, reader r: Reader) throws(ScheduleError) -> ZoneInfo {
        for (i, t) in data.times.enumerated() where i > 0 && t <= data.times[i - 1] {
            throw r.fail("transition times are not ascending at transition \(i)")
        }
        guard data.offsets.allSatisfy({ abs($0) <= maxOffsetSeconds }) else { throw r.fail("UTC offset beyond 26 hours") }
        return ZoneInfo(name: name, transitions: data.times, offsetsAfter: data.typeIndices.map { data.offsets[$0] },
                        initialOffset: data.offsets[0], rule: rule)
    }

    struct Header {
        var version: Int
        var isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt: Int

        func blockBytes(timeBytes: Int) -> Int {
            timecnt * timeBytes + timecnt + typecnt * 6 + charcnt + leapcnt * (timeBytes + 4) + isstdcnt + isutcnt
        }
    }

    /// A data block, reduced to what offsets need.
    struct Block {
        var times: [Int]
        var typeIndices: [Int]
        /// Each local time type's UTC offset, seconds east.
        var offsets: [Int]
    }

    private struct Reader {
        let bytes: [UInt8]
        let name: String
        var pos = 0

        func fail(_ why: String) -> ScheduleError {
            ScheduleError(.malformedZoneFile, "time zone \"\(name)\": bad zone file: \(why)")
        }

        mutating func skip(_ count: Int) throws(ScheduleError) {
            guard count <= bytes.count - pos else { throw fail("truncated at byte \(bytes.count)") }
            pos += count
        }

        mutating func integer(_ size: Int) throws(ScheduleError) -> Int {
            try skip(size)
            var value: UInt64 = 0
            for b in bytes[(pos - size)..<pos] { value = value << 8 | UInt64(b) }
            // Sign-extend from `size` bytes.
            let shift = UInt64(64 - size * 8)
            return Int(Int64(bitPattern: value << shift) >> Int64(shift))
        }

        mutating func header() throws(ScheduleError) -> Header {
            guard bytes.count - pos >= 44, Array(bytes[pos..<(pos + 4)]) == Array("TZif".utf8) else {
                throw fail("no TZif header at byte \(pos)")
            }
            let versionByte = bytes[pos + 4]
            let version: Int
            switch versionByte {
            case 0: version = 1
            case UInt8(ascii: "2")...UInt8(ascii: "4"): version = Int(versionByte - UInt8(ascii: "0"))
            default: throw fail("unknown version byte \(versionByte)")
            }
            try skip(20)
            var counts: [Int] = []
            for _ in 0..<6 { counts.append(try integer(4)) }
            let h = Header(version: version, isutcnt: counts[0], isstdcnt: counts[1], leapcnt: counts[2],
                           timecnt: counts[3], typecnt: counts[4], charcnt: counts[5])
            guard (1...256).contains(h.typecnt), h.charcnt >= 1, (0...100_000).contains(h.timecnt),
                  (0...65_536).contains(h.charcnt), h.isutcnt == 0 || h.isutcnt == h.typecnt,
                  h.isstdcnt == 0 || h.isstdcnt == h.typecnt else {
                throw fail("impossible counts in the header")
            }
            guard h.leapcnt == 0 else { throw fail("leap-second (\"right/\") zone files are not supported") }
            return h
        }

        mutating func block(_ h: Header, timeBytes: Int) throws(ScheduleError) -> Block {
            guard h.blockBytes(timeBytes: timeBytes) <= bytes.count - pos else { throw fail("truncated data block") }
            var times: [Int] = []
            for _ in 0..<h.timecnt { times.append(try integer(timeBytes)) }
            var indices: [Int] = []
            for _ in 0..<h.timecnt {
                let index = try integer(1) & 0xFF
                guard index < h.typecnt else { throw fail("transition names local time type \(index) of \(h.typecnt)") }
                indices.append(index)
            }
            var offsets: [Int] = []
            for _ in 0..<h.typecnt {
                offsets.append(try integer(4))
                try skip(2)  // isdst, abbreviation index
            }
            try skip(h.charcnt + h.isstdcnt + h.isutcnt)  // abbreviations and indicators: unused
            return Block(times: times, typeIndices: indices, offsets: offsets)
        }

        /// The text between the newlines that end a version 2+ file ("" when empty).
        mutating func footer() throws(ScheduleError) -> String {
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\n") else { throw fail("no footer") }
            guard let end = bytes[(pos + 1)...].firstIndex(of: UInt8(ascii: "\n")) else { throw fail("unterminated footer") }
            let text = bytes[(pos + 1)..<end]
            guard text.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { throw fail("footer is not printable ASCII") }
            pos = end + 1
            return String(decoding: text, as: UTF8.self)
        }
    }
}
