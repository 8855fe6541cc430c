// The well-known types' special JSON forms: Struct / Value / ListValue as plain JSON,
// Timestamp as RFC 3339 ("2026-01-02T03:04:05.500Z"), Duration as "1.5s", the wrappers as
// their bare value, FieldMask as "a,bC", Any as {"@type": ..., fields...}.
import ProtoJSON
import Messages
import ProtoWire

extension Transcoder {
    static let wrappers: [String: FieldType] = [
        "google.protobuf.DoubleValue": .double, "google.protobuf.FloatValue": .float,
        "google.protobuf.Int64Value": .int64, "google.protobuf.UInt64Value": .uint64,
        "google.protobuf.Int32Value": .int32, "google.protobuf.UInt32Value": .uint32,
        "google.protobuf.BoolValue": .bool, "google.protobuf.StringValue": .string,
        "google.protobuf.BytesValue": .bytes,
    ]

    static func wrapperField(_ type: FieldType) -> SchemaField {
        SchemaField(name: "value", jsonName: "value", number: 1, type: type, repeated: false, typeName: nil,
                    hasPresence: false, mapEntry: nil)
    }

    /// The special form of a well-known type, or nil for an ordinary message.
    func wellKnownJSON(_ bytes: ArraySlice<UInt8>, type: String, depth: Int) throws(TranscodeError) -> JSON? {
        switch type {
        case "google.protobuf.Struct":
            guard case .object(let members) = try plain(bytes, type, depth) else { return .object([]) }
            return members.first?.value ?? .object([])
        case "google.protobuf.ListValue":
            guard case .object(let members) = try plain(bytes, type, depth) else { return .array([]) }
            return members.first?.value ?? .array([])
        case "google.protobuf.Value":
            guard case .object(let members) = try plain(bytes, type, depth), let kind = members.first else { return .null }
            return kind.value
        case "google.protobuf.Timestamp":
            let (seconds, nanos) = try secondsAndNanos(bytes)
            guard seconds >= -62_135_596_800 && seconds <= 253_402_300_799 && nanos >= 0 && nanos < 1_000_000_000 else {
                throw TranscodeError("Timestamp out of range: \(seconds)s \(nanos)ns")
            }
            return .string(RFC3339.format(seconds: seconds, nanos: nanos))
        case "google.protobuf.Duration":
            let (seconds, nanos) = try secondsAndNanos(bytes)
            let negative = seconds < 0 || nanos < 0
            var text = negative ? "-" : ""
            text += String(abs(seconds))
            text += RFC3339.fraction(Int32(abs(Int(nanos))))
            return .string(text + "s")
        case "google.protobuf.FieldMask":
            guard case .object(let members) = try plain(bytes, type, depth),
                  case .array(let paths)? = members.first?.value else { return .string("") }
            return .string(paths.compactMap { if case .string(let p) = $0 { ProtoSchema.lowerCamel(p) } else { nil } }
                .joined(separator: ","))
        case "google.protobuf.Any":
            return try anyJSON(bytes, depth: depth)
        default:
            guard let wrapped = Self.wrappers[type] else { return nil }
            guard case .object(let members) = try plainFields(bytes, [Self.wrapperField(wrapped)], depth) else { return nil }
            return members.first?.value ?? Self.defaultJSON(Self.wrapperField(wrapped))
        }
    }

    /// The message decoded as an ordinary one (the well-known form built on top of it).
    private func plain(_ bytes: ArraySlice<UInt8>, _ type: String, _ depth: Int) throws(TranscodeError) -> JSON {
        guard let message = schema.messages[type] else { throw TranscodeError("unknown message type \(type)") }
        return try fieldsJSON(bytes, message, depth: depth + 1)
    }

    private func plainFields(_ bytes: ArraySlice<UInt8>, _ fields: [SchemaField], _ depth: Int) throws(TranscodeError) -> JSON {
        let message = SchemaMessageType(name: "wrapper", fields: fields, byNumber: [1: 0], byName: [:], isMapEntry: false)
        return try fieldsJSON(bytes, message, depth: depth + 1)
    }

    private func secondsAndNanos(_ bytes: ArraySlice<UInt8>) throws(TranscodeError) -> (Int64, Int32) {
        var seconds: Int64 = 0
        var nanos: Int32 = 0
        do {
            var reader = ProtoReader(bytes)
            while let tag = try reader.readTag() {
                switch (tag.number, tag.wireType) {
                case (1, .varint): seconds = Int64(bitPattern: try reader.readVarint())
                case (2, .varint): nanos = Int32(truncatingIfNeeded: try reader.readVarint())
                default: try reader.skip(tag)
                }
            }
        } catch {
            throw TranscodeError("malformed Timestamp/Duration: \(error)")
        }
        return (seconds, nanos)
    }

