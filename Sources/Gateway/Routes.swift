import RPC

enum Routes {
    static func handle(_ request: HTTPRequest, _ outbound: any StreamOutbound, gateway: Gateway) {
        ErrorBody.send(status: 404, code: .notFound, message: "no route for \(request.method) \(request.path)", to: outbound)
    }
}
