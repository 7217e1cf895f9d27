import Logging
import ServiceLifecycle
import SibylCore
import SibylStore
import Synchronization

/// Counts every data-plane answer in memory and writes the counts in batches, so that counting costs a
/// request no database round trip. A graceful stop writes what is left; a crash loses at most one interval.
/// Each batch has an id, and a batch whose write failed is sent again as it was, under the same id, so
/// that the store adds it exactly once even when the failure hid a commit. The last use of each key rides
/// along: noted in memory per request, written after each batch (a later time never moved back).
public final class UsageCounter: Service {
    private struct Batch {
        let id: String
        let counts: [UsageKey: Int]
    }

    private let pending = Mutex<[UsageKey: Int]>([:])
    /// When each key last opened a call, by key id, since the last flush: written with the next batch.
    private let keyUses = Mutex<[String: Int64]>([:])
    /// The batch being written, or whose write failed: written again before any newer counts.
    private let unwritten = Mutex<Batch?>(nil)
    private let flushing = AsyncLock()
    private let store: Store
    private let interval: Duration
    private let logger: Logger

    public init(store: Store, interval: Duration, logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func record(apiID: String, status: Int) {
        let key = UsageKey(apiID: apiID, day: UTCDay.string(fromEpochSeconds: store.clock.now()), status: status)
        pending.withLock { $0[key, default: 0] += 1 }
    }

    /// Notes a key's use in memory; the time is written with the next usage batch, not per request.
    public func noteKeyUse(_ keyID: String) {
        let now = store.clock.now()
        keyUses.withLock { $0[keyID] = now }
    }

    /// Daily counts of `apiID` between two dates: the stored ones plus those not written yet. Taken under the
    /// same lock as a flush, so that no batch is counted twice or missed while it is being written.
    public func days(apiID: String, from: String, to: String) async throws -> [String: UsageDay] {
        try await flushing.withLock {
            var days = Dictionary(
                uniqueKeysWithValues: try await self.store.usage(apiID: apiID, from: from, to: to).map { ($0.date, $0) })
            let counts = self.pending.withLock { $0 }.merging(self.unwritten.withLock { $0?.counts ?? [:] }, uniquingKeysWith: +)
            for (key, count) in counts where key.apiID == apiID && key.day >= from && key.day <= to {
                days[key.day, default: UsageDay(date: key.day)].byStatus[key.status, default: 0] += count
            }
            return days
        }
    }

    /// Forgets the unwritten counts of a deleted API (a batch already cut keeps them: its id is fixed).
    public func discard(apiID: String) {
        pending.withLock { $0 = $0.filter { $0.key.apiID != apiID } }
    }

    /// Writes the batch a failure left, then the pending counts as a new batch; on failure the batch is kept,
    /// whole and with its id, for the next try.
    public func flush() async {
        try? await flushing.withLock {
            while let batch = self.nextBatch() {
                do {
                    try await self.store.addUsage(batchID: batch.id, batch.counts)
                    self.unwritten.withLock { $0 = nil }
                } catch {
                    self.logger.warning("usage counts not written; will retry", metadata: ["error": "\(error)"])
                    return
                }
            }
            let uses = self.keyUses.withLock { uses in
                defer { uses = [:] }
                return uses
            }
            do {
                try await self.store.noteKeyUses(uses)
            } catch {
                // Kept for the next flush, unless a newer use of the same key came in meanwhile.
                self.keyUses.withLock { $0.merge(uses) { newer, _ in newer } }
                self.logger.warning("key last-use times not written; will retry", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The batch to write next: the one left unwritten, else the pending counts cut into a new batch.
    private func nextBatch() -> Batch? {
        unwritten.withLock { unwritten in
            if let batch = unwritten { return batch }
            let counts = pending.withLock { counts in
                defer { counts = [:] }
                return counts
            }
            guard !counts.isEmpty else { return nil }
            unwritten = Batch(id: Identifier.make(Identifier.usageBatch), counts: counts)
            return unwritten
        }
    }

    public func run() async throws {
        await everyInterval(interval) { await flush() }
    }
}
