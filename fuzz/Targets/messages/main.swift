// Every message decoder in Messages: the first byte picks a type from MessageRegistry.all
// (modulo its count, so each decoder is reached), the rest is decoded as that message. What
// decodes must encode and decode again to the same message: a decoder that accepts bytes
// its own encoder then cannot reproduce is a finding too.
import FuzzSupport
import Messages
import ProtoWire

extension SchemaMessage {
    static func roundTrip(_ body: ArraySlice<UInt8>) {
        check(Self.self, body)
    }
}

func check<M: SchemaMessage>(_ type: M.Type, _ body: ArraySlice<UInt8>) {
    guard let message = try? M(serializedBytes: body) else { return }
    let encoded = message.serializedBytes()
    let again: M
    do { again = try M(serializedBytes: encoded) } catch {
        finding("\(M.protoName): its own encoding does not decode: \(error)")
    }
    // NaN fields make a message unequal to itself; then the bytes must still agree.
    guard again == message || again.serializedBytes() == encoded else {
        finding("\(M.protoName): decode(encode(m)) != m")
    }
}

let types = MessageRegistry.all
fuzz { bytes in
    guard let first = bytes.first else { return }
    types[Int(first) % types.count].roundTrip(bytes.dropFirst())
}
