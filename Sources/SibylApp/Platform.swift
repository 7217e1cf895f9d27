import Logging
import SibylCore
import Synchronization
import SibylRuntime
import SibylStore

/// The node's shared parts: the store, the compiled models, the routing table and the usage counts.
///
/// Every management change goes to the store first and then refreshes the routing table, so that the data
/// plane never serves a state the store does not hold. Nodes sharing a database tell each other of changes
/// (`Change`); each reloads what changed from the store.
public final class Platform: Sendable {
    public let configuration: ServerConfiguration
    public let store: Store
    public let models: ModelCache
    public let routes = RoutingTable()
    public let deployments = DeploymentDirectory()
    public let usage: UsageCounter
    public let shadows: ShadowRunner
    public let captures: CaptureRecorder
    public let replays: ReplayRunner
    public let drift = DriftGauges()
    public let logger: Logger
    /// The port the deployments' own listener is bound to (`inferencePort` 0 asks for any free one).
    public let inferencePort = Atomic<Int>(0)
    /// Route reloads, one at a time: a full reload that read the store before a change must not write its
    /// older view over the newer one a targeted reload just wrote.
    private let reloading = AsyncLock()

    public init(configuration: ServerConfiguration, store: Store, models: ModelCache, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.models = models
        self.logger = logger
        usage = UsageCounter(
            store: store, interval: .milliseconds(configuration.usageFlushIntervalMilliseconds), logger: logger)
        shadows = ShadowRunner(
            store: store, interval: .milliseconds(configuration.usageFlushIntervalMilliseconds), logger: logger,
            requestLimit: configuration.shadowQueueRequests, cellLimit: configuration.shadowQueueCells,
            cpuShare: configuration.shadowCPUShare)
        let routes = routes
        captures = CaptureRecorder(
            store: store, interval: .milliseconds(configuration.usageFlushIntervalMilliseconds),
            byteLimit: configuration.captureQueueBytes, logger: logger,
            retention: { routes.all().map { ($0.api.id, $0.api.capture.retentionDays) } })
        replays = ReplayRunner(store: store, models: models, captures: captures, limits: configuration.inputLimits, logger: logger)
    }

    /// Whether the database answers (a node that cannot reach it should leave the balancer): throws
    /// `storageUnavailable` when it does not.
    public func checkDatabase() async throws(SibylError) {
        _ = try await store.userCount()
    }

    /// What "now" is on this node: the store's clock (the configuration's).
    public var clock: WallClock { store.clock }

    /// The license as stored.
    public func license() async throws(SibylError) -> License {
        try await store.license()
    }

    /// Whether a trial API has a request left, without using it.
    public func hasTrialRequestLeft(apiID: String) async throws(SibylError) -> Bool {
        try await store.hasTrialRequestLeft(apiID: apiID)
    }

    /// Uses one request of a trial API; false when none is left. One conditional update: requests racing for
    /// the last one get one each, at most the limit.
    public func useTrialRequest(apiID: String) async throws(SibylError) -> Bool {
        try await store.consumeTrialRequest(apiID: apiID)
    }

    /// An API changed on this node: reloaded here, then told to the other nodes.
    public func apiChanged(projectID: Int, apiID: String) async throws(SibylError) {
        try await refreshRoute(projectID: projectID, apiID: apiID)
        await store.publish(Change.api(projectID: projectID, apiID: apiID).text)
    }

    /// A deployment or an inference key changed on this node: reloaded here, then told to the other nodes.
    public func deploymentsChanged() async throws(SibylError) {
        try await deployments.reload(from: store)
        await store.publish(Change.deployments.text)
    }

    /// Reloads one API from the store into the routing table (or drops it, with its unwritten counts, when
    /// it is gone).
    public func refreshRoute(projectID: Int, apiID: String) async throws(SibylError) {
        try await reloadingRoutes {
            guard let record = try await self.store.apiRecord(projectID: projectID, id: apiID) else {
                self.routes.remove(apiID)
                self.usage.discard(apiID: apiID)
                self.drift.remove(apiID: apiID)
                return
            }
            self.routes.set(record, models: try await self.compiledModels(record))
        }
    }

