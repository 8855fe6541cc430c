// Protobuf bytes <-> proto3 JSON (https://protobuf.dev/programming-guides/json/), driven by
// the schema tables: no per-message code. Output: lowerCamelCase names, fields in declaration
// order, defaults omitted, int64s as strings, enums by name, bytes as base64, the well-known
// types in their special forms. Input: proto names or JSON names, numbers or strings for
// numeric fields, enum names or numbers, null as "not set"; anything else is an error that
// names the field, which the caller answers with INVALID_ARGUMENT.
import Messages
import ProtoWire

public struct TranscodeError: Error, Sendable, CustomStringConvertible {
    /// Where in the JSON document: "definition.steps[2].retry.maxAttempts"; empty for the whole.
    public let path: String
    public let reason: String
    public init(_ reason: String, path: String = "") {
        self.reason = reason
        self.path = path
    }
    /// "definition.steps[0].idd: unknown field ...", or the reason alone.
    public var message: String { path.isEmpty ? reason : "\(path): \(reason)" }
    public var description: String { message }
}

public struct Transcoder: Sendable {
    public let schema: ProtoSchema
    /// Nesting limit for both directions (the protobuf reader's own default).
    static let depthLimit = 64

    public init(schema: ProtoSchema = .shared) { self.schema = schema }

    // MARK: protobuf -> JSON

    public func json(from bytes: ArraySlice<UInt8>, type: String, depth: Int = 0) throws(TranscodeError) -> JSON {
        guard depth < Self.depthLimit else { throw TranscodeError("message nested deeper than \(Self.depthLimit)") }
        if let wkt = try wellKnownJSON(bytes, type: type, depth: depth) { return wkt }
        guard let message = schema.messages[type] else { throw TranscodeError("unknown message type \(type)") }
        return try fieldsJSON(bytes, message, depth: depth)
    }

    /// The message as a JSON object of its fields (no well-known special form).
    func fieldsJSON(_ bytes: ArraySlice<UInt8>, _ message: SchemaMessageType, depth: Int) throws(TranscodeError) -> JSON {
        let type = message.name
        var values: [Int: [Raw]] = [:]
        /// Per oneof, the member seen last: it alone is set (an earlier member is cleared).
        var oneofLast: [Int: Int] = [:]
        do {
            var reader = ProtoReader(bytes)
            while let tag = try reader.readTag() {
                guard let field = message.field(number: tag.number) else {
                    try reader.skip(tag)
                    continue
                }
                if let group = field.oneofIndex {
                    if let previous = oneofLast[group], previous != field.number { values[previous] = nil }
                    oneofLast[group] = field.number
                }
                try read(tag, field, &reader, into: &values[field.number, default: []])
            }
        } catch {
            throw TranscodeError("malformed \(type): \(error)")
        }
        var members: [JSONMember] = []
        for field in message.fields {
            guard let raws = values[field.number], !raws.isEmpty else { continue }
            if let entry = field.mapEntry {
                var object: [JSONMember] = []
                for raw in raws {
                    guard case .bytes(let body) = raw else { continue }
                    let (key, value) = try mapEntry(body, entry, depth: depth)
                    if let i = object.firstIndex(where: { $0.key == key }) { object[i].value = value } else { object.append(JSONMember(key, value)) }
                }
                members.append(JSONMember(field.jsonName, .object(object)))
            } else if field.repeated {
                var items: [JSON] = []
                for raw in raws { items.append(try value(raw, field, depth: depth)) }
                members.append(JSONMember(field.jsonName, .array(items)))
            } else {
                var last = raws[raws.count - 1]
                if field.type == .message, raws.count > 1 {
                    // A message field seen twice is merged: concatenated bytes decode as the merge.
                    var merged: [UInt8] = []
                    for case .bytes(let b) in raws { merged.append(contentsOf: b) }
                    last = .bytes(merged[...])
                }
                let json = try value(last, field, depth: depth)
                if !field.hasPresence && field.type != .message && Self.isDefault(json) { continue }
                members.append(JSONMember(field.jsonName, json))
            }
        }
        return .object(members)
    }