    private func anyJSON(_ bytes: ArraySlice<UInt8>, depth: Int) throws(TranscodeError) -> JSON {
        var url = ""
        var value: ArraySlice<UInt8> = []
        do {
            var reader = ProtoReader(bytes)
            while let tag = try reader.readTag() {
                switch (tag.number, tag.wireType) {
                case (1, .lengthDelimited): url = String(decoding: try reader.readLengthDelimited(), as: UTF8.self)
                case (2, .lengthDelimited): value = try reader.readLengthDelimited()
                default: try reader.skip(tag)
                }
            }
        } catch {
            throw TranscodeError("malformed Any: \(error)")
        }
        if url.isEmpty { return .object([]) }
        let type = String(url.split(separator: "/").last ?? "")
        let inner = try json(from: value, type: type, depth: depth + 1)
        if case .object(let members) = inner, Self.wellKnownNames.contains(type) == false {
            return .object([JSONMember("@type", .string(url))] + members)
        }
        return .object([JSONMember("@type", .string(url)), JSONMember("value", inner)])
    }

    static let wellKnownNames: Set<String> = Set(wrappers.keys).union([
        "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.Timestamp",
        "google.protobuf.Duration", "google.protobuf.FieldMask", "google.protobuf.Any",
    ])

    // MARK: JSON -> protobuf

    /// Writes a well-known type's special form; false for an ordinary message.
    func writeWellKnown(_ json: JSON, type: String, into w: inout ProtoWriter, depth: Int) throws(TranscodeError) -> Bool {
        switch type {
        case "google.protobuf.Struct":
            guard case .object(let members) = json else { throw TranscodeError("a Struct must be a JSON object") }
            for member in members {
                let (key, value) = (member.key, member.value)
                var entry = ProtoWriter()
                entry.writeTag(1, .lengthDelimited)
                entry.writeLengthDelimited(Array(key.utf8))
                var nested = ProtoWriter()
                try write(value, type: "google.protobuf.Value", into: &nested, depth: depth + 1)
                entry.writeTag(2, .lengthDelimited)
                entry.writeLengthDelimited(nested.take())
                w.writeTag(1, .lengthDelimited)
                w.writeLengthDelimited(entry.take())
            }
        case "google.protobuf.ListValue":
            guard case .array(let items) = json else { throw TranscodeError("a ListValue must be a JSON array") }
            for item in items {
                var nested = ProtoWriter()
                try write(item, type: "google.protobuf.Value", into: &nested, depth: depth + 1)
                w.writeTag(1, .lengthDelimited)
                w.writeLengthDelimited(nested.take())
            }
        case "google.protobuf.Value":
            switch json {
            case .null:
                w.writeTag(1, .varint)
                w.writeVarint(0)
            case .number(let text):
                guard let d = Double(text), d.isFinite else { throw TranscodeError("number \(text) out of range") }
                w.writeTag(2, .fixed64)
                w.writeFixed64(d.bitPattern)
            case .string(let s):
                w.writeTag(3, .lengthDelimited)
                w.writeLengthDelimited(Array(s.utf8))
            case .bool(let b):
                w.writeTag(4, .varint)
                w.writeVarint(b ? 1 : 0)
            case .object:
                var nested = ProtoWriter()
                try write(json, type: "google.protobuf.Struct", into: &nested, depth: depth + 1)
                w.writeTag(5, .lengthDelimited)
                w.writeLengthDelimited(nested.take())
            case .array:
                var nested = ProtoWriter()
                try write(json, type: "google.protobuf.ListValue", into: &nested, depth: depth + 1)
                w.writeTag(6, .lengthDelimited)
                w.writeLengthDelimited(nested.take())
            }
        case "google.protobuf.Timestamp":
            guard case .string(let text) = json, let (seconds, nanos) = RFC3339.parse(text) else {
                throw TranscodeError("a Timestamp must be an RFC 3339 string (e.g. \"2026-01-02T03:04:05Z\")")
            }
            writeSecondsAndNanos(seconds, nanos, into: &w)
        case "google.protobuf.Duration":
            guard case .string(let text) = json, let (seconds, nanos) = Self.parseDuration(text) else {
                throw TranscodeError("a Duration must be a string of seconds ending in \"s\" (e.g. \"1.5s\")")
            }
            writeSecondsAndNanos(seconds, nanos, into: &w)
        case "google.protobuf.FieldMask":
            guard case .string(let text) = json else { throw TranscodeError("a FieldMask must be a string (\"a,bC\")") }
            for path in text.split(separator: ",") where !path.isEmpty {
                w.writeTag(1, .lengthDelimited)
                w.writeLengthDelimited(Array(Self.snakeCase(String(path)).utf8))
            }
        case "google.protobuf.Any":
            guard case .object(let members) = json else { throw TranscodeError("an Any must be a JSON object") }
            guard case .string(let url)? = json["@type"] else { throw TranscodeError("an Any needs \"@type\"") }
            let inner = String(url.split(separator: "/").last ?? "")
            let body: JSON = Self.wellKnownNames.contains(inner) ? (json["value"] ?? .null)
                : .object(members.filter { $0.key != "@type" })
            var nested = ProtoWriter()
            try write(body, type: inner, into: &nested, depth: depth + 1)
            w.writeTag(1, .lengthDelimited)
            w.writeLengthDelimited(Array(url.utf8))
            w.writeTag(2, .lengthDelimited)
            w.writeLengthDelimited(nested.take())
        default:
            guard let wrapped = Self.wrappers[type] else { return false }
            try writeSingle(Self.wrapperField(wrapped), json, into: &w, depth: depth)
        }
        return true
    }

