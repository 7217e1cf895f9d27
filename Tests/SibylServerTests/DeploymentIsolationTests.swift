import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SibylApp
import SibylContainers
import SibylServer
import Testing

/// What a deployment's container can and cannot reach: the caller's credentials, the console's origin, other
/// projects' containers, other projects' private images (issue 14, items 1, 2, 3 and 5), on a real engine.
@Suite(.enabled(if: EngineSettings.engineURL != nil || EngineSettings.required, "SIBYL_TEST_ENGINE is not set"))
struct DeploymentIsolationTests {
    typealias Flow = DeploymentFlowTests

    static func node(_ configure: @escaping (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestNode {
        let url = try #require(EngineSettings.engineURL, "SIBYL_REQUIRE_ENGINE=1 but SIBYL_TEST_ENGINE is not set")
        return try await TestNode { configuration in
            configuration.containerEngines = [1: url]
            configuration.supervisorIntervalMilliseconds = 100
            configuration.coldStartTimeoutSeconds = 30
            configure(&configuration)
        }
    }

    static func deploy(_ node: TestNode, _ name: String, project: Int = 1, _ extra: [String: Any] = [:]) async throws {
        let created = try await node.call(.POST, "/cloud/v3/inference/\(project)/deployments", json: Flow.spec(name, extra))
        #expect(created.status == 201, "\(created.text)")
        try await waitReady(node, name, project: project)
    }

    static func waitReady(_ node: TestNode, _ name: String, project: Int = 1) async throws {
        try await Flow.waitFor(node, name, project: project, "\(name) ready") { Flow.status($0) == "ACTIVE" && Flow.ready($0) == 1 }
    }

    /// A deployment name no earlier test run on the same engine used: their containers may linger.
    static func unique(_ base: String) -> String {
        base + "-" + String((0..<6).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
    }

    /// Deletes the deployments, waits until the engine has none of their containers (a container left
    /// running keeps its port forwarded to it after Sibyl, which held the port, has gone) and stops the node.
    static func finish(_ node: TestNode, _ names: [(Int, String)]) async throws {
        for (project, name) in names { _ = try await node.call(.DELETE, "/cloud/v3/inference/\(project)/deployments/\(name)") }
        let engine = try Self.engine()
        let deadline = ContinuousClock.now + .seconds(60)
        for (_, name) in names {
            while try await !engine.list(labels: ["sibyl.deployment": name], all: true).isEmpty {
                guard ContinuousClock.now < deadline else {
                    Issue.record("\(name): its containers are still on the engine")
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        await node.stop()
    }

    static func engine() throws -> DockerEngine {
        DockerEngine(endpoint: try EngineEndpoint(parsing: try #require(EngineSettings.engineURL)), client: .shared)
    }

    /// The caller's cookies, Sibyl's tokens and the client's own forwarding headers never reach a replica;
    /// the gateway states who called. A replica's answer sets no cookie, wipes nothing, widens no service
    /// worker, and on the console's origin it is sandboxed.
    @Test func aReplicaGetsNoCredentialAndItsAnswerIsSandboxed() async throws {
        let node = try await Self.node()
        defer { node.removeData() }
        try await Self.deploy(node, "iso-headers")
        let echoed = try await node.call(
            .GET, "/inference/1/iso-headers/", token: nil,
            headers: [
                ("Cookie", "sibyl_session=secret-session"), ("Authorization", "Bearer sibyl_stolen-token"),
                ("X-Forwarded-For", "203.0.113.9"), ("X-Forwarded-Proto", "https"), ("Forwarded", "for=203.0.113.9"),
                ("X-Real-IP", "203.0.113.9"), ("Connection", "keep-alive, X-Drop-Me"), ("X-Drop-Me", "1"), ("X-Keep", "yes"),
            ])
        #expect(echoed.status == 200, "\(echoed.text)")
        let headers = try #require(echoed["headers"] as? [String: String])
        for name in ["cookie", "authorization", "forwarded", "x-real-ip", "x-drop-me"] {
            #expect(headers[name] == nil, "\(name) reached the replica: \(headers)")
        }
        #expect(headers["x-forwarded-for"] == "127.0.0.1" && headers["x-forwarded-proto"] == "http")
        #expect(headers["x-forwarded-host"] == "\(node.clientHost):\(node.port)" && headers["x-keep"] == "yes")
        #expect(!echoed.text.contains("secret-session") && !echoed.text.contains("stolen-token"))
        // A container's own scheme is its business: only Sibyl's secrets are held back.
        let basic = try await node.call(.GET, "/inference/1/iso-headers/", token: nil, headers: [("Authorization", "Basic dXNlcjpwdw==")])
        #expect((basic["headers"] as? [String: String])?["authorization"] == "Basic dXNlcjpwdw==")
        let admin = try await node.call(.GET, "/inference/1/iso-headers/", token: nil, headers: [("X-Api-Key", "key_abc.def")])
        #expect((admin["headers"] as? [String: String])?["x-api-key"] == nil)

        let hostile = try await node.call(.GET, "/inference/1/iso-headers/hostile", token: nil)
        #expect(hostile.status == 200 && hostile.text.contains("<script>"))
        for name in ["set-cookie", "clear-site-data", "service-worker-allowed", "x-hop-secret"] {
            #expect(hostile.header(name).isEmpty, "\(name) came back: \(hostile.headers)")
        }
        #expect(hostile.header("x-kept") == ["1"] && hostile.header("content-security-policy") == ["sandbox"])
        try await Self.finish(node, [(1, "iso-headers")])
    }

    /// With `inferencePort`, deployments leave the console's origin: their address names that listener,
    /// the console's listener no longer serves them, and their answers need no sandbox there (still no cookie).
    @Test func deploymentsOnAListenerOfTheirOwn() async throws {
        let node = try await Self.node { $0.inferencePort = 0 }
        defer { node.removeData() }
        let inference = try #require(node.inferencePort)
        try await Self.deploy(node, "iso-origin")
        let shown = try await node.call(.GET, "/cloud/v3/inference/1/deployments/iso-origin")
        #expect(shown["address"] as? String == "http://\(node.clientHost):\(inference)/inference/1/iso-origin", "\(shown.text)")
        #expect(try await node.call(.GET, "/inference/1/iso-origin/", token: nil).status == 404)
        let hostile = try await node.call(.GET, "/inference/1/iso-origin/hostile", token: nil, port: inference)
        #expect(hostile.status == 200 && hostile.header("content-security-policy").isEmpty)
        #expect(hostile.header("set-cookie").isEmpty && hostile.header("x-kept") == ["1"])
        // Nothing but deployments there: the console and the management API stay on their own origin.
        #expect(try await node.call(.GET, "/api/v1/me", port: inference).status == 404)
        #expect(try await node.call(.GET, "/login", token: nil, port: inference).status == 404)
        try await Self.finish(node, [(1, "iso-origin")])
    }

    /// A replica's published port is Sibyl's while the replica runs: another program is refused it (rootful
    /// Podman forwards it with rules alone, and would hand it out again), and requests still reach the replica.
    @Test func aReplicasPortIsHeldWhileItRuns() async throws {
        let node = try await Self.node()
        defer { node.removeData() }
        let name = Self.unique("iso-port")
        try await Self.deploy(node, name)
        let engine = try Self.engine()
        let id = try #require(try await engine.list(labels: ["sibyl.deployment": name], all: false).first?.id)
        let port = try #require(try await engine.inspect(id)?.hostPort)
        #expect(try await Self.held(port))
        #expect(try await node.call(.GET, "/inference/1/\(name)/", token: nil).status == 200)
        try await Self.finish(node, [(1, name)])
        #expect(try await !Self.held(port))
    }

    /// Whether listening on 127.0.0.1:`port` is refused to a program of its own.
    static func held(_ port: Int) async throws -> Bool {
        do {
            try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: port).get().close()
            return false
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            return true
        }
    }

    /// Replicas of one project share a network that no other project's replicas can reach.
    ///
    /// Run alone (CI runs it in a step of its own, `SIBYL_TEST_ALONE=1`): Debian 12's netavark (1.4)
    /// drops the jump to its isolation rules whenever any isolated network loses its last container, which
    /// the other deployment tests do all the time, and only puts it back when a container joins one
    /// (docs/SECURITY.md, residual risks).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SIBYL_TEST_ALONE"] == "1", "run alone: SIBYL_TEST_ALONE=1"))
    func anotherProjectsReplicasAreUnreachable() async throws {
        let node = try await Self.node()
        defer { node.removeData() }
        let other = try #require(try await node.call(.POST, "/api/v1/projects", json: ["name": "other"])["project_id"] as? Int)
        let names = ["iso-net-a", "iso-net-b", "iso-net-c"].map(Self.unique)
        try await Self.deploy(node, names[0])
        try await Self.deploy(node, names[1])
        try await Self.deploy(node, names[2], project: other)
        let engine = try Self.engine()
        func container(_ name: String) async throws -> ContainerState {
            let id = try #require(try await engine.list(labels: ["sibyl.deployment": name], all: false).first?.id)
            return try #require(try await engine.inspect(id))
        }
        let a = try await container(names[0]), b = try await container(names[1]), c = try await container(names[2])
        #expect(a.networkAddresses.count == 1 && Set(a.networkAddresses.keys) == Set(b.networkAddresses.keys))
        #expect(Set(c.networkAddresses.keys).isDisjoint(with: a.networkAddresses.keys))
        let address = try #require(a.networkAddresses.values.first)
        #expect(try await engine.exec(b.id, command: ["/echo-server", "connect", address, "8080"], timeoutSeconds: 10) == 0)
        #expect(try await engine.exec(c.id, command: ["/echo-server", "connect", address, "8080"], timeoutSeconds: 10) == 1)
        try await Self.finish(node, [(1, names[0]), (1, names[1]), (other, names[2])])
    }

    /// Image references follow the distribution grammar, and credentials go only to their own registry.
    @Test func imagesAndCredentialsAreChecked() async throws {
        let node = try await Self.node()
        defer { node.removeData() }
        let deployments = "/cloud/v3/inference/1/deployments"
        for image in ["team/UPPER", "-leading/dash", "host..name/x", "name:tag:more", "evil.example/x@sha256:123", "a/b:" + String(repeating: "t", count: 129)] {
            let refused = try await node.call(.POST, deployments, json: Flow.spec("iso-bad-image", ["image": image]))
            #expect(refused.status == 422 && refused.errorMessage?.hasPrefix("image:") == true, "\(image): \(refused.text)")
        }
        _ = try await node.call(
            .POST, "/cloud/v3/inference/1/registry_credentials",
            json: ["name": "ours", "username": "u", "password": "p", "registry_url": "https://registry.example.com"])
        let mismatch = try await node.call(
            .POST, deployments, json: Flow.spec("iso-creds", ["image": "evil.example:5000/team/app:1", "credentials_name": "ours"]))
        #expect(mismatch.status == 422, "\(mismatch.text)")
        #expect(mismatch.errorMessage?.contains("registry.example.com") == true && mismatch.errorMessage?.contains("evil.example:5000") == true)
    }

    /// A node that allows some registries refuses images from any other (an operator's own `localhost/`
    /// images stay allowed).
    @Test func onlyAllowedRegistriesServeImages() async throws {
        let node = try await Self.node { $0.allowedRegistries = ["registry.example.com"] }
        defer { node.removeData() }
        let refused = try await node.call(.POST, "/cloud/v3/inference/1/deployments", json: Flow.spec("iso-hub", ["image": "nginx:1"]))
        #expect(refused.status == 422 && refused.errorMessage?.contains("docker.io is not allowed") == true, "\(refused.text)")
        try await Self.deploy(node, "iso-local")
        try await Self.finish(node, [(1, "iso-local")])
    }
}

/// Another project's private image, already on the engine, does not run without credentials for it: a real
/// registry with sign-in (scripts/test-registry.sh; CI starts it).
@Suite(.enabled(if: RegistrySettings.host != nil || EngineSettings.required, "SIBYL_TEST_REGISTRY is not set"))
struct PrivateImageTests {
    @Test func aPrivateImageOnTheEngineRunsOnlyForProjectsThatCanPullIt() async throws {
        let host = try #require(RegistrySettings.host, "SIBYL_REQUIRE_ENGINE=1 but SIBYL_TEST_REGISTRY is not set")
        let node = try await DeploymentIsolationTests.node()
        defer { node.removeData() }
        let image = "\(host)/private/echo:1"
        let other = try #require(try await node.call(.POST, "/api/v1/projects", json: ["name": "other"])["project_id"] as? Int)
        let credentials = [
            "name": "private", "username": RegistrySettings.user, "password": RegistrySettings.password, "registry_url": "http://\(host)",
        ]
        #expect(try await node.call(.POST, "/cloud/v3/inference/1/registry_credentials", json: credentials).status == 201)
        let (owner, thief) = (DeploymentIsolationTests.unique("iso-private"), DeploymentIsolationTests.unique("iso-thief"))
        try await DeploymentIsolationTests.deploy(node, owner, ["image": image, "credentials_name": "private"])
        let engine = try DeploymentIsolationTests.engine()
        #expect(try await engine.imageExists(image))

        // The image is on the engine now; the other project names it without credentials.
        let created = try await node.call(
            .POST, "/cloud/v3/inference/\(other)/deployments", json: DeploymentFlowTests.spec(thief, ["image": image]))
        #expect(created.status == 201, "\(created.text)")
        let answer = try await DeploymentFlowTests.waitFor(node, thief, project: other, "the pull to fail") {
            (DeploymentFlowTests.region($0)["error_message"] as? String)?.contains("could not be pulled") == true
        }
        #expect((DeploymentFlowTests.region(answer)["error_message"] as? String)?.contains("authentication required") == true, "\(answer.text)")
        #expect(try await engine.list(labels: ["sibyl.deployment": thief], all: true).isEmpty)
        try await DeploymentIsolationTests.finish(node, [(1, owner), (other, thief)])
    }
}

enum RegistrySettings {
    static let host = ProcessInfo.processInfo.environment["SIBYL_TEST_REGISTRY"]
    static var user: String { ProcessInfo.processInfo.environment["SIBYL_TEST_REGISTRY_USER"] ?? "" }
    static var password: String { ProcessInfo.processInfo.environment["SIBYL_TEST_REGISTRY_PASSWORD"] ?? "" }
}
