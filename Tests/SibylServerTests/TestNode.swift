import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SibylApp
import SibylCore
import SibylServer
import SibylTestDatabases
import Logging
import NIOCore
import Synchronization
import Testing

/// A real node on a free loopback port with its data in a temporary folder, and a client for it.
final class TestNode: Sendable {
    static let adminToken = "test-admin-token-0123456789"
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)))

    let folder: String
    let logs: LogCapture
    private let node: SibylNode
    private let task: Task<Void, any Error>
    let port: Int
    /// The deployments' own listener, when the configuration asks for one.
    let inferencePort: Int?
    let routes: [String]
    let consoleRoutes: [String]
    /// The address the client calls: the listening address, or IPv4 loopback when the node listens on all.
    let clientHost: String

    /// Starts a node; `folder` reuses the data of an earlier node (a restart). With
    /// `SIBYL_TEST_NODE_DATABASE=postgres` its database is a fresh one on the test PostgreSQL server (named in
    /// the folder, so that a restart finds it again) instead of SQLite.
    init(folder: String? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }) async throws {
        let folder = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("sibyl-\(UUID().uuidString)").path
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = folder
        configuration.databaseURL = try await Self.databaseURL(folder: folder)
        configuration.adminToken = Self.adminToken
        configuration.adminPassword = "admin-password"
        configuration.bcryptCost = 4
        configuration.usageFlushIntervalMilliseconds = 100
        configure(&configuration)
        let logs = LogCapture()
        var logger = Logger(label: "sibyl-test") { _ in logs.handler() }
        logger.logLevel = .trace
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let (inferenceStream, inferenceContinuation) = AsyncStream.makeStream(of: Int.self)
        let node = try await buildNode(
            configuration: configuration, logger: logger, onListening: { port in portContinuation.yield(port) },
            onInferenceListening: { port in inferenceContinuation.yield(port) })
        routes = node.routes
        consoleRoutes = node.consoleRoutes
        self.node = node
        task = Task { try await node.run() }
        var iterator = portStream.makeAsyncIterator()
        port = await iterator.next() ?? 0
        var inferenceIterator = inferenceStream.makeAsyncIterator()
        inferencePort = configuration.inferencePort == nil ? nil : await inferenceIterator.next()
        self.folder = folder
        self.logs = logs
        clientHost = configuration.host == "::" ? "127.0.0.1" : configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
    }

    /// Stops the node as SIGTERM does and waits until it has written everything and closed its database.
    func stop() async {
        await node.shutdown()
        do {
            try await task.value
        } catch {
            Issue.record("the node did not stop cleanly: \(error)")
        }
    }

    /// Removes the folder, and drops the PostgreSQL database in the background (best effort: a database
    /// left behind by a test process that ended first is only clutter on the test server).
    func removeData() {
        if let url = try? String(contentsOfFile: folder + "/" + Self.databaseURLFile, encoding: .utf8) {
            Task { try? await TestDatabase.drop(url: url) }
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    private static let databaseURLFile = "test-database-url"

    /// Everything the node's database holds, as stored: the SQLite files' bytes, or a `pg_dump` of the
    /// PostgreSQL database (schema and data), for tests that look for what must never be stored in clear.
    func storedData() throws -> Data {
        guard let url = try? String(contentsOfFile: folder + "/" + Self.databaseURLFile, encoding: .utf8) else {
            let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("sibyl.db") }.sorted()
            return try files.map { try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)) }.reduce(Data(), +)
        }
        let dump = Process()
        dump.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        dump.arguments = ["pg_dump", "--no-owner", url]
        let output = Pipe()
        dump.standardOutput = output
        try dump.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        dump.waitUntilExit()
        guard dump.terminationStatus == 0 else { throw TestDatabaseError("pg_dump failed") }
        return data
    }

    private static func databaseURL(folder: String) async throws -> String? {
        guard ProcessInfo.processInfo.environment["SIBYL_TEST_NODE_DATABASE"] == "postgres" else { return nil }
        let file = folder + "/" + databaseURLFile
        if let url = try? String(contentsOfFile: file, encoding: .utf8) { return url }
        let url = try await TestDatabase.make(.postgres, folder: folder).url!
        try url.write(toFile: file, atomically: true, encoding: .utf8)
        return url
    }

    struct Answer {
        let status: Int
        let headers: [(String, String)]
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        /// A binary model's predictions as the probability of class "1" each, nil where there are none.
        var positiveProbabilities: [Double]? {
            (json["predictions"] as? [[String: Any]])?.compactMap { ($0["probabilities"] as? [String: Double])?["1"] }
        }
        /// The error code: `{"error":{"code","message"}}` everywhere but the v2 routes, whose protocol gives
        /// `{"error":"message","code":"…"}`.
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String ?? json["code"] as? String }
        var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String ?? json["error"] as? String }
        subscript(_ key: String) -> Any? { json[key] }
        /// Every value of a header, by case-insensitive name.
        func header(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
    }

    @discardableResult
    func call(
        _ method: HTTPMethod, _ path: String, token: String? = TestNode.adminToken, json: Any? = nil, body: [UInt8]? = nil,
        headers: [(String, String)] = [], port: Int? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://\(clientHost):\(port ?? self.port)\(path)")
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "apikey \(token)") }
        if let json {
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
            request.headers.add(name: "Content-Type", value: "application/json")
        } else if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        // A header given twice is sent twice; once, it replaces the defaults above.
        for (index, (name, value)) in headers.enumerated() {
            if headers[..<index].contains(where: { $0.0.lowercased() == name.lowercased() }) {
                request.headers.add(name: name, value: value)
            } else {
                request.headers.replaceOrAdd(name: name, value: value)
            }
        }
        let response = try await Self.client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return Answer(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Array(buffer: buffer))
    }

    /// Uploads a fixture model to a project and returns its id.
    func uploadModel(_ fixture: String, project: Int = 1, token: String = TestNode.adminToken) async throws -> String {
        let answer = try await call(
            .POST, "/api/v1/projects/\(project)/models?name=\(fixture)&format=xgboost-json", token: token,
            body: try Fixtures.bytes("\(fixture)/model.json"))
        #expect(answer.status == 201, "\(answer.text)")
        return try #require(answer["model_id"] as? String)
    }

    /// Creates an API, waits until it operates, and returns its id and key.
    func createAPI(
        model: String, type: String = "trial", whitelist: [String] = ["127.0.0.0/8"], project: Int = 1,
        token: String = TestNode.adminToken
    ) async throws -> (id: String, key: String) {
        let answer = try await call(
            .POST, "/api/v1/projects/\(project)/apis", token: token,
            json: ["model_id": model, "type": type, "ip_whitelist": whitelist])
        #expect(answer.status == 202, "\(answer.text)")
        let id = try #require(answer["api_id"] as? String)
        let key = try #require((answer["api_key"] as? [String: Any])?["secret"] as? String)
        try await waitFor(api: id, status: "operating", project: project)
        return (id, key)
    }

    /// GETs `path` every 20 ms until `check` holds (what a background flush writes, say), for at most 10 s;
    /// the last answer either way, for the test to assert on.
    func poll(_ path: String, until check: (Answer) -> Bool) async throws -> Answer {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let answer = try await call(.GET, path)
            if check(answer) || ContinuousClock.now >= deadline { return answer }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func waitFor(api: String, status: String, project: Int = 1) async throws {
        for _ in 0..<200 {
            let answer = try await call(.GET, "/api/v1/projects/\(project)/apis/\(api)")
            if answer["status"] as? String == status { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("API \(api) never reached \(status)")
    }

    func predict(
        _ api: String, key: String?, json: Any? = nil, body: [UInt8]? = nil, headers: [(String, String)] = [],
        query: String? = nil
    ) async throws -> Answer {
        var all = headers
        if let key { all.append(("X-Api-Key", key)) }
        if json != nil || body != nil, !all.contains(where: { $0.0.lowercased() == "content-type" }) {
            all.append(("Content-Type", "application/json"))
        }
        return try await call(
            .POST, "/apis/\(api)/predict" + (query.map { "?" + $0 } ?? ""), token: nil, body: try body ?? json.map { Array(try JSONSerialization.data(withJSONObject: $0)) },
            headers: all)
    }
}

/// Every log line a node writes, message and metadata, for asserting what never appears in them.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    func handler() -> some LogHandler { Handler(capture: self) }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(all) \(event.error.map { "\($0)" } ?? "")")
        }
    }
}

/// The committed fixture files: models made with the real xgboost and its own predictions.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: folder.appendingPathComponent(path)))
    }

    /// A CSV file as rows of optional numbers (an empty cell is nil), without its header.
    static func table(_ path: String) throws -> (header: [String], rows: [[Double?]]) {
        let lines = String(decoding: try bytes(path), as: UTF8.self).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let rows = lines.dropFirst().map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
        }
        return (header, rows)
    }
}
