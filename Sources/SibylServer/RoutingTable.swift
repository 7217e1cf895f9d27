import SibylCore
import SibylRuntime
import SibylStore
import Synchronization

/// What the data plane knows of one API: enough to answer a prediction with no database round trip.
struct Route: Sendable {
    var api: PredictionAPI
    /// Key id → SHA-256 of the secret, hex.
    var keys: [String: String]
    var whitelist: IPWhitelist
    var model: CompiledModel?
}

/// The node's in-memory copy of every API, refreshed from the store after each change made on this node.
final class RoutingTable: Sendable {
    private let routes = Mutex<[String: Route]>([:])

    func route(_ apiID: String) -> Route? {
        routes.withLock { $0[apiID] }
    }

    func set(_ record: APIRecord, model: CompiledModel?) {
        let route = Route(
            api: record.api, keys: Dictionary(uniqueKeysWithValues: record.keys.map { ($0.id, $0.secretHash) }),
            whitelist: record.whitelist, model: model)
        routes.withLock { $0[record.api.id] = route }
    }

    /// Marks a building or updating API as operating with its compiled model, ahead of the store.
    func serve(_ apiID: String, model: CompiledModel) {
        routes.withLock { routes in
            guard var route = routes[apiID], route.api.status == .building || route.api.status == .updating else { return }
            route.api.status = .operating
            route.model = model
            routes[apiID] = route
        }
    }

    func remove(_ apiID: String) {
        routes.withLock { _ = $0.removeValue(forKey: apiID) }
    }
}
