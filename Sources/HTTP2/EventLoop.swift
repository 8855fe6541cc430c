// One thread, one epoll set, one eventfd. Everything a connection owns is touched only on
// its loop thread; other threads reach the loop through `execute(_:)` (a Mutex-guarded
// queue plus an eventfd write). The loop is also a `TaskExecutor`, so handler tasks created
// with `Task(executorPreference: loop)` run on the loop thread and write with no hop.
import CNghttp2
import Glibc
import Synchronization

// epoll event bits (sys/epoll.h); Glibc's Swift overlay does not import them as constants.
let epollIn: UInt32 = 0x001
let epollOut: UInt32 = 0x004
let epollErr: UInt32 = 0x008
let epollHup: UInt32 = 0x010
let epollRdHup: UInt32 = 0x2000

/// A single-threaded epoll event loop with a job queue, timers and a task executor.
///
/// `@unchecked Sendable`: the only state shared across threads is `queue` (a `Mutex`) and
/// the immutable file descriptors; every other stored property is confined to the loop
/// thread, which `assertInLoop()` documents at the entry points that touch it.
public final class EventLoop: TaskExecutor, @unchecked Sendable {
    private enum Job {
        case closure(@Sendable () -> Void)
        case task(UnownedJob)
    }

    private struct Queue {
        var jobs: [Job] = []
        var wakeupPending = false
        var stopping = false
    }

    /// A scheduled timer; `cancel()` it on the loop thread. Cancelling releases the action at
    /// once, so an action may capture its owner strongly without keeping it alive until the
    /// deadline.
    final class Timer {
        fileprivate var action: (() -> Void)?
        fileprivate init(_ action: @escaping () -> Void) { self.action = action }
        func cancel() { action = nil }
    }

    private struct TimerEntry {
        var deadlineNanos: UInt64
        var sequence: UInt64
        var timer: Timer
        func fires(before other: TimerEntry) -> Bool {
            (deadlineNanos, sequence) < (other.deadlineNanos, other.sequence)
        }
    }

    /// Called with the epoll event mask of a registered descriptor.
    typealias IOHandler = (UInt32) -> Void

    private let epollFD: Int32
    private let eventFD: Int32
    private let queue = Mutex(Queue())
    private let threadID = Atomic<UInt>(0)  // pthread_t of the loop thread, 0 until running

    // Loop-confined state.
    private var handlers: [Int32: IOHandler] = [:]
    private var timers: [TimerEntry] = []
    private var timerSequence: UInt64 = 0
    private var flushList: [() -> Void] = []
    private var localJobs: [() -> Void] = []
    /// Scratch buffer for socket reads, shared by every connection on this loop.
    var readBuffer: UnsafeMutableRawBufferPointer
    let name: String

    /// Maximum queued jobs run per iteration before IO is polled again.
    private static let jobBatch = 16