    /// Reloads every API and deployment: the safety net behind change notifications, run periodically and
    /// whenever a node (re)connects to the change channel. Returns the deployments.
    @discardableResult
    public func refreshAll() async throws(SibylError) -> [Deployment] {
        try await reloadingRoutes {
            let records = try await self.store.allAPIRecords()
            // One query for every model, not one per API: this runs every few seconds on every node.
            let stored = Dictionary(try await self.store.allModels().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var fresh: [(APIRecord, [Int: CompiledModel])] = []
            for record in records {
                var models: [Int: CompiledModel] = [:]
                for (number, model) in try await Self.servedModels(record, { stored[$0] }) {
                    models[number] = try? await self.models.model(model)
                }
                fresh.append((record, models))
            }
            self.routes.replaceAll(fresh)
        }
        return try await deployments.reload(from: store)
    }

    /// Runs a route reload alone (see `reloading`), with the lock's errors as Sibyl's.
    private func reloadingRoutes(_ body: @escaping @Sendable () async throws -> Void) async throws(SibylError) {
        do {
            try await reloading.withLock(body)
        } catch let error as SibylError {
            throw error
        } catch {
            throw SibylError(.internalError, "\(error)")
        }
    }

    /// Loads every API at start; returns the ones whose build did not finish before the last stop.
    public func loadRoutes() async throws(SibylError) -> [PredictionAPI] {
        var unfinished: [PredictionAPI] = []
        for record in try await store.allAPIRecords() {
            // A delete that a stop interrupted between its two steps is finished now.
            if record.api.status == .deleting {
                try await store.deleteAPI(id: record.api.id)
                continue
            }
            var models: [Int: CompiledModel] = [:]
            do {
                models = try await compiledModels(record)
            } catch {
                logger.error("model of API not loaded", metadata: ["api.id": "\(record.api.id)", "error": "\(error)"])
            }
            routes.set(record, models: models)
            if record.api.status == .building || record.api.status == .updating { unfinished.append(record.api) }
        }
        return unfinished
    }

    /// The compiled models of the versions that answer the API's predictions, by version number.
    func compiledModels(_ record: APIRecord) async throws(SibylError) -> [Int: CompiledModel] {
        var compiled: [Int: CompiledModel] = [:]
        let models = try await Self.servedModels(record) { id throws(SibylError) in try await self.store.model(projectID: record.api.projectID, id: id) }
        for (number, model) in models {
            compiled[number] = try await self.models.model(model)
        }
        return compiled
    }

    /// The models of the versions an API serves (answering and shadow), found by id with `find`; a version
    /// whose model is gone, or belongs to another project, has none (its route answers 503).
    private static func servedModels(_ record: APIRecord, _ find: (String) async throws(SibylError) -> Model?) async throws(SibylError)
        -> [(Int, Model)]
    {
        var found: [(Int, Model)] = []
        for number in record.api.servedVersions {
            guard let version = record.version(number), let model = try await find(version.modelID), model.projectID == record.api.projectID
            else { continue }
            found.append((number, model))
        }
        return found
    }

    /// The address clients reached this node at (`authority`, the request's host), for the URLs answers give
    /// (an API's predict URL, a deployment's address).
    public func baseURL(authority: String?) -> String {
        let host = authority ?? "\(configuration.host):\(configuration.port)"
        return "http://" + host
    }

    /// Where clients reach a deployment: `--inference-url` with `{project}` and `{name}` filled in (one host
    /// name per deployment) or followed by the deployment's path; else the inference listener on the host
    /// the request came to; else this listener. Every path below the address goes to a replica.
    public func deploymentAddress(_ deployment: Deployment, authority: String?) -> String {
        let path = "/inference/\(deployment.projectID)/\(deployment.name)"
        if let url = configuration.inferenceURL {
            guard url.contains("{name}") else { return url + path }
            return url.replacing("{project}", with: "\(deployment.projectID)").replacing("{name}", with: deployment.name)
        }
        guard configuration.inferencePort != nil else { return baseURL(authority: authority) + path }
        let port = inferencePort.load(ordering: .relaxed)
        let authority = authority ?? configuration.host
        // The host without its port; an IPv6 literal keeps its brackets.
        let host = authority.hasPrefix("[") ? String(authority.prefix { $0 != "]" }) + "]"
            : String(authority.prefix { $0 != ":" })
        return "http://\(host):\(port)" + path
    }

    /// Daily counts of an API's or a deployment's answers by status, every day of the range (the last 30
    /// days by default), zeros included.
    public func usageReport(key: String, from: String?, to: String?) async throws -> APIOperations.UsageReport {
        let (from, to, start, end) = try dayRange(from: from, to: to)
        let stored = try await usage.days(apiID: key, from: from, to: to)
        let days = stride(from: start, through: end, by: 86_400).map { seconds in
            let date = UTCDay.string(fromEpochSeconds: seconds)
            return stored[date] ?? UsageDay(date: date)
        }
        return APIOperations.UsageReport(apiID: key, from: from, to: to, days: days)
    }

    /// A range of UTC days as a report asks for it (`YYYY-MM-DD`, both ends included; by default the last 30
    /// days), at most 367 days, with its first and last days' epoch seconds.
    public func dayRange(from: String?, to: String?) throws(SibylError) -> (from: String, to: String, start: Int64, end: Int64) {
        let today = clock.now()
        let to = to ?? UTCDay.string(fromEpochSeconds: today)
        let from = from ?? UTCDay.string(fromEpochSeconds: today - 29 * 86_400)
        guard let start = UTCDay.epochSeconds(of: from) else { throw SibylError(.invalidInput, "from: expected YYYY-MM-DD") }
        guard let end = UTCDay.epochSeconds(of: to) else { throw SibylError(.invalidInput, "to: expected YYYY-MM-DD") }
        guard start <= end, end - start <= 366 * 86_400 else {
            throw SibylError(.invalidInput, "from must not be after to, and the range must be at most 367 days")
        }
        return (from, to, start, end)
    }
}
