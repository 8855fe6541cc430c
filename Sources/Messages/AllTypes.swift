// spindle/testing/all_types.proto: a fixture covering every proto3 field shape, used by the
// golden-vector tests.
public import ProtoWire

extension SpindleTesting {
    public struct Color: SchemaEnum {
        public static let protoName = "spindle.testing.Color"
        public static let values: [(name: String, number: Int32)] = [
            ("COLOR_UNSPECIFIED", 0), ("RED", 1), ("GREEN", 2), ("NEGATIVE", -1),
        ]
        public static let unspecified = Self(rawValue: 0)
        public static let red = Self(rawValue: 1)
        public static let green = Self(rawValue: 2)
        public static let negative = Self(rawValue: -1)
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
    }

    public struct AllTypes: SchemaMessage {
        static let n = ".spindle.testing.AllTypes."
        static let color = ".spindle.testing.Color"
        public static let protoName = "spindle.testing.AllTypes"
        public static let fields: [FieldInfo] = [
            FieldInfo("f_double", 1, .double), FieldInfo("f_float", 2, .float), FieldInfo("f_int64", 3, .int64),
            FieldInfo("f_uint64", 4, .uint64), FieldInfo("f_int32", 5, .int32), FieldInfo("f_fixed64", 6, .fixed64),
            FieldInfo("f_fixed32", 7, .fixed32), FieldInfo("f_bool", 8, .bool), FieldInfo("f_string", 9, .string),
            FieldInfo("f_bytes", 10, .bytes), FieldInfo("f_uint32", 11, .uint32), FieldInfo("f_sfixed32", 12, .sfixed32),
            FieldInfo("f_sfixed64", 13, .sfixed64), FieldInfo("f_sint32", 14, .sint32), FieldInfo("f_sint64", 15, .sint64),
            .enumeration("f_enum", 16, color), .message("f_nested", 17, n + "Nested"),
            .optional("o_int32", 20, .int32), .optional("o_string", 21, .string), .optional("o_bool", 22, .bool),
            .optional("o_double", 23, .double), .optional("o_enum", 24, .enumeration, typeName: color),
            FieldInfo("r_double", 31, .double, .repeated), FieldInfo("r_float", 32, .float, .repeated),
            FieldInfo("r_int64", 33, .int64, .repeated), FieldInfo("r_uint64", 34, .uint64, .repeated),
            FieldInfo("r_int32", 35, .int32, .repeated), FieldInfo("r_fixed64", 36, .fixed64, .repeated),
            FieldInfo("r_fixed32", 37, .fixed32, .repeated), FieldInfo("r_bool", 38, .bool, .repeated),
            FieldInfo("r_string", 39, .string, .repeated), FieldInfo("r_bytes", 40, .bytes, .repeated),
            FieldInfo("r_uint32", 41, .uint32, .repeated), FieldInfo("r_sfixed32", 42, .sfixed32, .repeated),
            FieldInfo("r_sfixed64", 43, .sfixed64, .repeated), FieldInfo("r_sint32", 44, .sint32, .repeated),
            FieldInfo("r_sint64", 45, .sint64, .repeated), .enumeration("r_enum", 46, color, .repeated),
            .message("r_nested", 47, n + "Nested", .repeated),
            FieldInfo("r_unpacked_int32", 48, .int32, .repeated), FieldInfo("r_unpacked_sint64", 49, .sint64, .repeated),
            .map("m_string_int32", 50, n + "MStringInt32Entry", .string, .int32),
            .map("m_int32_string", 51, n + "MInt32StringEntry", .int32, .string),
            .map("m_int64_nested", 52, n + "MInt64NestedEntry", .int64, .message, valueTypeName: n + "Nested"),
            .map("m_bool_enum", 53, n + "MBoolEnumEntry", .bool, .enumeration, valueTypeName: color),
            .map("m_uint32_bytes", 54, n + "MUint32BytesEntry", .uint32, .bytes),
            .map("m_sint64_double", 55, n + "MSint64DoubleEntry", .sint64, .double),
            FieldInfo("c_int32", 60, .int32, oneof: "choice"), FieldInfo("c_string", 61, .string, oneof: "choice"),
            .message("c_nested", 62, n + "Nested", oneof: "choice"), .enumeration("c_enum", 63, color, oneof: "choice"),
        ]

