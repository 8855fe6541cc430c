// The YAML subset of `spindle workflow apply -f FILE` (SpindleCLI): a file from anyone's
// checkout, so hostile input. It must either refuse with a line:column error or give a tree
// whose JSON form parses back to the same tree (the CLI hands that tree to the transcoder).
import FuzzSupport
import ProtoJSON
import SpindleCLI

fuzz { bytes in
    guard let tree = try? YAML.parse(String(decoding: bytes, as: UTF8.self)) else { return }
    guard (try? JSONParser.parse(tree.render())) == tree else { finding("YAML tree does not survive JSON: \(tree.render())") }
}