    /// A field's value as read off the wire, before its type gives it meaning.
    private enum Raw {
        case varint(UInt64)
        case fixed32(UInt32)
        case fixed64(UInt64)
        case bytes(ArraySlice<UInt8>)
    }

    private func read(_ tag: FieldTag, _ field: SchemaField, _ reader: inout ProtoReader,
                      into out: inout [Raw]) throws(ProtoDecodingError) {
        switch tag.wireType {
        case .varint: out.append(.varint(try reader.readVarint()))
        case .fixed32: out.append(.fixed32(try reader.readFixed32()))
        case .fixed64: out.append(.fixed64(try reader.readFixed64()))
        case .lengthDelimited:
            let body = try reader.readLengthDelimited()
            if field.repeated && Self.isPackable(field.type) {
                var packed = try reader.subReader(body)
                while !packed.isAtEnd {
                    switch Self.wireType(of: field.type) {
                    case .fixed32: out.append(.fixed32(try packed.readFixed32()))
                    case .fixed64: out.append(.fixed64(try packed.readFixed64()))
                    default: out.append(.varint(try packed.readVarint()))
                    }
                }
            } else {
                out.append(.bytes(body))
            }
        default:
            try reader.skip(tag)
        }
    }

    private func mapEntry(_ body: ArraySlice<UInt8>, _ entry: MapEntry,
                          depth: Int) throws(TranscodeError) -> (String, JSON) {
        var key: Raw?
        var value: Raw?
        do {
            var reader = ProtoReader(body)
            while let tag = try reader.readTag() {
                var one: [Raw] = []
                switch tag.number {
                case 1: try read(tag, entry.key, &reader, into: &one); key = one.last
                case 2: try read(tag, entry.value, &reader, into: &one); value = one.last
                default: try reader.skip(tag)
                }
            }
        } catch {
            throw TranscodeError("malformed map entry: \(error)")
        }
        var keyJSON = Self.defaultJSON(entry.key)
        if let key { keyJSON = try self.value(key, entry.key, depth: depth) }
        let keyText: String
        switch keyJSON {
        case .string(let s), .number(let s): keyText = s
        case .bool(let b): keyText = b ? "true" : "false"
        default: keyText = ""
        }
        let valueJSON: JSON
        if let value {
            valueJSON = try self.value(value, entry.value, depth: depth)
        } else if entry.value.type == .message {
            valueJSON = try json(from: [][...], type: entry.value.typeName ?? "", depth: depth + 1)
        } else {
            valueJSON = Self.defaultJSON(entry.value)
        }
        return (keyText, valueJSON)
    }

    private func value(_ raw: Raw, _ field: SchemaField, depth: Int) throws(TranscodeError) -> JSON {
        switch (field.type, raw) {
        case (.message, .bytes(let body)), (.group, .bytes(let body)):
            return try json(from: body, type: field.typeName ?? "", depth: depth + 1)
        case (.string, .bytes(let body)):
            guard let s = String(validating: body, as: UTF8.self) else {
                throw TranscodeError("field \(field.name) is not valid UTF-8")
            }
            return .string(s)
        case (.bytes, .bytes(let body)):
            return .string(Base64.encode(Array(body)))
        case (.enumeration, .varint(let v)):
            let number = Int32(truncatingIfNeeded: v)
            if field.typeName == "google.protobuf.NullValue" { return .null }
            if let name = schema.enums[field.typeName ?? ""]?.name(of: number) { return .string(name) }
            return .number(String(number))
        case (.bool, .varint(let v)): return .bool(v != 0)
        case (.int32, .varint(let v)): return .number(String(Int32(truncatingIfNeeded: v)))
        case (.sint32, .varint(let v)): return .number(String(ZigZag.decode(UInt32(truncatingIfNeeded: v))))
        case (.uint32, .varint(let v)): return .number(String(UInt32(truncatingIfNeeded: v)))
        case (.int64, .varint(let v)): return .string(String(Int64(bitPattern: v)))
        case (.sint64, .varint(let v)): return .string(String(ZigZag.decode(v)))
        case (.uint64, .varint(let v)): return .string(String(v))
        case (.fixed32, .fixed32(let v)): return .number(String(v))
        case (.sfixed32, .fixed32(let v)): return .number(String(Int32(bitPattern: v)))
        case (.float, .fixed32(let v)): return .number(Double(Float(bitPattern: v)), float: true)
        case (.fixed64, .fixed64(let v)): return .string(String(v))
        case (.sfixed64, .fixed64(let v)): return .string(String(Int64(bitPattern: v)))
        case (.double, .fixed64(let v)): return .number(Double(bitPattern: v))
        default:
            throw TranscodeError("field \(field.name) has the wrong wire type for \(field.type)")
        }
    }

