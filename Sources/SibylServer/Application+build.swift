import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import UnixSignals
import SibylCore
import SibylStore

/// What a first start created and must be shown once: the admin's generated token and password.
public struct BootstrapSecrets: Sendable {
    public let adminName: String
    public let token: String?
    public let password: String?
}

/// A built node, ready to run: the HTTP application and the services beside it.
public struct SibylNode: Sendable {
    /// Secrets generated at the first start; nil on later starts or when they came from the configuration.
    public let bootstrap: BootstrapSecrets?
    /// Every route served, as `METHOD /path/{parameter}`: the API's inventory, which the OpenAPI document
    /// must match, and the console's pages.
    public let routes: [String]
    /// The routes of the web console (HTML pages and form posts), which the OpenAPI document leaves out.
    public let consoleRoutes: [String]
    let services: ServiceGroup
    let platform: Platform
    let evaluator: Evaluator

    /// Runs until a graceful shutdown (SIGTERM, SIGINT or `shutdown()`): the server stops taking requests
    /// and finishes those in flight, then pending usage is written and the database closed.
    public func run() async throws {
        do {
            try await services.run()
        } catch {
            try await finish()
            throw error
        }
        try await finish()
    }

    /// Starts a graceful shutdown, as SIGTERM does.
    public func shutdown() async {
        await services.triggerGracefulShutdown()
    }

    private func finish() async throws {
        await platform.usage.flush()
        try await evaluator.shutdown()
        try await platform.store.shutdown()
    }
}

/// Builds a node the way `sibyl serve` runs it; tests call this too, with port 0 and a temporary folder.
/// `onListening` receives the port once the node listens.
public func buildNode(
    configuration: ServerConfiguration, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> SibylNode {
    try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
    let store = try await Store.openSQLite(path: configuration.dataDirectory + "/sibyl.db", logger: logger)
    let bootstrap = try await Bootstrap.run(store: store, configuration: configuration)
    let platform = Platform(
        configuration: configuration, store: store, models: try ModelCache(dataDirectory: configuration.dataDirectory),
        logger: logger)
    let builder = APIBuilder(platform: platform, logger: logger)
    for api in try await platform.loadRoutes() { builder.enqueue(projectID: api.projectID, apiID: api.id) }

    let registry = PrometheusCollectorRegistry()
    let evaluator = Evaluator(configuration: configuration)
    let auth = Authenticator(store: store)
    let accounts = AccountOperations(platform: platform)
    let models = ModelOperations(platform: platform)
    let apis = APIOperations(platform: platform, builder: builder)
    let router = Router(context: AppContext.self)
    router.add(middleware: TelemetryMiddleware(registry: registry))
    SystemRoutes(platform: platform, registry: registry).add(to: router)
    AccountRoutes(operations: accounts, auth: auth).add(to: router)
    ModelRoutes(operations: models, auth: auth).add(to: router)
    APIRoutes(operations: apis, auth: auth).add(to: router)
    let consoleRoutes = Console(platform: platform, auth: auth, apis: apis, models: models, accounts: accounts).add(to: router)
    let gateway = Gateway(platform: platform, resolver: ClientAddressResolver(trustedProxies: configuration.trustedProxies))
    PredictRoutes(gateway: gateway, evaluator: evaluator).add(to: router)
    InferenceRoutes(gateway: gateway, evaluator: evaluator).add(to: router)

    var application = Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(configuration.idleTimeoutSeconds))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "sibyl"),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
        logger: logger)
    application.addServices(platform.usage, builder)
    let services = ServiceGroup(
        configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    return SibylNode(
        bootstrap: bootstrap, routes: router.routes.map(\.description), consoleRoutes: consoleRoutes, services: services,
        platform: platform, evaluator: evaluator)
}
