import ProtoWire

/// Small messages declared here so ProtoWire is tested without the Messages layer.

/// { int32 a = 1; string s = 2; repeated sint32 r = 3; Node child = 4; }
struct Node: ProtoMessage {
    var a: Int32 = 0
    var s = ""
    var r: [Int32] = []
    var child: Box?

    /// Recursion needs a reference: a final class with value semantics by convention (never mutated after set).
    final class Box: Sendable, Equatable {
        let node: Node
        init(_ node: Node) { self.node = node }
        static func == (l: Box, r: Box) -> Bool { l.node == r.node }
    }

    mutating func decodeField(_ t: FieldTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch t.number {
        case 1: try r.read(.int32, t, &a)
        case 2: try r.read(.string, t, &s)
        case 3: try r.read(.sint32, t, &self.r)
        case 4:
            var n = child?.node ?? Node()
            try r.readMessage(t, &n)
            child = Box(n)
        default: try r.skip(t)
        }
    }

    func encodeFields(to w: inout ProtoWriter) {
        w.write(.int32, 1, a)
        w.write(.string, 2, s)
        w.write(.sint32, 3, r)
        w.writeMessage(4, child?.node)
    }

    var depth: Int { 1 + (child?.node.depth ?? 0) }
}