    static func isDefault(_ json: JSON) -> Bool {
        switch json {
        case .number(let n): return n == "0"
        case .string(let s): return s.isEmpty || s == "0"
        case .bool(let b): return !b
        case .null: return true
        default: return false
        }
    }

    static func defaultJSON(_ field: SchemaField) -> JSON {
        switch field.type {
        case .bool: .bool(false)
        case .string, .bytes: .string("")
        case .int64, .uint64, .sint64, .fixed64, .sfixed64: .string("0")
        default: .number("0")
        }
    }

    static func isPackable(_ type: FieldType) -> Bool {
        switch type {
        case .string, .bytes, .message, .group: false
        default: true
        }
    }

    static func wireType(of type: FieldType) -> WireType {
        switch type {
        case .fixed32, .sfixed32, .float: .fixed32
        case .fixed64, .sfixed64, .double: .fixed64
        case .string, .bytes, .message, .group: .lengthDelimited
        default: .varint
        }
    }

    // MARK: JSON -> protobuf

    public func protobuf(from json: JSON, type: String, path: String = "") throws(TranscodeError) -> [UInt8] {
        var writer = ProtoWriter()
        try write(json, type: type, into: &writer, depth: 0, path: path)
        return writer.take()
    }

    /// `path` is where `json` stands in the document ("definition.steps[2]"), for errors.
    func write(_ json: JSON, type: String, into w: inout ProtoWriter, depth: Int, path: String) throws(TranscodeError) {
        guard depth < Self.depthLimit else { throw TranscodeError("nested deeper than \(Self.depthLimit) levels", path: path) }
        if try writeWellKnown(json, type: type, into: &w, depth: depth, path: path) { return }
        guard let message = schema.messages[type] else { throw TranscodeError("unknown message type \(type)", path: path) }
        guard case .object(let members) = json else {
            throw TranscodeError("expected an object (\(Self.shortName(type)) is a JSON object)", path: path)
        }
        var seen: Set<Int> = []
        for member in members {
            let fieldPath = Self.join(path, member.key)
            guard let field = message.field(named: member.key) else {
                let names = message.fields.map(\.jsonName).joined(separator: ", ")
                throw TranscodeError("unknown field \"\(member.key)\" in \(type) (it has \(names))", path: fieldPath)
            }
            guard seen.insert(field.number).inserted else {
                throw TranscodeError("given twice (as \(field.name) and \(field.jsonName))", path: fieldPath)
            }
            if case .null = member.value, field.typeName != "google.protobuf.Value" { continue }
            try writeField(field, member.value, into: &w, depth: depth, path: fieldPath)
        }
    }

