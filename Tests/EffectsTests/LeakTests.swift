import Testing
@testable import Effects

/// Teardown checks: every request and every command releases what it opened.
@Suite struct LeakTests {
    @Test func noDescriptorsLeak() async throws {
        let peer = try await Peer.shared.value
        let client = HTTPClient()
        _ = try await client.send(HTTPRequest(url: peer.url("/text")))
        let before = openDescriptorCount()
        for _ in 0..<10 {
            _ = try await Subprocess("sh", arguments: ["-c", "echo x; echo y >&2"], standardInput: [1, 2, 3]).run()
            _ = try await client.send(HTTPRequest(url: peer.url("/chunked")))
            _ = try? await client.send(HTTPRequest(url: "http://127.0.0.1:\(try closedPort())/"))
        }
        // At most as many as before: a cleanup left over from an earlier test may close some.
        #expect(await eventually { openDescriptorCount() <= before }, "descriptors: \(before) before, \(openDescriptorCount()) after")
    }
}
