// Counters, gauges and fixed-bucket histograms that every layer records into cheaply (an
// atomic add or two, no lock, no allocation), rendered on demand in the Prometheus text
// format 0.0.4 (`GET /metrics`). No dependencies: the lowest module after the C shims, so
// RPC, Storage and Engine can all use it without depending on each other.
import Synchronization

/// One monotonically increasing count.
public final class Counter: Sendable {
    private let value = Atomic<UInt64>(0)
    public init() {}
    @inlinable public func increment() { add(1) }
    public func add(_ n: UInt64) { value.wrappingAdd(n, ordering: .relaxed) }
    public var count: UInt64 { value.load(ordering: .relaxed) }
}

/// A value that goes up and down.
public final class Gauge: Sendable {
    private let value = Atomic<Int64>(0)
    public init() {}
    public func add(_ n: Int64) { value.wrappingAdd(n, ordering: .relaxed) }
    public func set(_ n: Int64) { value.store(n, ordering: .relaxed) }
    public var current: Int64 { value.load(ordering: .relaxed) }
}

/// A histogram with fixed upper bounds. `observe` is a search over a dozen bounds and two
/// atomic adds; the sum is kept in integer units (`scale` per 1.0) so it needs no lock.
public final class Histogram: Sendable {
    public let bounds: [Double]
    private let buckets: [Counter]  // non-cumulative; the last one is +Inf
    private let sumUnits = Atomic<UInt64>(0)
    private let scale: Double

    /// `scale`: integer units per 1.0 for the sum (1e9: nanoseconds for a seconds histogram).
    public init(bounds: [Double], scale: Double = 1e9) {
        precondition(bounds == bounds.sorted() && !bounds.isEmpty, "histogram bounds must be sorted")
        self.bounds = bounds
        self.buckets = (0...bounds.count).map { _ in Counter() }
        self.scale = scale
    }

    public func observe(_ value: Double) {
        var index = 0
        while index < bounds.count && value > bounds[index] { index += 1 }
        buckets[index].increment()
        sumUnits.wrappingAdd(UInt64(max(0, value * scale)), ordering: .relaxed)
    }

    public func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        observe(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Cumulative counts per bound, then the total; and the sum.
    public var snapshot: (cumulative: [UInt64], sum: Double) {
        var running: UInt64 = 0
        var out: [UInt64] = []
        out.reserveCapacity(buckets.count)
        for bucket in buckets {
            running &+= bucket.count
            out.append(running)
        }
        return (out, Double(sumUnits.load(ordering: .relaxed)) / scale)
    }

    /// Latency bounds in seconds, 50 µs to 10 s.
    public static let latencySeconds: [Double] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                  0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]
    /// Counts, 1 to 4096 by powers of two.
    public static let sizes: [Double] = (0...12).map { Double(1 << $0) }
}

/// A set of series under one metric name, each with its label values. Series are created
/// once (at registration or first use) and then recorded into with no lookup.
public final class Family<Metric: AnyObject & Sendable>: Sendable {
    public let name: String
    public let help: String
    public let labelNames: [String]
    /// Series still at zero (histograms: never observed) are left out of the output: a
    /// method's seventeen status codes are made up front, and most never happen.
    public let hideZero: Bool
    private let make: @Sendable () -> Metric
    private let series = Mutex<[(labels: [String], metric: Metric)]>([])

    init(name: String, help: String, labelNames: [String], hideZero: Bool = false, make: @escaping @Sendable () -> Metric) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.hideZero = hideZero
        self.make = make
    }

    /// The series with these label values, created on first use. Keep the result: this
    /// takes a lock and searches.
    public func with(_ labels: String...) -> Metric { with(labels) }

    public func with(_ labels: [String]) -> Metric {
        precondition(labels.count == labelNames.count, "\(name) takes \(labelNames.count) labels")
        return series.withLock { list in
            if let found = list.first(where: { $0.labels == labels }) { return found.metric }
            let metric = make()
            list.append((labels, metric))
            return metric
        }
    }

    var all: [(labels: [String], metric: Metric)] { series.withLock { $0 } }
}

/// Every metric of the process and the text format. `shared` is what `GET /metrics` renders.
public final class MetricsRegistry: Sendable {
    public static let shared = MetricsRegistry()

