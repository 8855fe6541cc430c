// The proto3 JSON mapping, driven by the Messages field tables: JSON → wire bytes → typed
// message, and typed message → wire bytes → JSON. lowerCamelCase names are printed and both
// those and the original names are accepted; enums by name; int64s as strings; the
// well-known types (Struct, Value, ListValue, Timestamp, Duration, wrappers, FieldMask,
// Empty) in their JSON forms.
import ProtoJSON
import Messages
import ProtoWire

public struct ProtoJSONError: Error, Sendable, CustomStringConvertible {
    /// Where in the document: "definition.steps[2].retry.maxAttempts".
    public var path: String
    public var message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

public enum ProtoJSON {
    static let messages: [String: any SchemaMessage.Type] = {
        var table: [String: any SchemaMessage.Type] = [:]
        for type in MessageRegistry.all {
            table["." + type.protoName] = type
            for alias in type.aliasNames { table["." + alias] = type }
        }
        return table
    }()

    static let enums: [String: [(name: String, number: Int32)]] = {
        var table: [String: [(name: String, number: Int32)]] = [:]
        for type in MessageRegistry.enums { table["." + type.protoName] = type.values }
        return table
    }()

    static let maxDepth = 64

    /// A typed message from its JSON form.
    static func decode<M: SchemaMessage>(_ json: JSON, as type: M.Type, path: String = "") throws(ProtoJSONError) -> M {
        let bytes = try encodeMessage(json, typeName: "." + M.protoName, path: path, depth: 0)
        do {
            return try M(serializedBytes: bytes)
        } catch {
            throw ProtoJSONError(path: path, message: "does not make a valid \(M.protoName): \(error)")
        }
    }

    /// A typed message's JSON form.
    static func encode<M: SchemaMessage>(_ message: M) -> JSON {
        json(ofMessage: message.serializedBytes()[...], typeName: "." + M.protoName, depth: 0)
    }

    /// proto3 JSON name: lowerCamelCase of the field name.
    static func jsonName(_ name: String) -> String {
        var out = ""
        var upper = false
        for c in name {
            if c == "_" { upper = true; continue }
            out.append(upper ? Character(c.uppercased()) : c)
            upper = false
        }
        return out
    }

    // MARK: JSON → wire

    static func encodeMessage(_ json: JSON, typeName: String, path: String, depth: Int) throws(ProtoJSONError) -> [UInt8] {
        guard depth < maxDepth else { throw ProtoJSONError(path: path, message: "nested deeper than \(maxDepth) levels") }
        var w = ProtoWriter()
        if try encodeWellKnown(json, typeName: typeName, path: path, depth: depth, into: &w) { return w.take() }
        guard let type = messages[typeName] else {
            throw ProtoJSONError(path: path, message: "no codec for \(typeName)")
        }
        guard case .object(let members) = json else {
            throw ProtoJSONError(path: path, message: "expected an object (\(type.protoName))")
        }
        for member in members {
            let fieldPath = path.isEmpty ? member.key : "\(path).\(member.key)"
            guard let field = type.fields.first(where: { $0.name == member.key || jsonName($0.name) == member.key }) else {
                throw ProtoJSONError(path: fieldPath, message: "unknown field (\(type.protoName) has \(type.fields.map { jsonName($0.name) }.joined(separator: ", ")))")
            }
            if member.value == .null && field.typeName != ".google.protobuf.Value" { continue }
            if field.mapKey != nil {
                guard case .object(let entries) = member.value else { throw ProtoJSONError(path: fieldPath, message: "expected an object (a map)") }
                for entry in entries {
                    var e = ProtoWriter()
                    try encodeMapKey(entry.key, field.mapKey!, path: fieldPath, into: &e)
                    try encodeSingle(entry.value, field: field, number: 2, type: field.mapValue!,
                                     typeName: field.mapValueTypeName, path: "\(fieldPath).\(entry.key)", depth: depth, into: &e)
                    w.writeTag(field.number, .lengthDelimited)
                    w.writeLengthDelimited(e.take())
                }
            } else if field.label == .repeated {
                guard case .array(let items) = member.value else { throw ProtoJSONError(path: fieldPath, message: "expected a list") }
                for (k, item) in items.enumerated() {
                    try encodeSingle(item, field: field, number: field.number, type: field.type, typeName: field.typeName,
                                     path: "\(fieldPath)[\(k)]", depth: depth, into: &w)
                }
            } else {
                try encodeSingle(member.value, field: field, number: field.number, type: field.type, typeName: field.typeName,
                                 path: fieldPath, depth: depth, into: &w)
            }
        }
        return w.take()
    }

