import Engine
import Synchronization
import Testing
@testable import Effects

@Suite struct WebhookNotifierTests {
    /// Records the waits between attempts instead of sleeping.
    final class Sleeps: Sendable {
        let waits = Mutex<[Duration]>([])
        var recorded: [Duration] { waits.withLock { $0 } }
        func sleep(_ wait: Duration) { waits.withLock { $0.append(wait) } }
    }

    func notifier(_ sleeps: Sleeps, attempts: Int = 3) -> WebhookNotifier {
        WebhookNotifier(maxAttempts: attempts, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1),
                        backoffMultiplier: 2, attemptTimeout: .seconds(5), sleep: { sleeps.sleep($0) })
    }

    @Test func deliversOnTheFirstSuccess() async throws {
        let peer = try await Peer.shared.value
        let sleeps = Sleeps()
        let delivery = await notifier(sleeps).post(["run_id": "r1", "status": "SUCCEEDED"], to: peer.url("/echo"),
                                                   headers: ["X-Spindle-Event": "run.finished"])
        #expect(delivery == .init(delivered: true, attempts: 1, status: 200, error: nil))
        #expect(sleeps.recorded.isEmpty)
    }

    @Test func serverErrorsAreRetriedWithBackoff() async throws {
        let peer = try await Peer.shared.value
        let sleeps = Sleeps()
        let delivery = await notifier(sleeps).post([:], to: peer.url("/status/503"))
        #expect(!delivery.delivered && delivery.attempts == 3 && delivery.status == 503)
        #expect(delivery.error?.contains("503") == true)
        #expect(sleeps.recorded == [.milliseconds(100), .milliseconds(200)])

        let throttled = await notifier(Sleeps(), attempts: 2).post([:], to: peer.url("/status/429"))
        #expect(throttled.attempts == 2)
    }

    @Test func connectionFailuresAreRetried() async throws {
        let sleeps = Sleeps()
        let delivery = await notifier(sleeps).post([:], to: "http://127.0.0.1:\(try closedPort())/hook")
        #expect(!delivery.delivered && delivery.attempts == 3 && delivery.status == nil)
        #expect(delivery.error?.contains("refused") == true)
        #expect(sleeps.recorded.count == 2)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let peer = try await Peer.shared.value
        let sleeps = Sleeps()
        #expect(await notifier(sleeps).post([:], to: peer.url("/status/400")).attempts == 1)
        #expect(await notifier(sleeps).post([:], to: "not a url").attempts == 1)
        #expect(sleeps.recorded.isEmpty)
    }

    @Test func cancelledWhileWaitingStops() async throws {
        let peer = try await Peer.shared.value
        let notifier = WebhookNotifier(maxAttempts: 5, sleep: { _ in throw CancellationError() })
        #expect(await notifier.post([:], to: peer.url("/status/500")).attempts == 1)
    }

    @Test func backoffGrowsToItsCap() {
        let notifier = WebhookNotifier(initialBackoff: .milliseconds(500), maxBackoff: .seconds(2), backoffMultiplier: 2)
        #expect((1...5).map(notifier.backoff(after:))
                == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(2), .seconds(2)])
    }
}
