import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import SibylApp
import SibylConsole
import SibylContainers
import SibylCore
import SibylDataPlane
import SibylDeploymentAPI
import SibylDeveloperAPI
import SibylHTTP
import SibylManagementAPI
import SibylRuntime
import SibylStore
import Synchronization
import UnixSignals

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
    /// Talk to replicas and to container engines.
    let clients: [HTTPClient]

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
        platform.logger.notice("stopping: writing usage counts, shadow comparisons and captures")
        await platform.usage.flush()
        await platform.shadows.flush()
        await platform.captures.flush()
        try await evaluator.shutdown()
        for client in clients { try await client.shutdown() }
        platform.logger.notice("stopping: closing the database")
        try await platform.store.shutdown()
        platform.logger.notice("stopped")
    }
}

/// Builds a node the way `sibyl serve` runs it; tests call this too, with port 0 and a temporary folder.
/// `onListening` receives the port once the node listens, `onInferenceListening` that of the deployments'
/// own listener when `inferencePort` asks for one.
public func buildNode(
    configuration: SibylApp.ServerConfiguration, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in },
    onInferenceListening: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> SibylNode {
    try DataFolder.prepare(configuration.dataDirectory, logger: logger)
    let store = try await Store.open(
        url: configuration.databaseURL, dataDirectory: configuration.dataDirectory, logger: logger, clock: configuration.clock)
    let bootstrap = try await Bootstrap.run(store: store, configuration: configuration)
    let platform = Platform(
        configuration: configuration, store: store, models: try ModelCache(dataDirectory: configuration.dataDirectory, store: store),
        logger: logger)
    let builder = APIBuilder(platform: platform, logger: logger)
    for api in try await platform.loadRoutes() { builder.enqueue(projectID: api.projectID, apiID: api.id) }

    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: proxyClientConfiguration())
    // Engine calls fail at once when an engine is down, rather than retrying until a deadline.
    let engineClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: DockerEngine.clientConfiguration)
    let sealer = try Sealer(configuration: configuration)
    let supervisor = try await makeSupervisor(
        configuration: configuration, platform: platform, sealer: sealer, client: client, engineClient: engineClient, logger: logger)
    let deployments = DeploymentOperations(platform: platform, supervisor: supervisor, sealer: sealer)

    let registry = PrometheusCollectorRegistry()
    let evaluator = Evaluator(configuration: configuration)
    if let misnamed = ForestKernel.misnamed {
        logger.warning("SIBYL_FOREST_KERNEL=\(misnamed) names no kernel (avx512, avx2 or portable): models are walked without one")
    }
    logger.info("batch kernels: \(ForestKernel.chosen?.rawValue ?? "portable")")
    let auth = Authenticator(identity: Identity(store: store))
    let accounts = AccountOperations(platform: platform)
    let models = ModelOperations(platform: platform)
    let apis = APIOperations(platform: platform, builder: builder)
    let router = Router(context: AppContext.self)
    router.add(middleware: TelemetryMiddleware(registry: registry))
    SystemRoutes(platform: platform, registry: registry).add(to: router)
    let secrets = AccountSecrets(store: store)
    ManagementAPI(accounts: accounts, models: models, apis: apis, secrets: secrets, auth: auth).add(to: router)
    let consoleRoutes = Console(
        platform: platform, auth: auth, apis: apis, models: models, accounts: accounts, deployments: deployments, secrets: secrets,
        sessions: ConsoleSessions(store: store, lifetimeSeconds: configuration.consoleSessionSeconds)
    ).add(to: router)
    DataPlane(platform: platform, resolver: ClientAddressResolver(trustedProxies: configuration.trustedProxies), evaluator: evaluator)
        .add(to: router)
    DeveloperRoutes(
        credentials: DeveloperCredentials(store: store, keyLifetime: configuration.deployKeyLifetimeSeconds), operations: apis, models: models
    ).add(to: router)
    DeploymentAPI(
        deployments: deployments, registry: RegistryOperations(store: store, sealer: sealer), auth: auth,
        limit: configuration.maxManagementBodyBytes
    ).add(to: router)
    // Deployments on a listener of their own are another origin than the console's; on the console's own
    // they are sandboxed.
    let inferenceRouter = configuration.inferencePort.map { _ in Router(context: AppContext.self) }
    inferenceRouter?.add(middleware: TelemetryMiddleware(registry: registry))
    DeploymentProxy(
        platform: platform, supervisor: supervisor, client: client,
        resolver: ClientAddressResolver(trustedProxies: configuration.trustedProxies), onConsoleOrigin: inferenceRouter == nil
    ).add(to: inferenceRouter ?? router)

    var application = Application(
        router: router,
        server: .http1(configuration: httpConfiguration(configuration)),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "sibyl",
            availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections, logger: logger)),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
        logger: logger)
    if let inferenceRouter, let port = configuration.inferencePort {
        application.addServices(Application(
            router: inferenceRouter,
            server: .http1(configuration: httpConfiguration(configuration)),
            configuration: .init(
                address: .hostname(configuration.host, port: port), serverName: "sibyl",
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections, logger: logger)),
            onServerRunning: { channel in
                platform.inferencePort.store(channel.localAddress?.port ?? 0, ordering: .relaxed)
                await onInferenceListening(channel.localAddress?.port ?? 0)
            },
            logger: logger))
    }
    application.addServices(platform.usage, platform.shadows, platform.captures, platform.replays, builder)
    if configuration.driftRefreshMilliseconds > 0 {
        application.addServices(DriftMonitor(operations: apis, interval: .milliseconds(configuration.driftRefreshMilliseconds)))
    }
    if let supervisor { application.addServices(supervisor) }
    if store.isShared {
        application.addServices(ChangeFeed(
            platform: platform, supervisor: supervisor, refreshInterval: .milliseconds(configuration.refreshIntervalMilliseconds),
            logger: logger))
        if let supervisor { application.addServices(Leadership(store: store, supervisor: supervisor, logger: logger)) }
    }
    let services = ServiceGroup(
        configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    return SibylNode(
        bootstrap: bootstrap, routes: router.routes.map(\.description), consoleRoutes: consoleRoutes, services: services,
        platform: platform, evaluator: evaluator, clients: [client, engineClient])
}

