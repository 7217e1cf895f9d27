import Logging
import ServiceLifecycle
import SibylCore
import SibylStore
import Synchronization

/// Keeps the sampled requests of APIs that capture, with their answers, and writes them in batches (every
/// flush interval and at a graceful stop), so that capturing costs a request no database round trip and a
/// node never waits for another: each writes its own rows. A crash loses at most one interval.
///
/// What waits is bounded (`ServerConfiguration.captureQueueBytes`): beyond, a capture is dropped and counted
/// (`dropped`). Every minute, captures older than their API's retention are deleted.
public final class CaptureRecorder: Service {
    private let pending = Mutex<(captures: [Capture], bytes: Int)>(([], 0))
    /// The batch being written, or whose write failed: written again (ids make that harmless) before newer ones.
    private let unwritten = Mutex<[Capture]>([])
    private let flushing = AsyncLock()
    public let dropped = Atomic<Int>(0)
    private let store: Store
    private let interval: Duration
    private let byteLimit: Int
    private let retention: @Sendable () -> [(apiID: String, days: Int)]
    private let logger: Logger

    /// `retention` lists the APIs with how many days their captures are kept.
    public init(
        store: Store, interval: Duration, byteLimit: Int, logger: Logger,
        retention: @escaping @Sendable () -> [(apiID: String, days: Int)]
    ) {
        self.store = store
        self.interval = interval
        self.byteLimit = byteLimit
        self.logger = logger
        self.retention = retention
    }

    /// Keeps a capture for the next batch, unless the queue is full (then it is dropped and counted).
    public func keep(_ capture: Capture) {
        let kept = pending.withLock { pending in
            guard pending.bytes + capture.bytes <= byteLimit else { return false }
            pending.captures.append(capture)
            pending.bytes += capture.bytes
            return true
        }
        if !kept { dropped.add(1, ordering: .relaxed) }
    }

    /// An API's captures between two times (milliseconds) after `after`, oldest first, at most `limit`: the
    /// stored ones and those not written yet, taken under the flush's lock so that none is missed or seen twice.
    public func captures(apiID: String, from: Int64, to: Int64, after: CaptureCursor?, limit: Int) async throws -> [Capture] {
        try await flushing.withLock {
            let waiting = (self.unwritten.withLock { $0 } + self.pending.withLock { $0.captures })
                .filter { $0.apiID == apiID && $0.time >= from && $0.time <= to && after?.precedes($0) != false }
            let stored = try await self.store.captures(apiID: apiID, from: from, to: to, after: after, limit: limit)
            let all = (stored + waiting).sorted { ($0.time, $0.id) < ($1.time, $1.id) }
            return Array(all.prefix(limit))
        }
    }

    /// Writes the batch a failure left, then what is pending; on failure the batch is kept for the next try.
    public func flush() async {
        try? await flushing.withLock {
            let batch = self.unwritten.withLock { unwritten in
                unwritten += self.pending.withLock { pending in
                    defer { pending = ([], 0) }
                    return pending.captures
                }
                return unwritten
            }
            do {
                try await self.store.addCaptures(batch)
                self.unwritten.withLock { $0 = [] }
            } catch {
                self.logger.warning("captures not written; will retry", metadata: ["error": "\(error)", "count": "\(batch.count)"])
            }
        }
    }

    /// Deletes every API's captures older than its retention.
    func sweep() async {
        let now = store.clock.nowMilliseconds()
        for (apiID, days) in retention() {
            do {
                try await store.deleteCaptures(apiID: apiID, before: now - Int64(days) * 86_400_000)
            } catch {
                logger.warning("old captures not deleted; will retry", metadata: ["api.id": "\(apiID)", "error": "\(error)"])
            }
        }
    }

    public func run() async throws {
        var lastSweep = ContinuousClock.now - .seconds(60)
        await everyInterval(interval) {
            await flush()
            if ContinuousClock.now - lastSweep >= .seconds(60) {
                lastSweep = .now
                await sweep()
            }
        }
    }
}
