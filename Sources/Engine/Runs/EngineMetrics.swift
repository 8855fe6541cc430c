// Run and step outcomes for /metrics, counted as each run event becomes durable: one
// counter per event type, made up front, so recording is an index and an atomic add.
import Metrics

enum EngineMetrics {
    static let events = MetricsRegistry.shared.counter(
        "spindle_run_events", "run events made durable, by type (runs by outcome: run_completed, run_failed, ...; "
            + "steps: step_started, step_completed, step_failed, ...)", labels: ["type"])
    /// In the order of `index(of:)`.
    static let names = ["run_queued", "run_started", "run_paused", "run_resumed", "run_completed", "run_failed",
                        "run_canceled", "step_started", "step_retrying", "step_completed", "step_failed", "step_skipped",
                        "step_paused", "step_canceled", "pause_action",
                        "task_dispatched", "step_progress", "task_result_refused"]
    static let counters = names.map { events.with($0) }

    static func record(_ kind: RunEvent.Kind) { counters[index(of: kind)].increment() }

    static func index(of kind: RunEvent.Kind) -> Int {
        switch kind {
        case .queued: 0
        case .started: 1
        case .paused: 2
        case .resumed: 3
        case .completed: 4
        case .failed: 5
        case .canceled: 6
        case .stepStarted: 7
        case .stepRetrying: 8
        case .stepCompleted: 9
        case .stepFailed: 10
        case .stepSkipped: 11
        case .stepPaused: 12
        case .stepCanceled: 13
        case .pauseAction: 14
        case .task(let note):
            switch note.what {
            case .dispatched: 15
            case .progress: 16
            case .refused: 17
            }
        }
    }

    /// Makes the series exist before the first run (a scrape lists them at zero).
    static func register() { _ = counters }
}
