/// Field-level reads and writes built on the codecs: one call per field in a message codec.

extension ProtoReader {
    @inlinable
    func expect(_ tag: FieldTag, _ wireType: WireType) throws(ProtoDecodingError) {
        guard tag.wireType == wireType else {
            throw .invalidWireType(field: tag.number, wireType: tag.wireType.rawValue)
        }
    }

    /// A singular proto3 field: last occurrence wins.
    @inlinable
    public mutating func read<C: ProtoFieldCodec>(_ codec: C, _ tag: FieldTag, _ value: inout C.Value) throws(ProtoDecodingError) {
        try expect(tag, codec.wireType)
        value = try codec.read(from: &self, field: tag.number)
    }

    /// An `optional` field (or a oneof arm read into a temporary): presence is tracked.
    @inlinable
    public mutating func read<C: ProtoFieldCodec>(_ codec: C, _ tag: FieldTag, _ value: inout C.Value?) throws(ProtoDecodingError) {
        try expect(tag, codec.wireType)
        value = try codec.read(from: &self, field: tag.number)
    }

    /// A repeated field. Packed and unpacked encodings are both accepted for numeric types,
    /// whichever the schema declares.
    @inlinable
    public mutating func read<C: ProtoFieldCodec>(_ codec: C, _ tag: FieldTag, _ values: inout [C.Value]) throws(ProtoDecodingError) {
        if codec.isPackable && tag.wireType == .lengthDelimited {
            let body = try readLengthDelimited()
            var packed = ProtoReader(body, recursionLimit: 0)
            while !packed.isAtEnd {
                values.append(try codec.read(from: &packed, field: tag.number))
            }
            return
        }
        try expect(tag, codec.wireType)
        values.append(try codec.read(from: &self, field: tag.number))
    }

    /// A singular embedded message: repeated occurrences merge.
    @inlinable
    public mutating func readMessage<M: ProtoMessage>(_ tag: FieldTag, _ value: inout M?) throws(ProtoDecodingError) {
        try expect(tag, .lengthDelimited)
        var m = value ?? M()
        value = nil  // keep `m` uniquely referenced while decoding into it
        try readMessage(into: &m)
        value = m
    }

    /// A singular embedded message stored without presence (e.g. inside a oneof arm being merged).
    @inlinable
    public mutating func readMessage<M: ProtoMessage>(_ tag: FieldTag, _ value: inout M) throws(ProtoDecodingError) {
        try expect(tag, .lengthDelimited)
        try readMessage(into: &value)
    }

    /// A repeated embedded message.
    @inlinable
    public mutating func readMessage<M: ProtoMessage>(_ tag: FieldTag, _ values: inout [M]) throws(ProtoDecodingError) {
        try expect(tag, .lengthDelimited)
        var m = M()
        try readMessage(into: &m)
        values.append(m)
    }

    /// A map field: each occurrence is one entry message {1: key, 2: value}; a missing key or
    /// value takes its default, and a repeated key keeps the last value.
    @inlinable
    public mutating func readMap<K: ProtoMapKeyCodec, V: ProtoFieldCodec>(
        _ tag: FieldTag, _ map: inout [K.Value: V.Value], _ keyCodec: K, _ valueCodec: V
    ) throws(ProtoDecodingError) {
        try expect(tag, .lengthDelimited)
        var entry = try subReader(try readLengthDelimited())
        var key: K.Value?
        var value: V.Value?
        while let t = try entry.readTag() {
            switch t.number {
            case 1: try entry.read(keyCodec, t, &key)
            case 2: try entry.read(valueCodec, t, &value)
            default: try entry.skip(t)
            }
        }
        map[key ?? keyCodec.defaultValue] = value ?? valueCodec.defaultValue
    }
}

extension ProtoWriter {
    /// A singular proto3 field: skipped when it holds the default.
    @inlinable
    public mutating func write<C: ProtoFieldCodec>(_ codec: C, _ number: Int, _ value: C.Value) {
        guard !codec.isDefault(value) else { return }
        writeTag(number, codec.wireType)
        codec.write(value, to: &self)
    }

