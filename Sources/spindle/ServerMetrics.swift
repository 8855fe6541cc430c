// The /metrics series that belong to no one layer: read from the parts main wires together
// (executor, transport, router, store) when scraped, plus the process's memory.
#if canImport(Glibc)
import Glibc
#endif
import Engine
import HTTP2
import Metrics
import RPC
import Storage

enum ServerMetrics {
    static let snapshotDuration = MetricsRegistry.shared.histogram(
        "spindle_snapshot_duration_seconds", "time to write, fsync and rename one state snapshot",
        bounds: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]).with()
    static let snapshotBytes = MetricsRegistry.shared.gauge("spindle_snapshot_bytes", "size of the newest snapshot").with()

    static func register(executor: Executor, server: HTTP2Server, router: Router) {
        Executor.registerMetrics()
        Store.registerMetrics()
        _ = snapshotDuration
        _ = snapshotBytes
        let registry = MetricsRegistry.shared
        registry.gaugeFunction("spindle_runs", "runs by state: in memory, unfinished, running (admitted), queued",
                               labels: ["state"]) {
            let counts = executor.counts
            let admission = executor.admission
            return [(["in_memory"], Double(counts.runs)), (["unfinished"], Double(counts.unfinished)),
                    (["running"], Double(admission.running)), (["queued"], Double(admission.queued))]
        }
        registry.gaugeFunction("spindle_connections", "open client connections (HTTP/2 and HTTP/1.1)") {
            [([], Double(server.openConnections))]
        }
        let watchers = ["WatchRun", "WatchRuns"].map { name in
            (name, router.stats(path: "/spindle.v1.RunService/\(name)")?.inFlight)
        }
        registry.gaugeFunction("spindle_watchers", "open run event streams (gRPC, SSE and gRPC-Web)", labels: ["method"]) {
            watchers.map { ([$0.0], Double($0.1?.current ?? 0)) }
        }
        registry.gaugeFunction("spindle_process_resident_memory_bytes", "resident set size of the process") {
            [([], Double(residentBytes()))]
        }
    }

    static func snapshotTaken(duration: Duration, bytes: Int) {
        snapshotDuration.observe(duration)
        snapshotBytes.set(Int64(bytes))
    }

    /// RSS from /proc/self/statm (pages).
    static func residentBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return 0 }
        let fields = buffer[0..<n].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }
}