    /// "a.b", "a[3]" (a path already ending in an index is joined the same way).
    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func writeField(_ field: SchemaField, _ value: JSON, into w: inout ProtoWriter, depth: Int,
                            path: String) throws(TranscodeError) {
        if let entry = field.mapEntry {
            guard case .object(let members) = value else { throw TranscodeError("expected an object (a map)", path: path) }
            for member in members {
                var entryWriter = ProtoWriter()
                let entryPath = Self.join(path, member.key)
                try writeSingle(entry.key, Self.mapKeyJSON(member.key, entry.key), into: &entryWriter, depth: depth, path: entryPath)
                try writeSingle(entry.value, member.value, into: &entryWriter, depth: depth, path: entryPath)
                w.writeTag(field.number, .lengthDelimited)
                w.writeLengthDelimited(entryWriter.take())
            }
            return
        }
        if field.repeated {
            guard case .array(let items) = value else { throw TranscodeError("expected a list (a JSON array)", path: path) }
            for (i, item) in items.enumerated() {
                if case .null = item { throw TranscodeError("a list item is null", path: "\(path)[\(i)]") }
                try writeSingle(field, item, into: &w, depth: depth, path: "\(path)[\(i)]")
            }
            return
        }
        try writeSingle(field, value, into: &w, depth: depth, path: path)
    }

    static func mapKeyJSON(_ key: String, _ field: SchemaField) -> JSON {
        switch field.type {
        case .string: .string(key)
        case .bool: .bool(key == "true")
        default: .string(key)
        }
    }

    func writeSingle(_ field: SchemaField, _ value: JSON, into w: inout ProtoWriter, depth: Int,
                     path: String) throws(TranscodeError) {
        /// The error, naming the proto field too where the path spells it otherwise.
        func fail(_ reason: String) -> TranscodeError {
            let last = path.split(separator: ".").last.map(String.init) ?? ""
            let named = field.name == last || field.name == "value" ? reason : "\(reason) (field \(field.name))"
            return TranscodeError(named, path: path)
        }
        let n = field.number
        switch field.type {
        case .message, .group:
            var nested = ProtoWriter()
            try write(value, type: field.typeName ?? "", into: &nested, depth: depth + 1, path: path)
            w.writeTag(n, .lengthDelimited)
            w.writeLengthDelimited(nested.take())
        case .string:
            guard case .string(let s) = value else { throw fail("expected a string") }
            w.writeTag(n, .lengthDelimited)
            w.writeLengthDelimited(Array(s.utf8))
        case .bytes:
            guard case .string(let s) = value, let bytes = Self.decodeBase64(s) else { throw fail("expected base64 text") }
            w.writeTag(n, .lengthDelimited)
            w.writeLengthDelimited(bytes)
        case .bool:
            let b: Bool
            switch value {
            case .bool(let v): b = v
            case .string("true"): b = true
            case .string("false"): b = false
            default: throw fail("expected true or false")
            }
            w.writeTag(n, .varint)
            w.writeVarint(b ? 1 : 0)
        case .enumeration:
            let number: Int32
            if field.typeName == "google.protobuf.NullValue" {
                number = 0
            } else if case .string(let name) = value {
                if let known = schema.enums[field.typeName ?? ""]?.number(of: name) {
                    number = known
                } else if let v = Int32(name) {
                    number = v
                } else {
                    let names = schema.enums[field.typeName ?? ""]?.values.map(\.name).joined(separator: ", ") ?? ""
                    throw TranscodeError("unknown value \"\(name)\" (one of: \(names))", path: path)
                }
            } else {
                guard case .number = value else { throw fail("expected an enum name or number") }
                number = Int32(try integer(value, min: Int64(Int32.min), max: Int64(Int32.max), fail))
            }
            w.writeTag(n, .varint)
            w.writeVarint(UInt64(bitPattern: Int64(number)))
        case .int32:
            let v = try integer(value, min: Int64(Int32.min), max: Int64(Int32.max), fail)
            w.writeTag(n, .varint)
            w.writeVarint(UInt64(bitPattern: v))
        case .int64:
            let v = try integer(value, min: Int64.min, max: Int64.max, fail)
            w.writeTag(n, .varint)
            w.writeVarint(UInt64(bitPattern: v))
        case .sint32:
            let v = try integer(value, min: Int64(Int32.min), max: Int64(Int32.max), fail)
            w.writeTag(n, .varint)
            w.writeVarint(UInt64(ZigZag.encode(Int32(v))))
        case .sint64:
            let v = try integer(value, min: Int64.min, max: Int64.max, fail)
            w.writeTag(n, .varint)
            w.writeVarint(ZigZag.encode(v))
        case .uint32:
            let v = try unsigned(value, max: UInt64(UInt32.max), fail)
            w.writeTag(n, .varint)
            w.writeVarint(v)
        case .uint64:
            let v = try unsigned(value, max: UInt64.max, fail)
            w.writeTag(n, .varint)
            w.writeVarint(v)
        case .fixed32:
            let v = try unsigned(value, max: UInt64(UInt32.max), fail)
            w.writeTag(n, .fixed32)
            w.writeFixed32(UInt32(v))
        case .sfixed32:
            let v = try integer(value, min: Int64(Int32.min), max: Int64(Int32.max), fail)
            w.writeTag(n, .fixed32)
            w.writeFixed32(UInt32(bitPattern: Int32(v)))
        case .fixed64:
            let v = try unsigned(value, max: UInt64.max, fail)
            w.writeTag(n, .fixed64)
            w.writeFixed64(v)
        case .sfixed64:
            let v = try integer(value, min: Int64.min, max: Int64.max, fail)
            w.writeTag(n, .fixed64)
            w.writeFixed64(UInt64(bitPattern: v))
        case .float:
            let v = try floating(value, fail)
            guard v.isNaN || v.isInfinite || Float(v).isFinite else { throw fail("expected a number in range (\(v) is out of range for float)") }
            w.writeTag(n, .fixed32)
            w.writeFixed32(Float(v).bitPattern)
        case .double:
            let v = try floating(value, fail)
            w.writeTag(n, .fixed64)
            w.writeFixed64(v.bitPattern)
        }
    }