        public struct Nested: SchemaMessage {
            public static let protoName = "spindle.testing.AllTypes.Nested"
            public static let fields: [FieldInfo] = [
                FieldInfo("a", 1, .int32), FieldInfo("b", 2, .string), FieldInfo("c", 3, .int32, .repeated),
            ]
            public var a: Int32 = 0
            public var b = ""
            public var c: [Int32] = []
            public init() {}
            public init(a: Int32, b: String = "", c: [Int32] = []) { (self.a, self.b, self.c) = (a, b, c) }
            public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
                switch t.number {
                case 1: try r.read(.int32, t, &a)
                case 2: try r.read(.string, t, &b)
                case 3: try r.read(.int32, t, &c)
                default: try r.skip(t)
                }
            }
            public func encodeFields(to w: inout ProtoWriter) {
                w.write(.int32, 1, a)
                w.write(.string, 2, b)
                w.write(.int32, 3, c)
            }
        }

        public enum Choice: Sendable, Equatable {
            case cInt32(Int32)
            case cString(String)
            case cNested(Nested)
            case cEnum(Color)
        }

        public var fDouble: Double = 0
        public var fFloat: Float = 0
        public var fInt64: Int64 = 0
        public var fUint64: UInt64 = 0
        public var fInt32: Int32 = 0
        public var fFixed64: UInt64 = 0
        public var fFixed32: UInt32 = 0
        public var fBool = false
        public var fString = ""
        public var fBytes: [UInt8] = []
        public var fUint32: UInt32 = 0
        public var fSfixed32: Int32 = 0
        public var fSfixed64: Int64 = 0
        public var fSint32: Int32 = 0
        public var fSint64: Int64 = 0
        public var fEnum = Color.unspecified
        public var fNested: Nested?
        public var oInt32: Int32?
        public var oString: String?
        public var oBool: Bool?
        public var oDouble: Double?
        public var oEnum: Color?
        public var rDouble: [Double] = []
        public var rFloat: [Float] = []
        public var rInt64: [Int64] = []
        public var rUint64: [UInt64] = []
        public var rInt32: [Int32] = []
        public var rFixed64: [UInt64] = []
        public var rFixed32: [UInt32] = []
        public var rBool: [Bool] = []
        public var rString: [String] = []
        public var rBytes: [[UInt8]] = []
        public var rUint32: [UInt32] = []
        public var rSfixed32: [Int32] = []
        public var rSfixed64: [Int64] = []
        public var rSint32: [Int32] = []
        public var rSint64: [Int64] = []
        public var rEnum: [Color] = []
        public var rNested: [Nested] = []
        public var rUnpackedInt32: [Int32] = []
        public var rUnpackedSint64: [Int64] = []
        public var mStringInt32: [String: Int32] = [:]
        public var mInt32String: [Int32: String] = [:]
        public var mInt64Nested: [Int64: Nested] = [:]
        public var mBoolEnum: [Bool: Color] = [:]
        public var mUint32Bytes: [UInt32: [UInt8]] = [:]
        public var mSint64Double: [Int64: Double] = [:]
        public var choice: Choice?
        public init() {}

