import Foundation
import Logging
import PostgresNIO
import SibylCore
import SibylStore

/// A database a test owns: a SQLite file in a temporary folder, or a database created for the test on the
/// PostgreSQL server that `SIBYL_TEST_POSTGRES` names (a URL whose user may create databases). Removed by
/// `drop()`.
public struct TestDatabase: Sendable {
    public enum Kind: String, Sendable, CaseIterable { case sqlite, postgres }

    public let kind: Kind
    /// The `--database` URL of a PostgreSQL database; nil for SQLite.
    public let url: String?
    /// The folder of the SQLite file (and of anything else the test keeps on disk).
    public let folder: String
    private let name: String

    /// The server the PostgreSQL variants run against. When CI sets `SIBYL_REQUIRE_POSTGRES=1` its absence is
    /// a failure, not a skip.
    public static var serverURL: String? {
        ProcessInfo.processInfo.environment["SIBYL_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The kinds to run a store test on: SQLite always, PostgreSQL when a server is given (or required).
    public static var kinds: [Kind] {
        let required = ProcessInfo.processInfo.environment["SIBYL_REQUIRE_POSTGRES"] == "1"
        return serverURL != nil || required ? [.sqlite, .postgres] : [.sqlite]
    }

    /// A new database, with `folder` (made when absent; a new temporary one by default) for its files.
    public static func make(_ kind: Kind, folder: String? = nil) async throws -> TestDatabase {
        let folder = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("sibyl-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard kind == .postgres else { return TestDatabase(kind: kind, url: nil, folder: folder, name: "") }
        guard let server = serverURL, var components = URLComponents(string: server) else {
            throw TestDatabaseError("SIBYL_TEST_POSTGRES is not set: PostgreSQL tests are required here")
        }
        let name = "sibyl_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await administer(server, "CREATE DATABASE \(name)")
        components.path = "/" + name
        return TestDatabase(kind: kind, url: components.string, folder: folder, name: name)
    }

    /// Opens the test's database as a node does.
    public func open() async throws -> Store {
        try await Store.open(url: url, dataDirectory: folder, logger: Logger(label: "test"))
    }

    public func drop() async throws {
        try? FileManager.default.removeItem(atPath: folder)
        guard kind == .postgres else { return }
        try await Self.drop(name: name)
    }

    /// Drops the PostgreSQL database of a `url` that `make` returned.
    public static func drop(url: String) async throws {
        guard let components = URLComponents(string: url) else { return }
        try await drop(name: String(components.path.dropFirst()))
    }

    private static func drop(name: String) async throws {
        guard let server = serverURL, name.hasPrefix("sibyl_test_") else { return }
        try await administer(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs `body` with a fresh store of `kind`, then closes and drops it (also when `body` throws).
    public static func with(_ kind: Kind, _ body: (Store) async throws -> Void) async throws {
        let database = try await make(kind)
        let store = try await database.open()
        do {
            try await body(store)
        } catch {
            try? await store.shutdown()
            try? await database.drop()
            throw error
        }
        try await store.shutdown()
        try await database.drop()
    }

    private static func administer(_ server: String, _ statement: String) async throws {
        guard let components = URLComponents(string: server), let host = components.host, let user = components.user else {
            throw TestDatabaseError("SIBYL_TEST_POSTGRES: expected postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        let configuration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: String(components.path.dropFirst()).isEmpty ? nil : String(components.path.dropFirst()), tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "test"))
        do {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Logger(label: "test"))
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

public struct TestDatabaseError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
