// Per-method call metrics: requests by status code, latency, calls in flight. Each method's
// series are made once, when it is registered, so a call records with two atomic adds and a
// histogram observe, never a lookup.
public import Metrics

enum RPCMetrics {
    static let requests = MetricsRegistry.shared.counter(
        "spindle_rpc_requests", "gRPC calls finished, by service, method and status code (HTTP/JSON and gRPC-Web included)",
        labels: ["service", "method", "code"], hideZero: true)
    static let duration = MetricsRegistry.shared.histogram(
        "spindle_rpc_duration_seconds", "gRPC call latency from request head to status, by service and method",
        labels: ["service", "method"], bounds: Histogram.latencySeconds, hideZero: true)
    static let inFlight = MetricsRegistry.shared.gauge(
        "spindle_rpc_in_flight", "gRPC calls started and not yet finished (streams included)", labels: ["service", "method"],
        hideZero: true)
}

/// One method's series.
public final class MethodStats: Sendable {
    let byCode: [Counter]
    let duration: Histogram
    public let inFlight: Gauge

    init(service: String, method: String) {
        byCode = StatusCode.allCases.map { RPCMetrics.requests.with(service, method, $0.name) }
        duration = RPCMetrics.duration.with(service, method)
        inFlight = RPCMetrics.inFlight.with(service, method)
    }

    func started() { inFlight.add(1) }

    func finished(_ code: StatusCode, after elapsed: Duration) {
        inFlight.add(-1)
        byCode[code.rawValue].increment()
        duration.observe(elapsed)
    }
}
