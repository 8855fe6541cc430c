// The protobuf wire reader on its own: walks any bytes as a message, reading each field's
// value by its wire type, and nested length-delimited fields as messages in turn (up to the
// reader's recursion limit).
import FuzzSupport
import ProtoWire

func walk(_ reader: inout ProtoReader, depth: Int) throws(ProtoDecodingError) {
    while let tag = try reader.readTag() {
        switch tag.wireType {
        case .varint: _ = try reader.readVarint()
        case .fixed32: _ = try reader.readFixed32()
        case .fixed64: _ = try reader.readFixed64()
        case .lengthDelimited:
            let body = try reader.readLengthDelimited()
            if depth < 8, var sub = try? reader.subReader(body) { try? walk(&sub, depth: depth + 1) }
        default: try reader.skip(tag)
        }
    }
}

fuzz { bytes in
    var reader = ProtoReader(bytes[...])
    try? walk(&reader, depth: 0)
    // And the skipping path alone: every field skipped, as unknown fields are.
    var skipper = ProtoReader(bytes[...])
    do throws(ProtoDecodingError) {
        while let tag = try skipper.readTag() { try skipper.skip(tag) }
    } catch {}
}
