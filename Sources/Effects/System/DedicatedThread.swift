// Blocking work off Swift's cooperative pool. Every call that can block (getaddrinfo, connect,
// read, write, waitpid) runs on a thread of its own, started per operation; the awaiting task
// gets the result through a continuation, and its cancellation fires an eventfd that the
// thread's poll loop watches. This file is the only bridge between those threads and tasks.
import CLinux
import Glibc
import Synchronization

/// A failed system call: which one, and its errno.
struct SystemError: Error, Sendable, CustomStringConvertible {
    var call: String
    var code: Int32

    init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }

    var description: String { "\(call): \(String(cString: strerror(code)))" }
}

/// An eventfd that any thread may fire once and a poll loop watches (readable once fired).
/// Owns its descriptor: closed when the last reference goes.
final class Wakeup: Sendable {
    let fd: Int32
    private let fired = Atomic<Bool>(false)

    init() throws(SystemError) {
        let fd = spindle_eventfd(0, spindle_efd_cloexec_nonblock())
        guard fd >= 0 else { throw SystemError("eventfd") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Idempotent; safe from any thread, including a task's cancellation handler.
    func fire() {
        guard !fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    var isFired: Bool { fired.load(ordering: .acquiring) }
}

/// Hands a dedicated thread's result to the task awaiting it, at most once. The thread may
/// resume early (a canceled subprocess) and go on cleaning up after the task has moved on.
final class Completion<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Result<T, SystemError>, Never>?>

    fileprivate init(_ continuation: CheckedContinuation<Result<T, SystemError>, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: T) { deliver(.success(value)) }

    fileprivate func deliver(_ result: Result<T, SystemError>) {
        let waiting = continuation.withLock { slot in
            let taken = slot
            slot = nil
            return taken
        }
        waiting?.resume(returning: result)
    }
}

enum DedicatedThread {
    /// Thread stacks are small: the work done on them is loops over buffers, not recursion.
    static let stackBytes = 1 << 20

    /// Runs `body` on a new thread and returns the value it passes to `Completion.resume`.
    /// `body` must resume exactly once. When the calling task is cancelled the `Wakeup` fires;
    /// the body sees it in its poll loop and resumes promptly.
    static func run<T: Sendable>(
        name: String, _ body: @escaping @Sendable (Wakeup, Completion<T>) -> Void
    ) async throws(SystemError) -> T {
        let wakeup = try Wakeup()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, SystemError>, Never>) in
                let completion = Completion(continuation)
                do throws(SystemError) {
                    try start(name: name) { body(wakeup, completion) }
                } catch {
                    completion.deliver(.failure(error))
                }
            }
        } onCancel: {
            wakeup.fire()
        }
        return try result.get()
    }

    private final class Start {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts a detached thread running `body`, with SIGPIPE blocked on it: a write to a peer
    /// that went away returns EPIPE there instead of killing the process.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) throws(SystemError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, stackBytes)
        let box = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            _ = spindle_set_thread_name(String(decoding: start.name.utf8.prefix(15), as: UTF8.self))
            start.body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Start>.fromOpaque(box).release()
            throw SystemError("pthread_create", code: rc)
        }
    }
}
