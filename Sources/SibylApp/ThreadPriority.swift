#if canImport(Glibc)
import Glibc
#endif

/// Background work that must never slow answers (a shadow's comparisons, a replay) runs on a thread of its
/// own under Linux's `SCHED_IDLE` policy: when the answers' threads want the cores, the kernel gives them
/// first, and the background thread only what is left.
enum ThreadPriority {
    /// Linux's `SCHED_IDLE` (sched.h defines it only for GNU sources; the kernel's ABI fixes it at 5).
    private static let idlePolicy: Int32 = 5

    /// Puts the calling thread under `SCHED_IDLE`; elsewhere than Linux this does nothing.
    static func lowerThisThread() {
        #if os(Linux)
        var parameters = sched_param()
        parameters.sched_priority = 0
        _ = pthread_setschedparam(pthread_self(), idlePolicy, &parameters)
        #endif
    }
}
