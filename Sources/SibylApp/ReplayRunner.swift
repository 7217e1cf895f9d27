import Logging
import NIOPosix
import ServiceLifecycle
import SibylCore
import SibylRuntime
import SibylStore
import Synchronization

/// Runs replays: an API's captured requests of a period answered again by another version and compared, a
/// page of captures at a time, on one thread of its own (off every answer's path), writing progress after
/// each page. A replay that is deleted stops at its next page; a graceful stop marks it interrupted.
public final class ReplayRunner: Service {
    private let store: Store
    private let models: ModelCache
    private let captures: CaptureRecorder
    private let limits: InputLimits
    private let logger: Logger
    private let pool = NIOThreadPool(numberOfThreads: 1)
    private let tasks = Mutex<[String: Task<Void, Never>]>([:])

    /// Most captures read at once, and most bytes of their request bodies (at least one capture is read).
    static let pageCaptures = 500
    static let pageBytes = 16 << 20

    public init(store: Store, models: ModelCache, captures: CaptureRecorder, limits: InputLimits, logger: Logger) {
        self.store = store
        self.models = models
        self.captures = captures
        self.limits = limits
        self.logger = logger
    }

    /// Starts replaying `record`'s answered captures from `from` to `to` (milliseconds) against `version`: its
    /// captures written first, so the period holds every one this node made. One replay of an API at a time.
    public func start(_ record: APIRecord, version: Int, from: Int64, to: Int64, tolerance: Double) async throws(SibylError) -> Replay {
        let now = store.clock.nowMilliseconds()
        if let running = try await store.replays(apiID: record.api.id, limit: 20).first(where: { $0.state(at: now) == .running }) {
            throw SibylError(.conflict, "replay \(running.id) of this API is running; wait for it or delete it")
        }
        let replayed = try await model(record, version)
        await captures.flush()
        let total = try await store.answeredCaptureCount(apiID: record.api.id, from: from, to: to)
        let replay = Replay(
            id: Identifier.make(Identifier.replay), apiID: record.api.id, version: version, from: from, to: to, tolerance: tolerance,
            classifier: replayed.schema.task != .regression, total: total, now: now)
        try await store.addReplay(replay)
        let task = Task { await self.run(replay, record, replayed) }
        tasks.withLock { $0[replay.id] = task }
        return replay
    }

    /// Stops a replay running on this node (its record is deleted by the caller; another node's stops at
    /// its next page).
    public func cancel(_ id: String) {
        tasks.withLock { $0.removeValue(forKey: id) }?.cancel()
    }

    private func run(_ start: Replay, _ record: APIRecord, _ replayed: CompiledModel) async {
        var replay = start
        defer { tasks.withLock { _ = $0.removeValue(forKey: start.id) } }
        do {
            var answering: [Int: CompiledModel?] = [:]
            var cursor: CaptureCursor?
            while true {
                if Task.isCancelled {
                    replay.state = .interrupted
                    break
                }
                let page = try await store.capturePage(
                    apiID: replay.apiID, from: replay.from, to: replay.to, after: cursor, limit: Self.pageCaptures, byteLimit: Self.pageBytes)
                guard let last = page.last else {
                    replay.state = .done
                    break
                }
                cursor = CaptureCursor(last)
                let answered = page.filter { $0.status == 200 }
                for version in Set(answered.map(\.version)) where answering[version] == nil {
                    answering[version] = try? await model(record, version)
                }
                let models = answering
                let limits = limits
                replay = try await pool.runIfActive { [replay] in
                    var replay = replay
                    for capture in answered { Self.replay(capture, by: replayed, against: models[capture.version] ?? nil, limits: limits, into: &replay) }
                    return replay
                }
                replay.updatedAt = store.clock.nowMilliseconds()
                guard try await store.saveReplay(replay) else { return }
            }
        } catch where Task.isCancelled {
            // A stop cancelled it mid-page (the database call answers the cancellation with an error).
            replay.state = .interrupted
        } catch {
            replay.state = .failed
            replay.error = (error as? SibylError)?.message ?? "the replay stopped: \(error)"
            logger.warning("replay failed", metadata: ["replay.id": "\(replay.id)", "error": "\(error)"])
        }
        replay.updatedAt = store.clock.nowMilliseconds()
        _ = try? await store.saveReplay(replay)
    }

    /// One capture: read as the version that answered it read it, answered by both, compared; failed when
    /// either version cannot (the answering one is gone, the two read other features, a needed value is missing).
    static func replay(_ capture: Capture, by replayed: CompiledModel, against answering: CompiledModel?, limits: InputLimits, into replay: inout Replay) {
        replay.processed += 1
        guard let answering, answering.schema.comparable(with: replayed.schema),
            let input = try? capture.input(for: answering, limits: limits),
            answering.canAnswer(input), replayed.canAnswer(input)
        else {
            replay.comparison.failed += 1
            return
        }
        let ours = answering.predict(input)
        let theirs = replayed.predict(input)
        let differing = replay.comparison.add(ours: ours, theirs: theirs, tolerance: replay.tolerance)
        guard !differing.isEmpty else { return }
        let text: (Predictions, Int) -> String = { predictions, row in
            predictions.task == .regression ? "\(predictions.values[row])" : predictions.label(ofRow: row)
        }
        replay.note(captureID: capture.id, differing: differing, answered: { text(ours, $0) }, replayed: { text(theirs, $0) })
    }

    /// A version's model, compiled.
    private func model(_ record: APIRecord, _ number: Int) async throws(SibylError) -> CompiledModel {
        guard let version = record.version(number) else { throw SibylError(.invalidInput, "version: no such version of this API") }
        guard let model = try await store.model(projectID: record.api.projectID, id: version.modelID) else {
            throw SibylError(.invalidInput, "version: its model is gone")
        }
        return try await models.model(model)
    }

    public func run() async throws {
        pool.start()
        try? await pool.runIfActive { ThreadPriority.lowerThisThread() }
        try? await gracefulShutdown()
        let running = tasks.withLock { $0.values }
        for task in running { task.cancel() }
        for task in running { await task.value }
        try await pool.shutdownGracefully()
    }
}
