import Synchronization

/// What a handler knows about its call, and how it shapes the response's metadata.
public final class ServerContext: Sendable {
    /// "/package.Service/Method".
    public let path: String
    public let service: String
    public let method: String
    /// The request's custom metadata (reserved gRPC and HTTP/2 fields removed).
    public let metadata: Metadata
    /// When the client's `grpc-timeout` runs out, if it sent one.
    public let deadline: ContinuousClock.Instant?
    public let peer: String
    public let secure: Bool

    struct Mutable: Sendable {
        var initialMetadata = Metadata()
        var trailingMetadata = Metadata()
        var compressResponses = false
        var lastRequestCompressed = false
    }
    let mutable = Mutex(Mutable())

    init(path: String, service: String, method: String, metadata: Metadata,
         deadline: ContinuousClock.Instant?, peer: String, secure: Bool) {
        self.path = path
        self.service = service
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
        self.secure = secure
    }

    /// Adds response header metadata. Takes effect only before the first response message.
    public func addInitialMetadata(_ metadata: Metadata) {
        mutable.withLock { $0.initialMetadata.add(contentsOf: metadata) }
    }

    /// Adds trailing metadata, sent with the status.
    public func addTrailingMetadata(_ metadata: Metadata) {
        mutable.withLock { $0.trailingMetadata.add(contentsOf: metadata) }
    }

    /// Whether response messages are compressed by default (when the client accepts an
    /// encoding we support). `ResponseWriter.write(_:compress:)` can override per message.
    public var compressResponses: Bool {
        get { mutable.withLock { $0.compressResponses } }
        set { mutable.withLock { $0.compressResponses = newValue } }
    }

    /// Whether the most recently delivered request message arrived compressed.
    public var requestWasCompressed: Bool {
        mutable.withLock { $0.lastRequestCompressed }
    }
}
