// The JSON parser and the proto3 JSON transcoder (ProtoJSON) that every HTTP/JSON request body
// and every CLI definition file goes through. Byte 0 picks a message type of the served
// schema; the rest is JSON text. What parses and transcodes must survive the round trip:
// protobuf -> JSON -> protobuf gives the same bytes (JSON output is canonical: fields in order,
// defaults left out), and the printed JSON parses back to the same tree.
import FuzzSupport
import ProtoJSON

let schema = ProtoSchema.shared
let types = schema.messages.keys.sorted()
let transcoder = Transcoder(schema: schema)

fuzz { bytes in
    var input = FuzzInput(bytes)
    let type = types[Int(input.byte()) % types.count]
    guard let tree = try? JSONParser.parse(input.rest()) else { return }
    guard (try? JSONParser.parse(tree.render())) == tree else { finding("printed JSON does not parse back: \(tree.render())") }
    guard let wire = try? transcoder.protobuf(from: tree, type: type) else { return }
    let json: JSON
    do {
        json = try transcoder.json(from: wire[...], type: type)
    } catch {
        finding("\(type): the transcoder's own bytes do not turn back into JSON: \(error)")
    }
    guard let again = try? transcoder.protobuf(from: json, type: type) else {
        finding("\(type): the transcoder's own JSON is refused: \(json.render())")
    }
    guard (try? transcoder.json(from: again[...], type: type)) == json else {
        finding("\(type): JSON differs after a round trip: \(json.render())")
    }
}
