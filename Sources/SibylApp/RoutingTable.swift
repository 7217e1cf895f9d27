import SibylCore
import SibylRuntime
import SibylStore
import Synchronization

/// What the data plane knows of one API: enough to answer a prediction with no database round trip.
public struct Route: Sendable {
    public var api: PredictionAPI
    /// Key id → SHA-256 of the secret, hex.
    public var keys: [String: String]
    public var whitelist: IPWhitelist
    public var model: CompiledModel?
}

/// The node's in-memory copy of every API, refreshed from the store after each change (made on this node or
/// told by another).
public final class RoutingTable: Sendable {
    private let routes = Mutex<[String: Route]>([:])

    public func route(_ apiID: String) -> Route? {
        routes.withLock { $0[apiID] }
    }

    public func set(_ record: APIRecord, model: CompiledModel?) {
        let route = Self.route(record, model)
        routes.withLock { $0[record.api.id] = Self.merged(route, over: $0[record.api.id]) }
    }

    /// Replaces the whole table: APIs absent from `records` are gone.
    public func replaceAll(_ records: [(APIRecord, CompiledModel?)]) {
        routes.withLock { routes in
            var fresh: [String: Route] = [:]
            for (record, model) in records {
                fresh[record.api.id] = Self.merged(Self.route(record, model), over: routes[record.api.id])
            }
            routes = fresh
        }
    }

    /// A reload that read the store just before a build settled brings back `building` (or `updating`) for
    /// an API the builder already serves; the route stays served, so that whoever read `operating` in the
    /// store can call at once.
    private static func merged(_ new: Route, over old: Route?) -> Route {
        guard let old, old.api.status == .operating, let model = old.model, old.api.modelID == new.api.modelID,
            new.api.status == .building || new.api.status == .updating
        else { return new }
        var route = new
        route.api.status = .operating
        route.model = model
        return route
    }

    private static func route(_ record: APIRecord, _ model: CompiledModel?) -> Route {
        Route(
            api: record.api, keys: Dictionary(uniqueKeysWithValues: record.keys.map { ($0.id, $0.secretHash) }),
            whitelist: record.whitelist, model: model)
    }

    /// Marks a building or updating API as operating with its compiled model, ahead of the store.
    public func serve(_ apiID: String, model: CompiledModel) {
        routes.withLock { routes in
            guard var route = routes[apiID], route.api.status == .building || route.api.status == .updating else { return }
            route.api.status = .operating
            route.model = model
            routes[apiID] = route
        }
    }

    public func remove(_ apiID: String) {
        routes.withLock { _ = $0.removeValue(forKey: apiID) }
    }
}
