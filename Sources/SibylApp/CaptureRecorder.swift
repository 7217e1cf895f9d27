import Logging
import ServiceLifecycle
import SibylCore
import SibylStore
import Synchronization

/// Keeps the sampled requests of APIs that capture, with their answers, and writes them in batches (every
/// flush interval and at a graceful stop), so that capturing costs a request no database round trip and a
/// node never waits for another: each writes its own rows. A crash loses at most one interval.
///
/// A capture is appended to its API's open batch (`CaptureBatch`) as it is kept: the bodies are copied once,
/// and a flush writes a row per batch. What waits is bounded (`ServerConfiguration.captureQueueBytes`, each
/// capture counted as `Capture.bytes` counts it): beyond, a capture is dropped and counted (`dropped`). Every
/// minute, captures older than their API's retention are deleted.
public final class CaptureRecorder: Service {
    /// Batches waiting for the next flush: each API's open one and those full already.
    private struct Pending {
        var open: [String: CaptureBatch] = [:]
        var full: [CaptureBatch] = []
        var bytes = 0

        var batches: [CaptureBatch] { full + open.values.sorted { $0.id < $1.id } }
    }

    private let pending = Mutex(Pending())
    /// The batches being written, or whose write failed: written again as they were (a batch written twice is
    /// kept once) before newer ones, which meanwhile wait in the queue, under its limit.
    private let unwritten = Mutex<[CaptureBatch]>([])
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

    /// Keeps a request and its answer in its API's batch, unless the queue is full (then it is dropped and
    /// counted). `request` is copied before this returns.
    public func keep(
        apiID: String, endpoint: Capture.Endpoint, time: Int64, version: Int, keyID: String, status: Int, mediaType: String,
        request: UnsafeRawBufferPointer, answer: [UInt8]
    ) {
        let size = Capture.bytes(request: request.count, answer: answer.count)
        let id = Identifier.sequential(Identifier.capture)
        let kept = pending.withLock { pending in
            guard pending.bytes + size <= byteLimit else { return false }
            pending.bytes += size
            var batch = pending.open.removeValue(forKey: apiID) ?? CaptureBatch(apiID: apiID)
            if !batch.admits(time: time, size: size) {
                pending.full.append(batch)
                batch = CaptureBatch(apiID: apiID)
            }
            batch.append(
                id: id, endpoint: endpoint, time: time, version: version, keyID: keyID, status: status, mediaType: mediaType,
                request: request, answer: answer)
            pending.open[apiID] = batch
            return true
        }
        if !kept { dropped.add(1, ordering: .relaxed) }
    }

    /// An API's captures between two times (milliseconds) after `after`, oldest first, at most `limit`: the
    /// stored ones and those not written yet, taken under the flush's lock so that none is missed or seen twice.
    public func captures(apiID: String, from: Int64, to: Int64, after: CaptureCursor?, limit: Int) async throws -> [Capture] {
        try await flushing.withLock {
            let waiting = try (self.unwritten.withLock { $0 } + self.pending.withLock { $0.batches })
                .filter { $0.apiID == apiID }.flatMap { try $0.captures() }
                .filter { $0.time >= from && $0.time <= to && after?.precedes($0) != false }
            let stored = try await self.store.captures(apiID: apiID, from: from, to: to, after: after, limit: limit)
            let all = (stored + waiting).sorted { ($0.time, $0.id) < ($1.time, $1.id) }
            return Array(all.prefix(limit))
        }
    }

    /// Writes what a failed write left, then what is pending; on failure it is kept for the next try.
    public func flush() async {
        try? await flushing.withLock {
            while true {
                var batches = self.unwritten.withLock { $0 }
                let left = !batches.isEmpty
                if !left {
                    batches = self.pending.withLock { pending in
                        defer { pending = Pending() }
                        return pending.batches
                    }
                    self.unwritten.withLock { $0 = batches }
                }
                guard !batches.isEmpty else { return }
                do {
                    try await self.store.addCaptures(batches)
                    self.unwritten.withLock { $0 = [] }
                } catch {
                    self.logger.warning("captures not written; will retry", metadata: ["error": "\(error)", "batches": "\(batches.count)"])
                    return
                }
                guard left else { return }
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
