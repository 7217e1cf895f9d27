import Hummingbird
import Logging
import ServiceLifecycle
import SibylCore
import SibylStore
import Synchronization

/// Counts every data-plane answer in memory and writes the counts in batches, so that counting costs a
/// request no database round trip. A graceful stop writes what is left; a crash loses at most one interval.
final class UsageCounter: Service {
    private let pending = Mutex<[UsageKey: Int]>([:])
    private let flushing = AsyncLock()
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

    /// Runs a data-plane call and counts its answer under `apiID` by final status: the status of the error
    /// it throws, or 500 for an error that has none.
    func counting(_ apiID: String, _ body: () async throws -> Response) async throws -> Response {
        do {
            let response = try await body()
            record(apiID: apiID, status: Int(response.status.code))
            return response
        } catch let error as any HTTPResponseError {
            record(apiID: apiID, status: Int(error.status.code))
            throw error
        } catch {
            record(apiID: apiID, status: 500)
            throw error
        }
    }

    /// Daily counts of `apiID` between two dates: the stored ones plus those not written yet. Taken under the
    /// same lock as a flush, so that no batch is counted twice or missed while it is being written.
    func days(apiID: String, from: String, to: String) async throws -> [String: UsageDay] {
        try await flushing.withLock {
            var days = Dictionary(
                uniqueKeysWithValues: try await self.store.usage(apiID: apiID, from: from, to: to).map { ($0.date, $0) })
            for (key, count) in self.pending.withLock({ $0 }) where key.apiID == apiID && key.day >= from && key.day <= to {
                days[key.day, default: UsageDay(date: key.day)].byStatus[key.status, default: 0] += count
            }
            return days
        }
    }

    /// Forgets the unwritten counts of a deleted API.
    func discard(apiID: String) {
        pending.withLock { $0 = $0.filter { $0.key.apiID != apiID } }
    }

    /// Writes the pending counts; on failure they are kept for the next try.
    func flush() async {
        try? await flushing.withLock {
            let batch = self.pending.withLock { counts in
                defer { counts = [:] }
                return counts
            }
            guard !batch.isEmpty else { return }
            do {
                try await self.store.addUsage(batch)
            } catch {
                self.logger.warning("usage counts not written; will retry", metadata: ["error": "\(error)"])
                self.pending.withLock { counts in counts.merge(batch, uniquingKeysWith: +) }
            }
        }
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            await flush()
        }
    }
}