        public mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch t.number {
            case 1: try r.read(.double, t, &fDouble)
            case 2: try r.read(.float, t, &fFloat)
            case 3: try r.read(.int64, t, &fInt64)
            case 4: try r.read(.uint64, t, &fUint64)
            case 5: try r.read(.int32, t, &fInt32)
            case 6: try r.read(.fixed64, t, &fFixed64)
            case 7: try r.read(.fixed32, t, &fFixed32)
            case 8: try r.read(.bool, t, &fBool)
            case 9: try r.read(.string, t, &fString)
            case 10: try r.read(.bytes, t, &fBytes)
            case 11: try r.read(.uint32, t, &fUint32)
            case 12: try r.read(.sfixed32, t, &fSfixed32)
            case 13: try r.read(.sfixed64, t, &fSfixed64)
            case 14: try r.read(.sint32, t, &fSint32)
            case 15: try r.read(.sint64, t, &fSint64)
            case 16: try r.readEnum(t, &fEnum)
            case 17: try r.readMessage(t, &fNested)
            case 20: try r.read(.int32, t, &oInt32)
            case 21: try r.read(.string, t, &oString)
            case 22: try r.read(.bool, t, &oBool)
            case 23: try r.read(.double, t, &oDouble)
            case 24: try r.readEnum(t, &oEnum)
            case 31: try r.read(.double, t, &rDouble)
            case 32: try r.read(.float, t, &rFloat)
            case 33: try r.read(.int64, t, &rInt64)
            case 34: try r.read(.uint64, t, &rUint64)
            case 35: try r.read(.int32, t, &rInt32)
            case 36: try r.read(.fixed64, t, &rFixed64)
            case 37: try r.read(.fixed32, t, &rFixed32)
            case 38: try r.read(.bool, t, &rBool)
            case 39: try r.read(.string, t, &rString)
            case 40: try r.read(.bytes, t, &rBytes)
            case 41: try r.read(.uint32, t, &rUint32)
            case 42: try r.read(.sfixed32, t, &rSfixed32)
            case 43: try r.read(.sfixed64, t, &rSfixed64)
            case 44: try r.read(.sint32, t, &rSint32)
            case 45: try r.read(.sint64, t, &rSint64)
            case 46: try r.readEnum(t, &rEnum)
            case 47: try r.readMessage(t, &rNested)
            case 48: try r.read(.int32, t, &rUnpackedInt32)
            case 49: try r.read(.sint64, t, &rUnpackedSint64)
            case 50: try r.readMap(t, &mStringInt32, .string, .int32)
            case 51: try r.readMap(t, &mInt32String, .int32, .string)
            case 52: try r.readMap(t, &mInt64Nested, .int64, MessageCodec())
            case 53: try r.readMap(t, &mBoolEnum, .bool, EnumCodec())
            case 54: try r.readMap(t, &mUint32Bytes, .uint32, .bytes)
            case 55: try r.readMap(t, &mSint64Double, .sint64, .double)
            case 60: var v: Int32?; try r.read(.int32, t, &v); choice = v.map { .cInt32($0) }
            case 61: var v: String?; try r.read(.string, t, &v); choice = v.map { .cString($0) }
            case 62:
                var m = if case .cNested(let v)? = choice { v } else { Nested() }
                try r.readMessage(t, &m)
                choice = .cNested(m)
            case 63: var v: Color?; try r.readEnum(t, &v); choice = v.map { .cEnum($0) }
            default: try r.skip(t)
            }
        }

        public func encodeFields(to w: inout ProtoWriter) {
            w.write(.double, 1, fDouble)
            w.write(.float, 2, fFloat)
            w.write(.int64, 3, fInt64)
            w.write(.uint64, 4, fUint64)
            w.write(.int32, 5, fInt32)
            w.write(.fixed64, 6, fFixed64)
            w.write(.fixed32, 7, fFixed32)
            w.write(.bool, 8, fBool)
            w.write(.string, 9, fString)
            w.write(.bytes, 10, fBytes)
            w.write(.uint32, 11, fUint32)
            w.write(.sfixed32, 12, fSfixed32)
            w.write(.sfixed64, 13, fSfixed64)
            w.write(.sint32, 14, fSint32)
            w.write(.sint64, 15, fSint64)
            w.writeEnum(16, fEnum)
            w.writeMessage(17, fNested)
            w.write(.int32, 20, oInt32)
            w.write(.string, 21, oString)
            w.write(.bool, 22, oBool)
            w.write(.double, 23, oDouble)
            w.writeEnum(24, oEnum)
            w.write(.double, 31, rDouble)
            w.write(.float, 32, rFloat)
            w.write(.int64, 33, rInt64)
            w.write(.uint64, 34, rUint64)
            w.write(.int32, 35, rInt32)
            w.write(.fixed64, 36, rFixed64)
            w.write(.fixed32, 37, rFixed32)
            w.write(.bool, 38, rBool)
            w.write(.string, 39, rString)
            w.write(.bytes, 40, rBytes)
            w.write(.uint32, 41, rUint32)
            w.write(.sfixed32, 42, rSfixed32)
            w.write(.sfixed64, 43, rSfixed64)
            w.write(.sint32, 44, rSint32)
            w.write(.sint64, 45, rSint64)
            w.writeEnum(46, rEnum)
            w.writeMessage(47, rNested)
            w.writeUnpacked(.int32, 48, rUnpackedInt32)
            w.writeUnpacked(.sint64, 49, rUnpackedSint64)
            w.writeMap(50, mStringInt32, .string, .int32)
            w.writeMap(51, mInt32String, .int32, .string)
            w.writeMap(52, mInt64Nested, .int64, MessageCodec())
            w.writeMap(53, mBoolEnum, .bool, EnumCodec())
            w.writeMap(54, mUint32Bytes, .uint32, .bytes)
            w.writeMap(55, mSint64Double, .sint64, .double)
            switch choice {
            case .cInt32(let v)?: w.write(.int32, 60, .some(v))
            case .cString(let v)?: w.write(.string, 61, .some(v))
            case .cNested(let v)?: w.writeMessage(62, v)
            case .cEnum(let v)?: w.writeEnum(63, .some(v))
            case nil: break
            }
        }
    }
}