    private enum Entry: Sendable {
        case counters(Family<Counter>)
        case gauges(Family<Gauge>)
        case histograms(Family<Histogram>)
        /// Read at scrape time: (label values, value) for each series.
        case gaugeFunction(name: String, help: String, labelNames: [String], read: @Sendable () -> [([String], Double)])
    }
    private let entries = Mutex<[Entry]>([])

    public init() {}

    public func counter(_ name: String, _ help: String, labels: [String] = [], hideZero: Bool = false) -> Family<Counter> {
        let family = Family(name: name, help: help, labelNames: labels, hideZero: hideZero) { Counter() }
        entries.withLock { $0.append(.counters(family)) }
        return family
    }

    public func gauge(_ name: String, _ help: String, labels: [String] = [], hideZero: Bool = false) -> Family<Gauge> {
        let family = Family(name: name, help: help, labelNames: labels, hideZero: hideZero) { Gauge() }
        entries.withLock { $0.append(.gauges(family)) }
        return family
    }

    public func histogram(_ name: String, _ help: String, labels: [String] = [], bounds: [Double],
                          scale: Double = 1e9, hideZero: Bool = false) -> Family<Histogram> {
        let family = Family(name: name, help: help, labelNames: labels, hideZero: hideZero) {
            Histogram(bounds: bounds, scale: scale)
        }
        entries.withLock { $0.append(.histograms(family)) }
        return family
    }

    /// A gauge computed when scraped (queue depths, connections, memory).
    public func gaugeFunction(_ name: String, _ help: String, labels: [String] = [],
                              _ read: @escaping @Sendable () -> [([String], Double)]) {
        entries.withLock { $0.append(.gaugeFunction(name: name, help: help, labelNames: labels, read: read)) }
    }

    /// The Prometheus text exposition format, version 0.0.4.
    public func render() -> String {
        var out = ""
        out.reserveCapacity(16 * 1024)
        for entry in entries.withLock({ $0 }) {
            switch entry {
            case .counters(let f):
                header(&out, f.name + "_total", f.help, "counter")
                for (labels, c) in f.all where !(f.hideZero && c.count == 0) {
                    line(&out, f.name + "_total", f.labelNames, labels, String(c.count))
                }
            case .gauges(let f):
                header(&out, f.name, f.help, "gauge")
                for (labels, g) in f.all where !(f.hideZero && g.current == 0) {
                    line(&out, f.name, f.labelNames, labels, String(g.current))
                }
            case .histograms(let f):
                header(&out, f.name, f.help, "histogram")
                for (labels, h) in f.all {
                    let (cumulative, sum) = h.snapshot
                    if f.hideZero && cumulative.last == 0 { continue }
                    for (i, bound) in h.bounds.enumerated() {
                        line(&out, f.name + "_bucket", f.labelNames + ["le"], labels + [Self.number(bound)], String(cumulative[i]))
                    }
                    line(&out, f.name + "_bucket", f.labelNames + ["le"], labels + ["+Inf"], String(cumulative.last!))
                    line(&out, f.name + "_sum", f.labelNames, labels, Self.number(sum))
                    line(&out, f.name + "_count", f.labelNames, labels, String(cumulative.last!))
                }
            case .gaugeFunction(let name, let help, let labelNames, let read):
                header(&out, name, help, "gauge")
                for (labels, value) in read() { line(&out, name, labelNames, labels, Self.number(value)) }
            }
        }
        return out
    }

    /// In the 0.0.4 text format a counter's HELP and TYPE name the series as written,
    /// "_total" included (OpenMetrics drops the suffix; this format does not).
    private func header(_ out: inout String, _ name: String, _ help: String, _ type: String) {
        out += "# HELP \(name) \(help.replacingBackslashes)\n# TYPE \(name) \(type)\n"
    }

    private func line(_ out: inout String, _ name: String, _ labelNames: [String], _ labels: [String], _ value: String) {
        out += name
        if !labelNames.isEmpty {
            out += "{"
            for (i, (key, value)) in zip(labelNames, labels).enumerated() {
                if i > 0 { out += "," }
                out += key + "=\"" + Self.escapeLabel(value) + "\""
            }
            out += "}"
        }
        out += " " + value + "\n"
    }

    static func escapeLabel(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}

extension String {
    fileprivate var replacingBackslashes: String {
        var out = ""
        for c in self {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