    private func writeSecondsAndNanos(_ seconds: Int64, _ nanos: Int32, into w: inout ProtoWriter) {
        if seconds != 0 {
            w.writeTag(1, .varint)
            w.writeVarint(UInt64(bitPattern: seconds))
        }
        if nanos != 0 {
            w.writeTag(2, .varint)
            w.writeVarint(UInt64(bitPattern: Int64(nanos)))
        }
    }

    static func parseDuration(_ text: String) -> (Int64, Int32)? {
        guard text.hasSuffix("s") else { return nil }
        var body = Substring(text.dropLast())
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isNumber),
              let seconds = Int64(whole), seconds <= 315_576_000_000 else { return nil }
        var nanos: Int32 = 0
        if parts.count == 2 {
            let frac = parts[1]
            guard !frac.isEmpty, frac.count <= 9, frac.allSatisfy(\.isNumber) else { return nil }
            nanos = Int32(frac + String(repeating: "0", count: 9 - frac.count)) ?? 0
        }
        return negative ? (-seconds, -nanos) : (seconds, nanos)
    }

    static func snakeCase(_ camel: String) -> String {
        var out = ""
        for c in camel {
            if c.isUppercase {
                out += "_" + c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }
}

/// RFC 3339 timestamps in UTC, as proto3 JSON writes them ("Z", 0/3/6/9 fraction digits).
enum RFC3339 {
    static func format(seconds: Int64, nanos: Int32) -> String {
        let days = Int64((Double(seconds) / 86_400).rounded(.down))
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):"
            + "\(pad(secondOfDay % 60, 2))\(fraction(nanos))Z"
    }

    /// ".5" style fraction with 3, 6 or 9 digits; empty for whole seconds.
    static func fraction(_ nanos: Int32) -> String {
        guard nanos != 0 else { return "" }
        let digits = String(nanos)
        let nine = String(repeating: "0", count: 9 - digits.count) + digits
        if nanos % 1_000_000 == 0 { return "." + nine.prefix(3) }
        if nanos % 1_000 == 0 { return "." + nine.prefix(6) }
        return "." + nine
    }

    /// Seconds and nanos since the epoch; accepts "Z" or a "+hh:mm" / "-hh:mm" offset.
    static func parse(_ text: String) -> (Int64, Int32)? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + count) {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int64(b[i] - 0x30)
            }
            return v
        }
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
              let s = num(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 60 else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                guard digits < 9 else { return nil }
                nanos = nanos * 10 + Int64(b[i] - 0x30)
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanos *= 10 }
        }
        var offset: Int64 = 0
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard i + 6 == b.count, b[i + 3] == UInt8(ascii: ":"), let oh = num(i + 1, 2), let om = num(i + 4, 2) else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = days(fromCivil: y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset
        return (seconds, Int32(nanos))
    }

    /// Days since 1970-01-01 (H. Hinnant's days_from_civil).
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
