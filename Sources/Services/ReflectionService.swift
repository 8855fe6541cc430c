public import RPC
import Messages

/// gRPC server reflection, `grpc.reflection.v1` and `v1alpha` (wire-identical), answering
/// from the descriptors protoc produced for `proto/` (embedded at build time).
public struct ReflectionService: Sendable {
    public static let serviceNames = ["grpc.reflection.v1.ServerReflection",
                                      "grpc.reflection.v1alpha.ServerReflection"]
    typealias R = GRPCReflection

    /// The services `list_services` reports: the ones this server actually serves.
    let services: [String]

    public init(services: [String]) {
        self.services = services.sorted()
    }

    public func register(in router: inout Router) {
        for name in Self.serviceNames {
            router.bidirectionalStreaming(name, "ServerReflectionInfo") {
                (requests: RequestStream<R.ServerReflectionRequest>, out: ResponseWriter<R.ServerReflectionResponse>, _) in
                for try await request in requests { try await out.write(answer(request)) }
            }
        }
    }

    func answer(_ request: R.ServerReflectionRequest) -> R.ServerReflectionResponse {
        var response = R.ServerReflectionResponse()
        response.validHost = request.host
        response.originalRequest = request
        response.messageResponse = messageResponse(for: request.messageRequest)
        return response
    }

    private func messageResponse(for request: R.ServerReflectionRequest.MessageRequest?)
        -> R.ServerReflectionResponse.MessageResponse {
        switch request {
        case .listServices?:
            var list = R.ListServiceResponse()
            list.service = services.map { name in
                var s = R.ServiceResponse()
                s.name = name
                return s
            }
            return .listServicesResponse(list)
        case .fileByFilename(let name)?:
            guard let file = EmbeddedDescriptors.file(named: name) else {
                return notFound("file \"\(name)\" not found")
            }
            return files(with: file)
        case .fileContainingSymbol(let symbol)?:
            guard let file = EmbeddedDescriptors.file(containingSymbol: symbol) else {
                return notFound("symbol \"\(symbol)\" not found")
            }
            return files(with: file)
        case .fileContainingExtension(let ext)?:
            // proto3 files define no extensions.
            return notFound("no extension \(ext.extensionNumber) of \"\(ext.containingType)\"")
        case .allExtensionNumbersOfType(let type)?:
            guard EmbeddedDescriptors.file(containingSymbol: type) != nil else {
                return notFound("type \"\(type)\" not found")
            }
            var numbers = R.ExtensionNumberResponse()
            numbers.baseTypeName = type
            return .allExtensionNumbersResponse(numbers)
        case nil:
            return error(.invalidArgument, "the request names no message_request")
        }
    }

    /// The file and everything it imports, so a client can build the descriptors whole.
    private func files(with file: EmbeddedFileDescriptor) -> R.ServerReflectionResponse.MessageResponse {
        var response = R.FileDescriptorResponse()
        // The requested file first, as grpc-go does; then its dependencies.
        let all = EmbeddedDescriptors.fileWithDependencies(file)
        response.fileDescriptorProto = [file.serializedBytes] + all.filter { $0.name != file.name }.map(\.serializedBytes)
        return .fileDescriptorResponse(response)
    }

    private func notFound(_ message: String) -> R.ServerReflectionResponse.MessageResponse {
        error(.notFound, message)
    }

    private func error(_ code: StatusCode, _ message: String) -> R.ServerReflectionResponse.MessageResponse {
        var e = R.ErrorResponse()
        e.errorCode = Int32(code.rawValue)
        e.errorMessage = message
        return .errorResponse(e)
    }
}