    static func encodeMapKey(_ key: String, _ type: FieldType, path: String, into w: inout ProtoWriter) throws(ProtoJSONError) {
        if type == .string {
            w.writeTag(1, .lengthDelimited)
            w.writeLengthDelimited(Array(key.utf8))
        } else {
            try encodeSingle(type == .bool ? .bool(key == "true") : .number(key), field: nil, number: 1, type: type,
                             typeName: nil, path: path, depth: 0, into: &w)
        }
    }

    static func encodeSingle(_ json: JSON, field: FieldInfo?, number: Int, type: FieldType, typeName: String?,
                             path: String, depth: Int, into w: inout ProtoWriter) throws(ProtoJSONError) {
        func fail(_ what: String) -> ProtoJSONError { ProtoJSONError(path: path, message: "expected \(what)") }
        switch type {
        case .string:
            guard case .string(let s) = json else { throw fail("a string") }
            w.writeTag(number, .lengthDelimited)
            w.writeLengthDelimited(Array(s.utf8))
        case .bytes:
            guard case .string(let s) = json, let b = Base64.decode(s) else { throw fail("base64 text") }
            w.writeTag(number, .lengthDelimited)
            w.writeLengthDelimited(b)
        case .bool:
            guard case .bool(let b) = json else { throw fail("true or false") }
            w.writeTag(number, .varint)
            w.writeVarint(b ? 1 : 0)
        case .enumeration:
            let value: Int32
            switch json {
            case .string(let name):
                guard let values = enums[typeName ?? ""], let v = values.first(where: { $0.name == name }) else {
                    let known = enums[typeName ?? ""]?.map(\.name).joined(separator: ", ") ?? ""
                    throw ProtoJSONError(path: path, message: "unknown value \"\(name)\" (one of: \(known))")
                }
                value = v.number
            case .number(let n):
                guard let v = Int32(n) else { throw fail("an enum name or number") }
                value = v
            default: throw fail("an enum name")
            }
            w.writeTag(number, .varint)
            w.writeVarint(UInt64(bitPattern: Int64(value)))
        case .double, .float:
            let d: Double
            switch json {
            case .number(let n): d = Double(n) ?? .nan
            case .string("NaN"): d = .nan
            case .string("Infinity"): d = .infinity
            case .string("-Infinity"): d = -.infinity
            case .string(let s) where Double(s) != nil: d = Double(s)!
            default: throw fail("a number")
            }
            if type == .double {
                w.writeTag(number, .fixed64)
                w.writeFixed64(d.bitPattern)
            } else {
                w.writeTag(number, .fixed32)
                w.writeFixed32(Float(d).bitPattern)
            }
        case .int32, .int64, .sint32, .sint64, .sfixed32, .sfixed64, .uint32, .uint64, .fixed32, .fixed64:
            let text: String
            switch json {
            case .number(let n): text = n
            case .string(let s): text = s
            default: throw fail("an integer")
            }
            let signed = [.int32, .int64, .sint32, .sint64, .sfixed32, .sfixed64].contains(type)
            let is32 = [.int32, .sint32, .sfixed32, .uint32, .fixed32].contains(type)
            var bits: UInt64
            if signed {
                guard let v = integer(text), !is32 || Int32(exactly: v) != nil else { throw fail("an integer in range") }
                switch type {
                case .sint32: bits = UInt64(ZigZag.encode(Int32(v)))
                case .sint64: bits = ZigZag.encode(v)
                default: bits = UInt64(bitPattern: v)
                }
            } else {
                guard let v = UInt64(text) ?? integer(text).flatMap({ UInt64(exactly: $0) }),
                      !is32 || UInt32(exactly: v) != nil else { throw fail("a non-negative integer in range") }
                bits = v
            }
            switch type {
            case .sfixed32, .fixed32:
                w.writeTag(number, .fixed32)
                w.writeFixed32(UInt32(truncatingIfNeeded: bits))
            case .sfixed64, .fixed64:
                w.writeTag(number, .fixed64)
                w.writeFixed64(bits)
            default:
                if type == .int32 { bits = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: bits))) }
                w.writeTag(number, .varint)
                w.writeVarint(bits)
            }
        case .message:
            let body = try encodeMessage(json, typeName: typeName ?? "", path: path, depth: depth + 1)
            w.writeTag(number, .lengthDelimited)
            w.writeLengthDelimited(body)
        case .group:
            throw ProtoJSONError(path: path, message: "groups are not supported")
        }
    }

    /// An integer from "12", "-3" or an integral number written as "1e3" / "12.0".
    static func integer(_ text: String) -> Int64? {
        if let v = Int64(text) { return v }
        guard let d = Double(text), d == d.rounded(), abs(d) < 9.2e18 else { return nil }
        return Int64(d)
    }

    static func encodeWellKnown(_ json: JSON, typeName: String, path: String, depth: Int,
                                into w: inout ProtoWriter) throws(ProtoJSONError) -> Bool {
        switch typeName {
        case ".google.protobuf.Struct":
            guard case .object(let members) = json else { throw ProtoJSONError(path: path, message: "expected an object") }
            for m in members {
                var e = ProtoWriter()
                e.writeTag(1, .lengthDelimited)
                e.writeLengthDelimited(Array(m.key.utf8))
                e.writeTag(2, .lengthDelimited)
                e.writeLengthDelimited(try encodeMessage(m.value, typeName: ".google.protobuf.Value",
                                                         path: path.isEmpty ? m.key : "\(path).\(m.key)", depth: depth + 1))
                w.writeTag(1, .lengthDelimited)
                w.writeLengthDelimited(e.take())
            }
        case ".google.protobuf.Value":
            switch json {
            case .null: w.writeTag(1, .varint); w.writeVarint(0)
            case .number(let n): w.writeTag(2, .fixed64); w.writeFixed64((Double(n) ?? 0).bitPattern)
            case .string(let s): w.writeTag(3, .lengthDelimited); w.writeLengthDelimited(Array(s.utf8))
            case .bool(let b): w.writeTag(4, .varint); w.writeVarint(b ? 1 : 0)
            case .object:
                w.writeTag(5, .lengthDelimited)
                w.writeLengthDelimited(try encodeMessage(json, typeName: ".google.protobuf.Struct", path: path, depth: depth + 1))
            case .array:
                w.writeTag(6, .lengthDelimited)
                w.writeLengthDelimited(try encodeMessage(json, typeName: ".google.protobuf.ListValue", path: path, depth: depth + 1))
            }
        case ".google.protobuf.ListValue":
            guard case .array(let items) = json else { throw ProtoJSONError(path: path, message: "expected a list") }
            for (k, item) in items.enumerated() {
                w.writeTag(1, .lengthDelimited)
                w.writeLengthDelimited(try encodeMessage(item, typeName: ".google.protobuf.Value", path: "\(path)[\(k)]", depth: depth + 1))
            }
        case ".google.protobuf.Timestamp":
            guard case .string(let s) = json, let (seconds, nanos) = Timestamps.parse(s) else {
                throw ProtoJSONError(path: path, message: "expected an RFC 3339 time like \"2026-01-02T03:04:05Z\"")
            }
            writeSecondsNanos(seconds, nanos, into: &w)
        case ".google.protobuf.Duration":
            guard case .string(let s) = json, let (seconds, nanos) = Timestamps.parseDuration(s) else {
                throw ProtoJSONError(path: path, message: "expected a duration like \"1.5s\"")
            }
            writeSecondsNanos(seconds, nanos, into: &w)
        case ".google.protobuf.FieldMask":
            guard case .string(let s) = json else { throw ProtoJSONError(path: path, message: "expected \"path,path\"") }
            for p in s.split(separator: ",") {
                var snake = ""
                for c in p { if c.isUppercase { snake += "_" + c.lowercased() } else { snake.append(c) } }
                w.writeTag(1, .lengthDelimited)
                w.writeLengthDelimited(Array(snake.utf8))
            }
        case ".google.protobuf.Empty":
            guard case .object(let m) = json, m.isEmpty else { throw ProtoJSONError(path: path, message: "expected {}") }
        default:
            guard let wrapped = wrapperTypes[typeName] else { return false }
            try encodeSingle(json, field: nil, number: 1, type: wrapped, typeName: nil, path: path, depth: depth, into: &w)
        }
        return true
    }

    static let wrapperTypes: [String: FieldType] = [
        ".google.protobuf.DoubleValue": .double, ".google.protobuf.FloatValue": .float,
        ".google.protobuf.Int64Value": .int64, ".google.protobuf.UInt64Value": .uint64,
        ".google.protobuf.Int32Value": .int32, ".google.protobuf.UInt32Value": .uint32,
        ".google.protobuf.BoolValue": .bool, ".google.protobuf.StringValue": .string,
        ".google.protobuf.BytesValue": .bytes,
    ]

    static func writeSecondsNanos(_ seconds: Int64, _ nanos: Int32, into w: inout ProtoWriter) {
        if seconds != 0 { w.writeTag(1, .varint); w.writeVarint(UInt64(bitPattern: seconds)) }
        if nanos != 0 { w.writeTag(2, .varint); w.writeVarint(UInt64(bitPattern: Int64(nanos))) }
    }

    // MARK: wire → JSON

    /// The fields present on the wire, each a list of raw values (varint / fixed bits / bytes).
    enum Raw { case varint(UInt64), fixed32(UInt32), fixed64(UInt64), bytes(ArraySlice<UInt8>) }

    static func rawFields(_ bytes: ArraySlice<UInt8>) -> [(Int, Raw)] {
        var r = ProtoReader(bytes)
        var out: [(Int, Raw)] = []
        do {
            while let tag = try r.readTag() {
                switch tag.wireType {
                case .varint: out.append((tag.number, .varint(try r.readVarint())))
                case .fixed32: out.append((tag.number, .fixed32(try r.readFixed32())))
                case .fixed64: out.append((tag.number, .fixed64(try r.readFixed64())))
                case .lengthDelimited: out.append((tag.number, .bytes(try r.readLengthDelimited())))
                default: try r.skip(tag)
                }
            }
        } catch {
            // The bytes came from a typed message's own encoder: not reached.
        }
        return out
    }

    static func json(ofMessage bytes: ArraySlice<UInt8>, typeName: String, depth: Int) -> JSON {
        if depth >= maxDepth { return .null }
        if let wk = wellKnownJSON(bytes, typeName: typeName, depth: depth) { return wk }
        guard let type = messages[typeName] else { return .null }
        let raw = rawFields(bytes)
        var members: [JSONMember] = []
        for field in type.fields {
            let values = raw.filter { $0.0 == field.number }.map(\.1)
            if values.isEmpty { continue }
            let key = jsonName(field.name)
            if field.mapKey != nil {
                var entries: [JSONMember] = []
                for case .bytes(let entry) in values {
                    let parts = rawFields(entry)
                    let k = parts.last(where: { $0.0 == 1 }).map { scalarJSON($0.1, field.mapKey!, nil) } ?? .string("")
                    let keyText = switch k { case .string(let s): s; case .number(let n): n; case .bool(let b): b ? "true" : "false"; default: "" }
                    let v = parts.last(where: { $0.0 == 2 }).map {
                        valueJSON($0.1, type: field.mapValue!, typeName: field.mapValueTypeName, depth: depth)
                    } ?? .null
                    entries.removeAll { $0.key == keyText }
                    entries.append(JSONMember(keyText, v))
                }
                members.append(JSONMember(key, .object(entries)))
            } else if field.label == .repeated {
                var items: [JSON] = []
                for v in values {
                    if case .bytes(let packed) = v, field.type != .string, field.type != .bytes, field.type != .message {
                        items.append(contentsOf: unpack(packed, type: field.type, typeName: field.typeName))
                    } else {
                        items.append(valueJSON(v, type: field.type, typeName: field.typeName, depth: depth))
                    }
                }
                members.append(JSONMember(key, .array(items)))
            } else {
                members.append(JSONMember(key, valueJSON(values.last!, type: field.type, typeName: field.typeName, depth: depth)))
            }
        }
        return .object(members)
    }

    static func unpack(_ bytes: ArraySlice<UInt8>, type: FieldType, typeName: String?) -> [JSON] {
        var r = ProtoReader(bytes)
        var out: [JSON] = []
        do {
            while !r.isAtEnd {
                switch type {
                case .fixed32, .sfixed32, .float: out.append(scalarJSON(.fixed32(try r.readFixed32()), type, typeName))
                case .fixed64, .sfixed64, .double: out.append(scalarJSON(.fixed64(try r.readFixed64()), type, typeName))
                default: out.append(scalarJSON(.varint(try r.readVarint()), type, typeName))
                }
            }
        } catch {}
        return out
    }

    static func valueJSON(_ raw: Raw, type: FieldType, typeName: String?, depth: Int) -> JSON {
        if type == .message, case .bytes(let b) = raw { return json(ofMessage: b, typeName: typeName ?? "", depth: depth + 1) }
        return scalarJSON(raw, type, typeName)
    }

    static func scalarJSON(_ raw: Raw, _ type: FieldType, _ typeName: String?) -> JSON {
        switch (type, raw) {
        case (.string, .bytes(let b)): return .string(String(decoding: b, as: UTF8.self))
        case (.bytes, .bytes(let b)): return .string(Base64.encode(Array(b)))
        case (.bool, .varint(let v)): return .bool(v != 0)
        case (.enumeration, .varint(let v)):
            let n = Int32(truncatingIfNeeded: v)
            if let name = enums[typeName ?? ""]?.first(where: { $0.number == n })?.name { return .string(name) }
            return .number(String(n))
        case (.int32, .varint(let v)): return .number(String(Int32(truncatingIfNeeded: v)))
        case (.uint32, .varint(let v)): return .number(String(UInt32(truncatingIfNeeded: v)))
        case (.sint32, .varint(let v)): return .number(String(ZigZag.decode(UInt32(truncatingIfNeeded: v))))
        case (.int64, .varint(let v)): return .string(String(Int64(bitPattern: v)))
        case (.uint64, .varint(let v)): return .string(String(v))
        case (.sint64, .varint(let v)): return .string(String(ZigZag.decode(v)))
        case (.fixed32, .fixed32(let v)): return .number(String(v))
        case (.sfixed32, .fixed32(let v)): return .number(String(Int32(bitPattern: v)))
        case (.float, .fixed32(let v)): return doubleJSON(Double(Float(bitPattern: v)))
        case (.fixed64, .fixed64(let v)): return .string(String(v))
        case (.sfixed64, .fixed64(let v)): return .string(String(Int64(bitPattern: v)))
        case (.double, .fixed64(let v)): return doubleJSON(Double(bitPattern: v))
        default: return .null
        }
    }

    static func doubleJSON(_ d: Double) -> JSON {
        if d.isNaN { return .string("NaN") }
        if d.isInfinite { return .string(d > 0 ? "Infinity" : "-Infinity") }
        return .number(d)
    }

    static func wellKnownJSON(_ bytes: ArraySlice<UInt8>, typeName: String, depth: Int) -> JSON? {
        switch typeName {
        case ".google.protobuf.Struct":
            var members: [JSONMember] = []
            for case (1, .bytes(let entry)) in rawFields(bytes) {
                let parts = rawFields(entry)
                guard case .bytes(let k)? = parts.last(where: { $0.0 == 1 })?.1 else { continue }
                let key = String(decoding: k, as: UTF8.self)
                var value = JSON.null
                if case .bytes(let v)? = parts.last(where: { $0.0 == 2 })?.1 {
                    value = json(ofMessage: v, typeName: ".google.protobuf.Value", depth: depth + 1)
                }
                members.removeAll { $0.key == key }
                members.append(JSONMember(key, value))
            }
            return .object(members.sorted { $0.key < $1.key })
        case ".google.protobuf.Value":
            guard let (n, raw) = rawFields(bytes).last else { return .null }
            switch (n, raw) {
            case (2, .fixed64(let v)): return doubleJSON(Double(bitPattern: v))
            case (3, .bytes(let b)): return .string(String(decoding: b, as: UTF8.self))
            case (4, .varint(let v)): return .bool(v != 0)
            case (5, .bytes(let b)): return json(ofMessage: b, typeName: ".google.protobuf.Struct", depth: depth + 1)
            case (6, .bytes(let b)): return json(ofMessage: b, typeName: ".google.protobuf.ListValue", depth: depth + 1)
            default: return .null
            }
        case ".google.protobuf.ListValue":
            var items: [JSON] = []
            for case (1, .bytes(let v)) in rawFields(bytes) {
                items.append(json(ofMessage: v, typeName: ".google.protobuf.Value", depth: depth + 1))
            }
            return .array(items)
        case ".google.protobuf.Timestamp", ".google.protobuf.Duration":
            var seconds: Int64 = 0, nanos: Int32 = 0
            for (n, raw) in rawFields(bytes) {
                if n == 1, case .varint(let v) = raw { seconds = Int64(bitPattern: v) }
                if n == 2, case .varint(let v) = raw { nanos = Int32(truncatingIfNeeded: v) }
            }
            return .string(typeName.hasSuffix("Timestamp") ? Timestamps.format(seconds, nanos)
                                                           : Timestamps.formatDuration(seconds, nanos))
        case ".google.protobuf.FieldMask":
            var paths: [String] = []
            for case (1, .bytes(let b)) in rawFields(bytes) { paths.append(jsonName(String(decoding: b, as: UTF8.self))) }
            return .string(paths.joined(separator: ","))
        case ".google.protobuf.Empty":
            return .object([])
        default:
            guard let wrapped = wrapperTypes[typeName] else { return nil }
            guard let raw = rawFields(bytes).last(where: { $0.0 == 1 })?.1 else {
                return scalarJSON(wrapped == .string || wrapped == .bytes ? .bytes([]) : .varint(0), wrapped, nil)
            }
            return scalarJSON(raw, wrapped, nil)
        }
    }
}