    init(name: String) {
        self.name = name
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        eventFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(epollFD >= 0 && eventFD >= 0, "epoll/eventfd creation failed")
        readBuffer = .allocate(byteCount: 256 * 1024, alignment: 16)
        var event = epoll_event()
        event.events = epollIn
        event.data.fd = eventFD
        _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, eventFD, &event)
    }

    deinit {
        close(epollFD)
        close(eventFD)
        readBuffer.deallocate()
    }

    // MARK: Cross-thread entry points

    /// True when called on this loop's thread.
    public var inLoop: Bool {
        threadID.load(ordering: .acquiring) == UInt(pthread_self())
    }

    /// Runs `work` on the loop thread, after the jobs already queued.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        push(.closure(work))
    }

    /// `TaskExecutor`: runs a task's job on the loop thread.
    public func enqueue(_ job: consuming ExecutorJob) {
        push(.task(UnownedJob(job)))
    }

    private func push(_ job: Job) {
        let onLoop = inLoop
        let wake = queue.withLock { state -> Bool in
            state.jobs.append(job)
            if onLoop || state.wakeupPending { return false }
            state.wakeupPending = true
            return true
        }
        if wake { signal() }
    }

    private func signal() {
        var one: UInt64 = 1
        _ = write(eventFD, &one, 8)
    }

    /// Asks the loop to exit after its current iteration.
    func stop() {
        queue.withLock { $0.stopping = true }
        signal()
    }

    // MARK: Loop-thread API

    func assertInLoop() {
        assert(inLoop, "must be called on the loop thread of \(name)")
    }

    /// Registers `fd` for `events` (EPOLLIN / EPOLLOUT bits).
    func register(_ fd: Int32, events: UInt32, handler: @escaping IOHandler) {
        assertInLoop()
        handlers[fd] = handler
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event)
    }

    func modify(_ fd: Int32, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    func deregister(_ fd: Int32) {
        assertInLoop()
        handlers[fd] = nil
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
    }

    /// Runs `work` on this loop in a later iteration. Loop thread only; no lock.
    func executeLocal(_ work: @escaping () -> Void) {
        assertInLoop()
        localJobs.append(work)
    }

    /// Runs `flush` once at the end of the current iteration (after IO, jobs and timers).
    func scheduleFlush(_ flush: @escaping () -> Void) {
        assertInLoop()
        flushList.append(flush)
    }

    /// Runs `action` on the loop after `delay`, unless the returned timer is cancelled first.
    @discardableResult
    func schedule(after delay: Duration, _ action: @escaping () -> Void) -> Timer {
        assertInLoop()
        let timer = Timer(action)
        timerSequence &+= 1
        let entry = TimerEntry(deadlineNanos: Self.now() &+ Self.nanos(delay), sequence: timerSequence,
                               timer: timer)
        heapPush(entry)
        return timer
    }

    static func nanos(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    // MARK: The loop

    /// Runs the loop on the calling thread until `stop()`.
    func run() {
        threadID.store(UInt(pthread_self()), ordering: .releasing)
        let maxEvents = 128
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: maxEvents)
        defer { events.deallocate() }
        var pending: [Job] = []
        while true {
            let hasJobs = queue.withLock { !$0.jobs.isEmpty || $0.stopping }
            let timeout = hasJobs || !flushList.isEmpty || !localJobs.isEmpty ? 0 : nextTimerTimeoutMillis()
            let count = epoll_wait(epollFD, events, Int32(maxEvents), timeout)
            if count > 0 {
                for index in 0..<Int(count) {
                    let fd = events[index].data.fd
                    if fd == eventFD {
                        var value: UInt64 = 0
                        _ = read(eventFD, &value, 8)
                        continue
                    }
                    handlers[fd]?(events[index].events)
                }
            }
            let stopping = queue.withLock { state -> Bool in
                let take = min(state.jobs.count, Self.jobBatch)
                pending.append(contentsOf: state.jobs[0..<take])
                state.jobs.removeFirst(take)
                state.wakeupPending = !state.jobs.isEmpty
                return state.stopping
            }
            for job in pending {
                switch job {
                case .closure(let work): work()
                case .task(let task): task.runSynchronously(on: asUnownedTaskExecutor())
                }
            }
            pending.removeAll(keepingCapacity: true)
            if !localJobs.isEmpty {
                let local = localJobs
                localJobs = []
                for work in local { work() }
            }
            fireTimers()
            runFlushes()
            if stopping { break }
        }
        threadID.store(0, ordering: .releasing)
    }

    private func runFlushes() {
        // A flush may schedule another flush (rare); run until quiet, bounded.
        var rounds = 0
        while !flushList.isEmpty && rounds < 4 {
            let list = flushList
            flushList.removeAll(keepingCapacity: true)
            for flush in list { flush() }
            rounds += 1
        }
    }

    private func nextTimerTimeoutMillis() -> Int32 {
        guard let first = timers.first else { return -1 }
        let now = Self.now()
        if first.deadlineNanos <= now { return 0 }
        let millis = (first.deadlineNanos - now + 999_999) / 1_000_000
        return Int32(min(millis, 60_000))
    }

    private func fireTimers() {
        let now = Self.now()
        while let first = timers.first, first.deadlineNanos <= now {
            let entry = heapPop()
            if let action = entry.timer.action {
                entry.timer.action = nil
                action()
            }
        }
    }

    // MARK: Min-heap of timers

    private func heapPush(_ entry: TimerEntry) {
        timers.append(entry)
        var child = timers.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !timers[child].fires(before: timers[parent]) { break }
            timers.swapAt(child, parent)
            child = parent
        }
    }

    private func heapPop() -> TimerEntry {
        let top = timers[0]
        let last = timers.removeLast()
        if !timers.isEmpty {
            timers[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < timers.count && timers[left].fires(before: timers[smallest]) { smallest = left }
                if right < timers.count && timers[right].fires(before: timers[smallest]) { smallest = right }
                if smallest == parent { break }
                timers.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}

/// N event loops, each on its own thread. Connections are assigned round-robin.
final class EventLoopGroup: Sendable {
    let loops: [EventLoop]
    private let threads: Mutex<[pthread_t]>
    private let nextIndex = Atomic<Int>(0)

    init(count: Int) {
        let loops = (0..<max(1, count)).map { EventLoop(name: "spindle-h2-\($0)") }
        self.loops = loops
        var started: [pthread_t] = []
        for loop in loops {
            let box = Unmanaged.passRetained(loop).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                let loop = Unmanaged<EventLoop>.fromOpaque(raw!).takeRetainedValue()
                loop.run()
                return nil
            }, box)
            precondition(rc == 0, "pthread_create failed: \(rc)")
            started.append(thread)
        }
        threads = Mutex(started)
    }

    func next() -> EventLoop {
        let index = nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
        return loops[index % loops.count]
    }

    /// Stops every loop and joins its thread. Call from outside the loops.
    func stopAndJoin() {
        for loop in loops { loop.stop() }
        let joined = threads.withLock { threads -> [pthread_t] in
            let copy = threads
            threads = []
            return copy
        }
        for thread in joined { pthread_join(thread, nil) }
    }
}
