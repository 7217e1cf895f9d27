import Logging
import NIOPosix
import ServiceLifecycle
import SibylCore
import SibylRuntime
import SibylStore
import Synchronization

/// Runs shadow versions: each answered prediction of an API with a shadow is offered here, with its input
/// and answer, after the answer is made; one thread of its own runs the shadow's model on it, off every
/// answer's path, and tallies the comparison per API, version and day, written in batches like usage.
///
/// What waits is bounded (`ServerConfiguration.shadowQueueRequests` and `shadowQueueCells`): beyond, a
/// request is not compared but counted as skipped, so a slow or failing shadow never holds memory or
/// answers back. Its thread runs under `SCHED_IDLE` and uses at most `shadowCPUShare` of one core (it rests
/// in proportion to its work), so that it takes neither the answers' cores nor, on a core's shared parts,
/// much of their speed.
public final class ShadowRunner: Service {
    /// A request waiting for its shadow: the input as the answering version read it, and its answer.
    struct Job: Sendable {
        let key: ShadowKey
        let shadow: ServedVersion
        let answering: CompiledModel
        let input: FeatureMatrix
        let predictions: Predictions
    }

    private let queue = Mutex<(jobs: [Job], cells: Int)>(([], 0))
    private let pending = Mutex<[ShadowKey: ShadowDay]>([:])
    private let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let pool = NIOThreadPool(numberOfThreads: 1)
    private let flushing = AsyncLock()
    private let store: Store
    private let interval: Duration
    private let logger: Logger
    private let limits: (requests: Int, cells: Int)
    private let cpuShare: Double

    public init(store: Store, interval: Duration, logger: Logger, requestLimit: Int, cellLimit: Int, cpuShare: Double) {
        (wakeUps, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.store = store
        self.interval = interval
        self.logger = logger
        limits = (requestLimit, cellLimit)
        self.cpuShare = min(1, max(0.01, cpuShare))
    }

    /// Hands an answered request to the shadow, unless the shadow is the version that answered it. Never
    /// waits: a full queue counts the request as skipped.
    public func offer(apiID: String, shadow: ServedVersion?, answering: ServedVersion, input: FeatureMatrix, predictions: Predictions) {
        guard let shadow, shadow.number != answering.number else { return }
        let key = ShadowKey(apiID: apiID, version: shadow.number, day: UTCDay.string(fromEpochSeconds: store.clock.now()))
        let cells = input.rows * input.columns
        let queued = queue.withLock { queue in
            guard queue.jobs.count < limits.requests, queue.cells + cells <= limits.cells else { return false }
            queue.jobs.append(Job(key: key, shadow: shadow, answering: answering.model, input: input, predictions: predictions))
            queue.cells += cells
            return true
        }
        if queued { wake.yield() } else { tally(key) { $0.skipped += 1 } }
    }

    /// Compares what is queued on the shadow's own thread, all of it in one hop (under load, many one-row
    /// requests wait at once), until the queue is empty.
    private func drain() async {
        while true {
            let jobs = queue.withLock { queue in
                defer { queue = ([], 0) }
                return queue.jobs
            }
            guard !jobs.isEmpty else { return }
            let started = ContinuousClock.now
            let days = (try? await pool.runIfActive { jobs.map(Self.compare) }) ?? jobs.map { job in
                var failed = ShadowDay(date: job.key.day)
                failed.failed = 1
                return failed
            }
            // At most `cpuShare` of one core, whatever the machine: the thread rests in proportion to its work.
            let busy = ContinuousClock.now - started
            if busy > .milliseconds(1) { try? await Task.sleep(for: busy * ((1 - cpuShare) / cpuShare)) }
            pending.withLock { pending in
                for (job, day) in zip(jobs, days) { pending[job.key, default: ShadowDay(date: job.key.day)].add(day) }
            }
        }
    }

    /// One request's comparison (see `Comparison.add`); failed when the shadow cannot read the request as
    /// the answering version did, or needs a value the request lacks.
    static func compare(_ job: Job) -> ShadowDay {
        var day = ShadowDay(date: job.key.day)
        let shadow = job.shadow.model
        guard job.answering.schema.comparable(with: shadow.schema), shadow.canAnswer(job.input) else {
            day.failed = 1
            return day
        }
        day.comparison.add(ours: job.predictions, theirs: shadow.predict(job.input))
        return day
    }

    private func tally(_ key: ShadowKey, _ change: (inout ShadowDay) -> Void) {
        pending.withLock { change(&$0[key, default: ShadowDay(date: key.day)]) }
    }

    /// An API's comparisons between two dates, by version and day: the stored ones and those not written yet.
    public func days(apiID: String, from: String, to: String) async throws -> [ShadowKey: ShadowDay] {
        try await flushing.withLock {
            var days: [ShadowKey: ShadowDay] = [:]
            for (version, day) in try await self.store.shadowDays(apiID: apiID, from: from, to: to) {
                days[ShadowKey(apiID: apiID, version: version, day: day.date)] = day
            }
            for (key, day) in self.pending.withLock({ $0 }) where key.apiID == apiID && key.day >= from && key.day <= to {
                days[key, default: ShadowDay(date: key.day)].add(day)
            }
            return days
        }
    }

    /// Writes the tallies made since the last flush; on failure they are kept, added to, for the next one.
    public func flush() async {
        try? await flushing.withLock {
            let tallies = self.pending.withLock { pending in
                defer { pending = [:] }
                return pending
            }
            do {
                try await self.store.addShadowDays(tallies)
            } catch {
                self.pending.withLock { pending in
                    for (key, day) in tallies { pending[key, default: ShadowDay(date: key.day)].add(day) }
                }
                self.logger.warning("shadow comparisons not written; will retry", metadata: ["error": "\(error)"])
            }
        }
    }

    public func run() async throws {
        pool.start()
        try? await pool.runIfActive { ThreadPriority.lowerThisThread() }
        async let flushes: Void = everyInterval(interval) { await self.flush() }
        for await _ in wakeUps.cancelOnGracefulShutdown() {
            await drain()
        }
        await flushes
        try await pool.shutdownGracefully()
    }
}
