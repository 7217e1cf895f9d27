import Logging
import SibylCore
import SibylRuntime
import SibylStore

/// The node's shared parts: the store, the compiled models, the routing table and the usage counts.
///
/// Every management change goes to the store first and then refreshes the routing table, so that the data
/// plane never serves a state the store does not hold.
final class Platform: Sendable {
    let configuration: ServerConfiguration
    let store: Store
    let models: ModelCache
    let routes = RoutingTable()
    let usage: UsageCounter
    let logger: Logger

    init(configuration: ServerConfiguration, store: Store, models: ModelCache, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.models = models
        self.logger = logger
        usage = UsageCounter(
            store: store, interval: .milliseconds(configuration.usageFlushIntervalMilliseconds), logger: logger)
    }

    /// Reloads one API from the store into the routing table (or drops it when it is gone).
    func refreshRoute(projectID: Int, apiID: String) async throws(SibylError) {
        guard let record = try await store.apiRecord(projectID: projectID, id: apiID) else {
            routes.remove(apiID)
            return
        }
        routes.set(record, model: try await compiledModel(for: record.api))
    }

    /// Loads every API at start; returns the ones whose build did not finish before the last stop.
    func loadRoutes() async throws(SibylError) -> [PredictionAPI] {
        var unfinished: [PredictionAPI] = []
        for record in try await store.allAPIRecords() {
            // A delete that a stop interrupted between its two steps is finished now.
            if record.api.status == .deleting {
                try await store.deleteAPI(id: record.api.id)
                continue
            }
            var model: CompiledModel?
            do {
                model = try await compiledModel(for: record.api)
            } catch {
                logger.error("model of API not loaded", metadata: ["api.id": "\(record.api.id)", "error": "\(error)"])
            }
            routes.set(record, model: model)
            if record.api.status == .building || record.api.status == .updating { unfinished.append(record.api) }
        }
        return unfinished
    }

    private func compiledModel(for api: PredictionAPI) async throws(SibylError) -> CompiledModel? {
        guard let model = try await store.model(projectID: api.projectID, id: api.modelID) else { return nil }
        return try await models.model(model)
    }
}
