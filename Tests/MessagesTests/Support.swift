import Foundation
import Messages
import ProtoWire
import Testing

/// Paths inside the repository, found from this file's location (tests run from anywhere).
enum Repo {
    static let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let root = testsDir.deletingLastPathComponent().deletingLastPathComponent()
    static let golden = testsDir.appendingPathComponent("Golden")

    static func goldenBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: golden.appendingPathComponent(name)))
    }
}

/// Decodes with the message type `M`, failing the test (not trapping) on error.
func decode<M: ProtoMessage>(_: M.Type, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> M? {
    do {
        return try M(serializedBytes: bytes)
    } catch {
        Issue.record("decode \(M.self) failed: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
