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
    /// The current version, the split's versions and the shadow, by number; one whose model could not be
    /// loaded is absent (an answering one's requests answer 503).
    public var versions: [Int: ServedVersion]

    /// The current version's model: what the API's metadata describe.
    public var model: CompiledModel? { versions[api.version]?.model }

    /// The version that gets a copy of each answered request, when it is loaded.
    public var shadow: ServedVersion? { api.shadow.flatMap { versions[$0] } }

    /// The version that answers a request made with `keyID` (nil when its model is not loaded).
    public func answering(keyID: String?) -> ServedVersion? {
        versions[api.traffic.map { $0.version(bucket: $0.bucket(keyID: keyID)) } ?? api.version]
    }
}

/// A version that answers predictions, with its compiled model.
public struct ServedVersion: Sendable {
    public let number: Int
    public let modelID: String
    public let model: CompiledModel
}

/// The node's in-memory copy of every API, refreshed from the store after each change (made on this node or
/// told by another).
public final class RoutingTable: Sendable {
    private let routes = Mutex<[String: Route]>([:])

    public func route(_ apiID: String) -> Route? {
        routes.withLock { $0[apiID] }
    }

    public func set(_ record: APIRecord, models: [Int: CompiledModel]) {
        let route = Self.route(record, models)
        routes.withLock { $0[record.api.id] = Self.merged(route, over: $0[record.api.id]) }
    }

    /// Replaces the whole table: APIs absent from `records` are gone.
    public func replaceAll(_ records: [(APIRecord, [Int: CompiledModel])]) {
        routes.withLock { routes in
            var fresh: [String: Route] = [:]
            for (record, models) in records {
                fresh[record.api.id] = Self.merged(Self.route(record, models), over: routes[record.api.id])
            }
            routes = fresh
        }
    }

    /// A reload that read the store just before a build settled brings back `building` (or `updating`) for
    /// an API the builder already serves; the route stays served, so that whoever read `operating` in the
    /// store can call at once.
    private static func merged(_ new: Route, over old: Route?) -> Route {
        guard let old, old.api.status == .operating, old.model != nil, old.api.version == new.api.version,
            old.api.modelID == new.api.modelID, new.api.status == .building || new.api.status == .updating
        else { return new }
        var route = new
        route.api.status = .operating
        route.versions.merge(old.versions) { new, _ in new }
        return route
    }

    private static func route(_ record: APIRecord, _ models: [Int: CompiledModel]) -> Route {
        var versions: [Int: ServedVersion] = [:]
        for (number, model) in models {
            guard let version = record.version(number) else { continue }
            versions[number] = ServedVersion(number: number, modelID: version.modelID, model: model)
        }
        return Route(
            api: record.api, keys: Dictionary(uniqueKeysWithValues: record.keys.map { ($0.id, $0.secretHash) }),
            whitelist: record.whitelist, versions: versions)
    }

    /// Marks a building or updating API as operating with its current version's compiled model, ahead of the
    /// store.
    public func serve(_ apiID: String, version: Int, model: CompiledModel) {
        routes.withLock { routes in
            guard var route = routes[apiID], route.api.status == .building || route.api.status == .updating,
                route.api.version == version
            else { return }
            route.api.status = .operating
            route.versions[version] = ServedVersion(number: version, modelID: route.api.modelID, model: model)
            routes[apiID] = route
        }
    }

    /// Every route, in no order.
    public func all() -> [Route] {
        routes.withLock { Array($0.values) }
    }

    public func remove(_ apiID: String) {
        routes.withLock { _ = $0.removeValue(forKey: apiID) }
    }
}