    /// An `optional` field or oneof arm: written whenever present, even if zero.
    @inlinable
    public mutating func write<C: ProtoFieldCodec>(_ codec: C, _ number: Int, _ value: C.Value?) {
        guard let value else { return }
        writeTag(number, codec.wireType)
        codec.write(value, to: &self)
    }

    /// A repeated field: packed for numeric types (the proto3 default), one tag per value otherwise.
    @inlinable
    public mutating func write<C: ProtoFieldCodec>(_ codec: C, _ number: Int, _ values: [C.Value]) {
        guard !values.isEmpty else { return }
        guard codec.isPackable else { return writeUnpacked(codec, number, values) }
        writeNested(number) { w in
            for v in values { codec.write(v, to: &w) }
        }
    }

    /// A repeated numeric field declared `[packed = false]`.
    @inlinable
    public mutating func writeUnpacked<C: ProtoFieldCodec>(_ codec: C, _ number: Int, _ values: [C.Value]) {
        for v in values {
            writeTag(number, codec.wireType)
            codec.write(v, to: &self)
        }
    }

    /// A singular embedded message: skipped when absent.
    @inlinable
    public mutating func writeMessage<M: ProtoMessage>(_ number: Int, _ value: M?) {
        guard let value else { return }
        writeEmbedded(number, value)
    }

    @inlinable
    public mutating func writeMessage<M: ProtoMessage>(_ number: Int, _ values: [M]) {
        for v in values { writeEmbedded(number, v) }
    }

    @inlinable
    mutating func writeEmbedded<M: ProtoMessage>(_ number: Int, _ value: M) {
        guard let size = value.knownEncodedSize else { return writeNested(number) { value.encodeFields(to: &$0) } }
        writeTag(number, .lengthDelimited)
        writeVarint(UInt64(size))
        let start = count
        value.encodeFields(to: &self)
        precondition(count - start == size, "\(M.self).knownEncodedSize is \(size), but it wrote \(count - start) bytes")
    }

    /// A map field, entries in key order so output is deterministic (byte-for-byte the same
    /// as the reference `SerializeToString(deterministic=True)`). Key and value are always
    /// written inside an entry, as the reference runtimes do.
    @inlinable
    public mutating func writeMap<K: ProtoMapKeyCodec, V: ProtoFieldCodec>(
        _ number: Int, _ map: [K.Value: V.Value], _ keyCodec: K, _ valueCodec: V
    ) {
        guard !map.isEmpty else { return }
        for (key, value) in map.sorted(by: { keyCodec.precedes($0.key, $1.key) }) {
            writeNested(number) { w in
                w.writeTag(1, keyCodec.wireType)
                keyCodec.write(key, to: &w)
                w.writeTag(2, valueCodec.wireType)
                valueCodec.write(value, to: &w)
            }
        }
    }
}

// MARK: Enums and map-value shorthands

extension ProtoReader {
    @inlinable
    public mutating func readEnum<E: ProtoEnum>(_ tag: FieldTag, _ value: inout E) throws(ProtoDecodingError) {
        try read(EnumCodec<E>(), tag, &value)
    }

    @inlinable
    public mutating func readEnum<E: ProtoEnum>(_ tag: FieldTag, _ value: inout E?) throws(ProtoDecodingError) {
        try read(EnumCodec<E>(), tag, &value)
    }

    @inlinable
    public mutating func readEnum<E: ProtoEnum>(_ tag: FieldTag, _ values: inout [E]) throws(ProtoDecodingError) {
        try read(EnumCodec<E>(), tag, &values)
    }
}

extension ProtoWriter {
    @inlinable public mutating func writeEnum<E: ProtoEnum>(_ number: Int, _ value: E) { write(EnumCodec<E>(), number, value) }
    @inlinable public mutating func writeEnum<E: ProtoEnum>(_ number: Int, _ value: E?) { write(EnumCodec<E>(), number, value) }
    @inlinable public mutating func writeEnum<E: ProtoEnum>(_ number: Int, _ values: [E]) { write(EnumCodec<E>(), number, values) }
}
