import Logging
import ServiceLifecycle
import SibylCore
import SibylStore
import Synchronization

/// Counts every data-plane answer in memory and writes the counts in batches, so that counting costs a
/// request no database round trip. A graceful stop writes what is left; a crash loses at most one interval.
final class UsageCounter: Service {
    private let pending = Mutex<[UsageKey: Int]>([:])
    private let store: Store
    private let interval: Duration
    private let logger: Logger

    init(store: Store, interval: Duration, logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    func record(apiID: String, status: Int) {
        let key = UsageKey(apiID: apiID, day: UTCDay.string(fromEpochSeconds: WallClock.now()), status: status)
        pending.withLock { $0[key, default: 0] += 1 }
    }

    /// Counts of `apiID` not written yet, so that a reader sees every answered request at once.
    func unwritten(apiID: String) -> [UsageKey: Int] {
        pending.withLock { $0.filter { $0.key.apiID == apiID } }
    }

    /// Forgets the unwritten counts of a deleted API.
    func discard(apiID: String) {
        pending.withLock { $0 = $0.filter { $0.key.apiID != apiID } }
    }

    /// Writes the pending counts; on failure they are kept for the next try.
    func flush() async {
        let batch = pending.withLock { counts in
            defer { counts = [:] }
            return counts
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.addUsage(batch)
        } catch {
            logger.warning("usage counts not written; will retry", metadata: ["error": "\(error)"])
            pending.withLock { counts in counts.merge(batch, uniquingKeysWith: +) }
        }
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            await flush()
        }
    }
}