    /// The text of a JSON number, or of a string holding one (proto3 JSON allows both).
    private func numberText(_ value: JSON, _ what: String, _ fail: (String) -> TranscodeError) throws(TranscodeError) -> String {
        switch value {
        case .number(let text): return text
        case .string(let text) where !text.isEmpty && !text.contains(" "): return text
        default: throw fail("expected \(what)")
        }
    }

    private func integer(_ value: JSON, min: Int64, max: Int64,
                         _ fail: (String) -> TranscodeError) throws(TranscodeError) -> Int64 {
        let text = try numberText(value, "an integer", fail)
        if let v = Int64(text) {
            guard v >= min && v <= max else { throw fail("expected an integer in range (\(text) is out of range)") }
            return v
        }
        // 1e3 and 5.0 are integers too; 1.5 is not.
        guard let d = Double(text), d.isFinite, d == d.rounded() else { throw fail("expected an integer (\(text) is not one)") }
        guard d >= Double(min) && d <= Double(max) && abs(d) < 9.007199254740992e15 else {
            throw fail("expected an integer in range (\(text) is out of range)")
        }
        return Int64(d)
    }

    private func unsigned(_ value: JSON, max: UInt64, _ fail: (String) -> TranscodeError) throws(TranscodeError) -> UInt64 {
        let text = try numberText(value, "a non-negative integer", fail)
        if let v = UInt64(text) {
            guard v <= max else { throw fail("expected an integer in range (\(text) is out of range)") }
            return v
        }
        let v = try integer(value, min: 0, max: Int64.max, fail)
        guard UInt64(v) <= max else { throw fail("expected an integer in range (\(text) is out of range)") }
        return UInt64(v)
    }

    private func floating(_ value: JSON, _ fail: (String) -> TranscodeError) throws(TranscodeError) -> Double {
        switch value {
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        default:
            let text = try numberText(value, "a number", fail)
            guard let d = Double(text), d.isFinite else { throw fail("expected a number (\(text) is not a finite one)") }
            return d
        }
    }

    /// Standard or URL-safe base64, padded or not.
    public static func decodeBase64(_ s: String) -> [UInt8]? {
        var t = String(s.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while t.utf8.count % 4 != 0 { t += "=" }
        return Base64.decode(t)
    }

    public static func shortName(_ type: String) -> String {
        type.split(separator: ".").last.map(String.init) ?? type
    }
}