/// Slow clients hold nothing for long: an idle connection closes after `idleTimeoutSeconds` (this also
/// bounds a slowly sent head, as the idle timer only restarts on a whole part), and a slowly sent body is cut
/// off by `BodyDeadlineHandler`.
private func httpConfiguration(_ configuration: SibylApp.ServerConfiguration) -> HTTP1Channel.Configuration {
    let (allowance, rate) = (TimeAmount.seconds(configuration.bodyReadTimeoutSeconds), configuration.minBodyBytesPerSecond)
    return HTTP1Channel.Configuration(
        additionalChannelHandlers: [BodyDeadlineHandler(allowance: allowance, bytesPerSecond: rate)],
        idleTimeout: .seconds(configuration.idleTimeoutSeconds))
}

/// Replicas answer on loopback: many connections per replica, no redirects followed, no decompression.
private func proxyClientConfiguration() -> HTTPClient.Configuration {
    var configuration = HTTPClient.Configuration()
    configuration.redirectConfiguration = .disallow
    configuration.decompression = .disabled
    configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
    return configuration
}

/// The supervisor of the configured container engines, with every stored deployment handed to it;
/// nil when the node has no engine.
private func makeSupervisor(
    configuration: SibylApp.ServerConfiguration, platform: Platform, sealer: Sealer, client: HTTPClient, engineClient: HTTPClient,
    logger: Logger
) async throws -> Supervisor? {
    try await platform.deployments.reload(from: platform.store)
    guard !configuration.containerEngines.isEmpty else { return nil }
    let engines = try configuration.containerEngines.mapValues { text in
        DockerEngine(endpoint: try EngineEndpoint(parsing: text), client: engineClient)
    }
    let store = platform.store
    let supervisor = Supervisor(
        engines: engines, installation: try await store.installationID(), flavors: configuration.flavors,
        probes: NetworkProbes(client: client),
        interval: .milliseconds(configuration.supervisorIntervalMilliseconds),
        heldRequestLimit: configuration.heldRequestsPerDeployment,
        // Alone on its database a node leads; sharing one, it follows until it holds the leader lock.
        leading: !store.isShared,
        callbacks: .init(
            finishTasks: { deployment, kinds, error in
                try? await store.finishTasks(projectID: deployment.projectID, deploymentName: deployment.name, kinds: kinds, error: error)
            },
            deleted: { deployment in
                try? await store.deleteDeployment(projectID: deployment.projectID, name: deployment.name)
                try? await platform.deploymentsChanged()
            },
            registryAuth: { deployment in await DeploymentOperations.registryAuth(deployment, store: store, sealer: sealer) },
            report: { deployment, requests, waiting in
                await store.publish(Change.deploymentRequests(
                    projectID: deployment.projectID, name: deployment.name, requests: requests, waiting: waiting).text)
            }),
        logger: logger)
    // Tasks a stop interrupted are finished once the work they asked for is done.
    for deployment in try await store.deployments(projectID: nil) {
        supervisor.apply(deployment, tasks: deployment.deleting ? [.delete] : [.create, .update])
    }
    return supervisor
}