/// RFC 3339 times and proto Duration text.
public enum Timestamps {
    public static func format(_ seconds: Int64, _ nanos: Int32) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rem = seconds - days * 86400
        let (y, m, d) = civil(fromDays: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var out = "\(y)-\(two(m))-\(two(d))T\(two(rem / 3600)):\(two(rem / 60 % 60)):\(two(rem % 60))"
        if nanos > 0 { out += "." + fraction(nanos) }
        return out + "Z"
    }

    static func fraction(_ nanos: Int32) -> String {
        var digits = String(nanos)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        for width in [3, 6] where digits.hasSuffix(String(repeating: "0", count: 9 - width)) {
            return String(digits.prefix(width))
        }
        return digits
    }

    public static func formatDuration(_ seconds: Int64, _ nanos: Int32) -> String {
        let negative = seconds < 0 || nanos < 0
        var out = negative ? "-" : ""
        out += String(abs(seconds))
        if nanos != 0 { out += "." + fraction(abs(nanos)) }
        return out + "s"
    }

    public static func parse(_ text: String) -> (Int64, Int32)? {
        let b = Array(text.utf8)
        func num(_ at: Int, _ n: Int) -> Int64? {
            guard at + n <= b.count else { return nil }
            var v: Int64 = 0
            for c in b[at..<at + n] {
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
              b[10] == 84 || b[10] == 116, let h = num(11, 2), b[13] == 58, let mi = num(14, 2), b[16] == 58,
              let s = num(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        var at = 19
        var nanos: Int64 = 0
        if at < b.count, b[at] == 46 {
            at += 1
            var digits = 0
            while at < b.count, b[at] >= 48, b[at] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int64(b[at] - 48) }
                digits += 1
                at += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 where digits < 9 { nanos *= 10 }
        }
        var offset: Int64 = 0
        guard at < b.count else { return nil }
        if b[at] == 90 || b[at] == 122 {
            at += 1
        } else if b[at] == 43 || b[at] == 45, let oh = num(at + 1, 2), at + 3 < b.count, b[at + 3] == 58, let om = num(at + 4, 2) {
            offset = (oh * 3600 + om * 60) * (b[at] == 45 ? -1 : 1)
            at += 6
        } else {
            return nil
        }
        guard at == b.count else { return nil }
        let seconds = days(fromCivil: y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset
        return (seconds, Int32(nanos))
    }

    /// "1.5s", "-2s", "0.000001s"; also the forms the server's step config uses ("250ms", "2m", "1h").
    public static func parseDuration(_ text: String) -> (Int64, Int32)? {
        var s = Substring(text)
        var scale: Double
        if s.hasSuffix("ms") { scale = 0.001; s = s.dropLast(2) }
        else if s.hasSuffix("s") { scale = 1; s = s.dropLast() }
        else if s.hasSuffix("m") { scale = 60; s = s.dropLast() }
        else if s.hasSuffix("h") { scale = 3600; s = s.dropLast() }
        else { return nil }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCIIDigitish || $0 == "." || $0 == "-" }), let v = Double(s) else { return nil }
        let total = v * scale
        guard abs(total) < 315_576_000_000 else { return nil }
        let seconds = Int64(total.rounded(.towardZero))
        let nanos = Int32(((total - Double(seconds)) * 1e9).rounded())
        return (seconds, nanos)
    }

    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
