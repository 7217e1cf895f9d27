import Synchronization

/// Monotonic time, as the supervisor reads it for idle times, back-offs, probe periods and request counts.
/// Given to it as a value so that tests move time instead of sleeping through a back-off or an idle timeout.
public struct MonotonicClock: Sendable {
    private let read: @Sendable () -> ContinuousClock.Instant

    public init(read: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.read = read
    }

    public var now: ContinuousClock.Instant { read() }

    /// The system's continuous clock.
    public static let continuous = MonotonicClock { ContinuousClock.now }
}

/// A monotonic clock that moves only when told to.
public final class ManualMonotonicClock: Sendable {
    private let start = ContinuousClock.now
    private let nanoseconds = Atomic<Int64>(0)

    public init() {}

    public var clock: MonotonicClock {
        MonotonicClock { self.start + .nanoseconds(self.nanoseconds.load(ordering: .relaxed)) }
    }

    public func advance(by interval: Duration) {
        let (seconds, attoseconds) = interval.components
        nanoseconds.add(seconds * 1_000_000_000 + attoseconds / 1_000_000_000, ordering: .relaxed)
    }
}
