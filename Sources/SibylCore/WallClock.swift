#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Wall-clock seconds since 1970: what Sibyl stores and compares (expiries, creation times, days of usage,
/// sign-in windows). A node reads one clock, given in its configuration, so that tests move time instead of
/// sleeping past an expiry.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Int64

    public init(read: @escaping @Sendable () -> Int64) {
        self.read = read
    }

    public func now() -> Int64 { read() }

    /// Milliseconds since 1970: this clock's seconds and the real clock's fraction of a second (a manual
    /// clock's tests move whole seconds; what it orders within one is the real time).
    public func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return read() * 1_000 + Int64(spec.tv_nsec / 1_000_000)
    }

    /// The system's real-time clock.
    public static let system = WallClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }
}

/// A wall clock that moves only when told to: a test advances it past an expiry or a back-off.
public final class ManualWallClock: Sendable {
    private let seconds: Atomic<Int64>

    public init(startingAt start: Int64 = WallClock.system.now()) {
        seconds = Atomic(start)
    }

    public var clock: WallClock { WallClock { self.seconds.load(ordering: .relaxed) } }

    public func advance(by interval: Int64) {
        seconds.add(interval, ordering: .relaxed)
    }
}
