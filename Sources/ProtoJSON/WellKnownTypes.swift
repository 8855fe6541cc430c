// The well-known types' special JSON forms: Struct / Value / ListValue as plain JSON,
// Timestamp as RFC 3339 ("2026-01-02T03:04:05.500Z"), Duration as "1.5s", the wrappers as
// their bare value, FieldMask as "a,bC", Any as {"@type": ..., fields...}.
import CivilDate
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
            // By key: the map's wire order is whatever the encoder's dictionary gave.
            guard case .object(let members) = try plain(bytes, type, depth),
                  case .object(let fields)? = members.first?.value else { return .object([]) }
            return .object(fields.sorted { $0.key < $1.key })
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
            return .string(RFC3339.formatDuration(seconds: seconds, nanos: nanos))
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

    public static let wellKnownNames: Set<String> = Set(wrappers.keys).union([
        "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.Timestamp",
        "google.protobuf.Duration", "google.protobuf.FieldMask", "google.protobuf.Any",
    ])

    // MARK: JSON -> protobuf

    /// Writes a well-known type's special form; false for an ordinary message.
    func writeWellKnown(_ json: JSON, type: String, into w: inout ProtoWriter, depth: Int,
                        path: String) throws(TranscodeError) -> Bool {
        switch type {
        case "google.protobuf.Struct":
            guard case .object(let members) = json else { throw TranscodeError("expected an object (a Struct)", path: path) }
            for member in members {
                var entry = ProtoWriter()
                entry.writeTag(1, .lengthDelimited)
                entry.writeLengthDelimited(Array(member.key.utf8))
                var nested = ProtoWriter()
                try write(member.value, type: "google.protobuf.Value", into: &nested, depth: depth + 1,
                          path: Self.join(path, member.key))
                entry.writeTag(2, .lengthDelimited)
                entry.writeLengthDelimited(nested.take())
                w.writeTag(1, .lengthDelimited)
                w.writeLengthDelimited(entry.take())
            }
        case "google.protobuf.ListValue":
            guard case .array(let items) = json else { throw TranscodeError("expected a list (a JSON array)", path: path) }
            for (i, item) in items.enumerated() {
                var nested = ProtoWriter()
                try write(item, type: "google.protobuf.Value", into: &nested, depth: depth + 1, path: "\(path)[\(i)]")
                w.writeTag(1, .lengthDelimited)
                w.writeLengthDelimited(nested.take())
            }
        case "google.protobuf.Value":
            switch json {
            case .null:
                w.writeTag(1, .varint)
                w.writeVarint(0)
            case .number(let text):
                guard let d = Double(text), d.isFinite else { throw TranscodeError("number \(text) is out of range", path: path) }
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
                try write(json, type: "google.protobuf.Struct", into: &nested, depth: depth + 1, path: path)
                w.writeTag(5, .lengthDelimited)
                w.writeLengthDelimited(nested.take())
            case .array:
                var nested = ProtoWriter()
                try write(json, type: "google.protobuf.ListValue", into: &nested, depth: depth + 1, path: path)
                w.writeTag(6, .lengthDelimited)
                w.writeLengthDelimited(nested.take())
            }
        case "google.protobuf.Timestamp":
            guard case .string(let text) = json, let (seconds, nanos) = RFC3339.parse(text) else {
                throw TranscodeError("expected an RFC 3339 time like \"2026-01-02T03:04:05Z\"", path: path)
            }
            writeSecondsAndNanos(seconds, nanos, into: &w)
        case "google.protobuf.Duration":
            guard case .string(let text) = json, let (seconds, nanos) = RFC3339.parseDuration(text) else {
                throw TranscodeError("expected a duration like \"1.5s\" (or \"250ms\", \"2m\", \"1h\")", path: path)
            }
            writeSecondsAndNanos(seconds, nanos, into: &w)
        case "google.protobuf.FieldMask":
            guard case .string(let text) = json else { throw TranscodeError("expected a string of paths (\"a,bC\")", path: path) }
            // Every comma separates a path, empty ones too, as the reference json_format reads
            // it: "a," is the paths ["a", ""], which prints back as "a," (found by the proto-json
            // fuzz target: dropping the empty path changed the mask on a round trip).
            for p in text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false) {
                w.writeTag(1, .lengthDelimited)
                w.writeLengthDelimited(Array(Self.snakeCase(String(p)).utf8))
            }
        case "google.protobuf.Any":
            guard case .object(let members) = json else { throw TranscodeError("expected an object (an Any)", path: path) }
            guard case .string(let url)? = json["@type"] else { throw TranscodeError("an Any needs \"@type\"", path: path) }
            let inner = String(url.split(separator: "/").last ?? "")
            let body: JSON = Self.wellKnownNames.contains(inner) ? (json["value"] ?? .null)
                : .object(members.filter { $0.key != "@type" })
            var nested = ProtoWriter()
            try write(body, type: inner, into: &nested, depth: depth + 1, path: path)
            w.writeTag(1, .lengthDelimited)
            w.writeLengthDelimited(Array(url.utf8))
            w.writeTag(2, .lengthDelimited)
            w.writeLengthDelimited(nested.take())
        default:
            guard let wrapped = Self.wrappers[type] else { return false }
            try writeSingle(Self.wrapperField(wrapped), json, into: &w, depth: depth, path: path)
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

/// RFC 3339 timestamps in UTC as proto3 JSON writes them ("Z", 0/3/6/9 fraction digits), and
/// Duration text ("1.5s"; on input also "250ms", "2m", "1h", the forms step configs use).
public enum RFC3339 {
    public static func format(seconds: Int64, nanos: Int32) -> String {
        let days = Civil.floorDiv(Int(seconds), 86_400)
        let secondOfDay = Int(seconds) - days * 86_400
        let (y, m, d) = Civil.date(days: days)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):"
            + "\(pad(secondOfDay % 60, 2))\(fraction(nanos))Z"
    }

    /// "-1.500s": seconds with 0, 3, 6 or 9 fraction digits.
    public static func formatDuration(seconds: Int64, nanos: Int32) -> String {
        let negative = seconds < 0 || nanos < 0
        return (negative ? "-" : "") + String(seconds.magnitude) + fraction(Int32(nanos.magnitude)) + "s"
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

    /// Seconds and nanos from "[-]digits[.up to 9 digits]" and a unit (s, ms, m, h), exactly
    /// (no Double on the way); nil past the proto limit of 10000 years.
    public static func parseDuration(_ text: String) -> (Int64, Int32)? {
        var body = Substring(text)
        let unit: (multiplier: Int64, fractionDigits: Int)
        if body.hasSuffix("ms") { unit = (0, 6); body = body.dropLast(2) }
        else if body.hasSuffix("s") { unit = (1, 9); body = body.dropLast() }
        else if body.hasSuffix("m") { unit = (60, 9); body = body.dropLast() }
        else if body.hasSuffix("h") { unit = (3600, 9); body = body.dropLast() }
        else { return nil }
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 12,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }), let wholeValue = Int64(whole) else { return nil }
        var fractionNanos: Int64 = 0  // of one unit, in billionths
        if parts.count == 2 {
            let frac = parts[1]
            guard !frac.isEmpty, frac.count <= 9, frac.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            fractionNanos = Int64(frac + String(repeating: "0", count: 9 - frac.count)) ?? 0
        }
        var seconds: Int64
        var nanos: Int64
        if unit.multiplier == 0 {  // milliseconds
            seconds = wholeValue / 1000
            nanos = wholeValue % 1000 * 1_000_000 + fractionNanos / 1000
        } else {
            let scaled = fractionNanos * unit.multiplier
            seconds = wholeValue * unit.multiplier + scaled / 1_000_000_000
            nanos = scaled % 1_000_000_000
        }
        guard seconds <= 315_576_000_000 else { return nil }
        if negative { (seconds, nanos) = (-seconds, -nanos) }
        return (seconds, Int32(nanos))
    }

    /// Seconds and nanos since the epoch; accepts "Z" or a "+hh:mm" / "-hh:mm" offset.
    public static func parse(_ text: String) -> (Int64, Int32)? {
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
        let seconds = Int64(Civil.days(year: Int(y), month: Int(mo), day: Int(d))) * 86_400 + h * 3600 + mi * 60 + s - offset
        return (seconds, Int32(nanos))
    }
}
