import RPC

enum GRPCWeb {
    static func handle(_ request: HTTPRequest, _ outbound: any StreamOutbound, gateway: Gateway) {
        ErrorBody.send(status: 501, code: .unimplemented, message: "gRPC-Web is not served yet", to: outbound)
    }
}
