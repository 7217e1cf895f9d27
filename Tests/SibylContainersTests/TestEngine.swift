import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SibylContainers
import Testing

/// The real engine the integration tests share: `SIBYL_TEST_ENGINE` (e.g. unix:///run/podman/podman.sock)
/// when set, else a `podman system service` of its own on a socket in a fresh directory, stopped at the end.
/// Without podman the tests are skipped, unless `SIBYL_REQUIRE_ENGINE=1` makes that a failure.
final class TestEngine: Sendable {
    static let image = "localhost/sibyl-test-echo:latest"
    @TaskLocal static var current: TestEngine?

    static var enabled: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["SIBYL_TEST_ENGINE"] != nil || environment["SIBYL_REQUIRE_ENGINE"] == "1" || podman != nil
    }

    /// Never shut down: it lives as long as the test process.
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: DockerEngine.clientConfiguration)

    static let podman: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        .split(separator: ":").map { "\($0)/podman" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    let engine: DockerEngine
    /// Labels every container this process creates, so the end can remove them all.
    let runID: String
    private let service: Service?

    private init(engine: DockerEngine, runID: String, service: Service?) {
        self.engine = engine
        self.runID = runID
        self.service = service
    }

    static func start() async throws -> TestEngine {
        let runID = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let service: Service?
        let endpoint: EngineEndpoint
        if let given = ProcessInfo.processInfo.environment["SIBYL_TEST_ENGINE"] {
            endpoint = try EngineEndpoint(parsing: given)
            service = nil
        } else {
            guard let podman else { throw TestEngineError("podman is not installed (SIBYL_REQUIRE_ENGINE=1)") }
            let started = try Service(podman: podman, runID: runID)
            endpoint = .unixSocket(started.socket)
            service = started
        }
        let engine = DockerEngine(endpoint: endpoint, client: client)
        let testEngine = TestEngine(engine: engine, runID: runID, service: service)
        do {
            try await testEngine.waitForPing()
            try await testEngine.buildImage()
        } catch {
            await testEngine.shutDown()
            throw error
        }
        return testEngine
    }

    /// Removes every container of this run, then stops the service this process started.
    func shutDown() async {
        for container in (try? await engine.list(labels: ["sibyl.test": runID], all: true)) ?? [] {
            try? await engine.remove(container.id, force: true)
        }
        service?.stop()
    }

    private func waitForPing() async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            do {
                return try await engine.ping()
            } catch let error as EngineError where error.isUnreachable && ContinuousClock.now < deadline {
                if let service, !service.process.isRunning {
                    throw TestEngineError("podman system service exited: \(service.log)")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// build.sh does nothing when the image already holds the current sources.
    private func buildImage() async throws {
        if Self.podman != nil {
            let script = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appending(path: "ContainerImage/build.sh")
            let build = Process()
            build.executableURL = URL(filePath: "/bin/bash")
            build.arguments = [script.path, Self.image]
            try build.run()
            while build.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            guard build.terminationStatus == 0 else { throw TestEngineError("\(script.path) failed") }
        }
        guard try await engine.imageExists(Self.image) else {
            throw TestEngineError("the engine has no \(Self.image); run Tests/ContainerImage/build.sh")
        }
    }

    /// A spec for the test image, labelled with this run.
    func spec(
        _ purpose: String, environment: [String: String] = [:], memoryBytes: Int? = nil, nanoCPUs: Int? = nil
    ) -> ContainerSpec {
        ContainerSpec(
            name: "sibyl-test-\(runID)-\(purpose)", image: Self.image, environment: environment, containerPort: 8080,
            labels: ["sibyl.test": runID, "sibyl.test.purpose": purpose], memoryBytes: memoryBytes, nanoCPUs: nanoCPUs)
    }

    /// Creates and starts a container from `spec`, runs `body` and removes the container, even on failure.
    func withContainer<T>(_ spec: ContainerSpec, _ body: (String) async throws -> T) async throws -> T {
        let id = try await engine.create(spec)
        do {
            try await engine.start(id)
            let result = try await body(id)
            try await engine.remove(id, force: true)
            return result
        } catch {
            try? await engine.remove(id, force: true)
            throw error
        }
    }

    /// A GET to the container's published port: status and body, or nil while nothing answers.
    func get(port: Int, _ path: String) async -> (status: Int, body: String)? {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)),
            let body = try? await response.body.collect(upTo: 1 << 20)
        else { return nil }
        return (Int(response.status.code), String(buffer: body))
    }

    /// A `podman system service` child process.
    private final class Service: @unchecked Sendable {
        let process = Process()
        let directory: URL
        let socket: String

        init(podman: String, runID: String) throws {
            directory = FileManager.default.temporaryDirectory.appending(path: "sibyl-engine-\(runID)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            socket = directory.appending(path: "podman.sock").path
            let log = directory.appending(path: "service.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = URL(filePath: podman)
            process.arguments = ["system", "service", "--time=0", "unix://\(socket)"]
            process.standardOutput = try FileHandle(forWritingTo: log)
            process.standardError = process.standardOutput
            try process.run()
        }

        var log: String {
            (try? String(contentsOf: directory.appending(path: "service.log"), encoding: .utf8)) ?? ""
        }

        func stop() {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: directory)
        }
    }
}

/// Polls `check` every 50 ms until it returns a value, for at most `seconds`.
func eventually<T>(_ what: String, seconds: Int = 10, _ check: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if let value = try await check() { return value }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestEngineError("timed out after \(seconds) s waiting for \(what)")
}

struct TestEngineError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starts the shared engine once around the whole suite it is attached to.
struct ContainerEngineScope: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let engine = try await TestEngine.start()
        do {
            try await TestEngine.$current.withValue(engine, operation: function)
        } catch {
            await engine.shutDown()
            throw error
        }
        await engine.shutDown()
    }
}

extension Trait where Self == ContainerEngineScope {
    static var containerEngine: Self { Self() }
}
