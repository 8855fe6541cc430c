// UploadFiles: metadata first, then chunks streamed straight into a blob (never buffered whole).
import Engine
import Messages
import ProtoWire
import RPC

extension WorkflowService {
    func upload(_ requests: RequestStream<PB.UploadFilesRequest>, _ p: Principal) async throws -> PB.UploadFilesResponse {
        var iterator = requests.makeAsyncIterator()
        guard let first = try await iterator.next() else {
            throw WorkflowErrors.invalid("metadata", "the upload is empty: the first message must carry metadata")
        }
        guard case .metadata(let meta)? = first.payload else {
            throw WorkflowErrors.invalid("metadata", "the first message must carry metadata, not a chunk")
        }
        let id = try Self.required(meta.workflowID, "metadata.workflow_id")
        _ = try Self.required(meta.fileName, "metadata.file_name")
        guard meta.purpose != .unspecified else {
            throw WorkflowErrors.invalid("metadata.purpose", "purpose must not be UNSPECIFIED")
        }
        guard PB.FilePurpose.values.contains(where: { $0.number == meta.purpose.rawValue }) else {
            throw WorkflowErrors.invalid("metadata.purpose", "unknown FilePurpose value \(meta.purpose.rawValue)")
        }
        let stepID = meta.stepID
        let w = try await store.read { s throws(DomainError) in try s.get(tenant: p.tenant, id: id) }
        guard !w.deleted else { throw RPCError(.failedPrecondition, "workflow \(id) is deleted") }
        if !stepID.isEmpty, !w.definition.steps.contains(where: { $0.id == stepID }) {
            throw RPCError(.notFound, "workflow \(id) has no step \(stepID)")
        }
        // Peek at the content so an upload without any is refused before a blob is made.
        var firstChunk: [UInt8] = []
        while firstChunk.isEmpty {
            guard let next = try await iterator.next() else {
                throw WorkflowErrors.invalid("chunk", "the upload has no content")
            }
            firstChunk = try UploadChunks.check(next, index: 1, total: 0, maxFileBytes: maxFileBytes)
        }
        let chunks = UploadChunks(first: firstChunk, rest: requests, maxFileBytes: maxFileBytes)
        let info = try await store.putFile(chunks)
        let purpose = PB.FilePurpose.values.first { $0.number == meta.purpose.rawValue }?.name ?? "\(meta.purpose.rawValue)"
        let file = AttachedFile(blobID: info.id, name: meta.fileName, contentType: meta.contentType, purpose: purpose,
                                stepID: stepID, size: Int64(info.size), sha256: info.sha256,
                                at: store.environment.clock.now())
        // Recorded against the workflow, durably, before the client hears the file exists.
        _ = try await store.execute { s, _ throws(DomainError) in try s.attachFile(tenant: p.tenant, id: id, file: file) }
        var out = PB.UploadFilesResponse()
        out.fileID = "file_" + info.id
        out.size = Int64(info.size)
        out.sha256 = info.sha256
        return out
    }
}

/// The chunks of an upload after its metadata, checked one by one: a second metadata message,
/// a chunk over 1 MiB or a total over the limit end the upload (and the blob) with a status.
struct UploadChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let first: [UInt8]
    let rest: RequestStream<PB.UploadFilesRequest>
    let maxFileBytes: Int

    static func check(_ message: PB.UploadFilesRequest, index: Int, total: Int, maxFileBytes: Int) throws(RPCError) -> [UInt8] {
        switch message.payload {
        case .metadata?: throw WorkflowErrors.invalid("metadata", "metadata was sent twice (message \(index))")
        case nil: return []
        case .chunk(let bytes)?:
            guard bytes.count <= WorkflowService.maxChunkBytes else {
                throw RPCError(.resourceExhausted, "chunk \(index) is \(bytes.count) bytes; at most \(WorkflowService.maxChunkBytes) per chunk")
            }
            guard total + bytes.count <= maxFileBytes else {
                throw RPCError(.resourceExhausted, "the file is over the limit of \(maxFileBytes) bytes")
            }
            return bytes
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var first: [UInt8]?
        var rest: RequestStream<PB.UploadFilesRequest>.AsyncIterator
        var total = 0
        var index = 1
        let maxFileBytes: Int

        mutating func next() async throws -> [UInt8]? {
            if let f = first {
                first = nil
                total += f.count
                return f
            }
            while let message = try await rest.next() {
                index += 1
                let bytes = try UploadChunks.check(message, index: index, total: total, maxFileBytes: maxFileBytes)
                total += bytes.count
                if !bytes.isEmpty { return bytes }
            }
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(first: first, rest: rest.makeAsyncIterator(), maxFileBytes: maxFileBytes)
    }
}
