import Foundation
import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import SibylCore
import Synchronization

/// A pool of connections to a PostgreSQL server that several nodes share. The pool reconnects by itself
/// after the server restarts; a call made while it is unreachable fails (and is answered 503) rather than
/// waiting.
struct PostgresBackend: StoreBackend {
    let client: PostgresClient
    let runner: Task<Void, Never>

    var dialect: String { "postgresql" }

    init(configuration: PostgresClient.Configuration, logger: Logger) {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    /// How long a call waits for a connection. The pool would hold a call for up to a minute while the server
    /// is unreachable; a trial request should be refused (503) long before its client gives up.
    static let leaseTimeout: Duration = .seconds(2)

    func withDatabase<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let leased = LeaseFlag()
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    leased.value.withLock { $0 = true }
                    return try await body(connection.sql(queryLogLevel: nil))
                }
            }
            group.addTask {
                // Only the wait for a connection is limited: a long statement (a large model) runs to its end.
                try await Task.sleep(for: Self.leaseTimeout)
                if !leased.value.withLock({ $0 }) { throw SibylError(.storageUnavailable, "the database is unreachable") }
                return nil
            }
            while let result = try await group.next() {
                if let result {
                    group.cancelAll()
                    return result
                }
            }
            throw CancellationError()
        }
    }

    /// A session-level advisory lock, held on `db`'s connection and released when `body` ends (or by the
    /// server when the connection drops).
    func exclusively<R: Sendable>(
        _ lock: Int64, _ db: any SQLDatabase, _ body: @escaping @Sendable () async throws -> R
    ) async throws -> R {
        try await db.raw("SELECT pg_advisory_lock(\(bind: lock))").run()
        do {
            let result = try await body()
            try await db.raw("SELECT pg_advisory_unlock(\(bind: lock))").run()
            return result
        } catch {
            try? await db.raw("SELECT pg_advisory_unlock(\(bind: lock))").run()
            throw error
        }
    }

    func shutdown() async throws {
        runner.cancel()
        await runner.value
    }

    /// The client configuration a `postgres://user:password@host:port/database?sslmode=…` URL gives.
    /// `sslmode` follows libpq's names: `disable`; `prefer` (the default: TLS when the server offers it);
    /// `require`, `verify-ca` and `verify-full` (TLS or no connection). Certificates are always verified.
    static func configuration(url text: String) throws(SibylError) -> PostgresClient.Configuration {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme),
            let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty
        else {
            throw SibylError(.invalidInput, "database: expected postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        let tls: PostgresClient.Configuration.TLS
        let mode = components.queryItems?.last { $0.name == "sslmode" }?.value ?? "prefer"
        switch mode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw SibylError(.invalidInput, "database: sslmode must be disable, prefer, require, verify-ca or verify-full")
        }
        let database = String(components.path.drop { $0 == "/" })
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 16
        return configuration
    }
}

private final class LeaseFlag: Sendable {
    let value = Mutex(false)
}

extension Store {
    /// Connects to the PostgreSQL database `url` names and brings its schema up to date.
    public static func openPostgres(url: String, logger: Logger) async throws(SibylError) -> Store {
        let store = Store(backend: PostgresBackend(configuration: try PostgresBackend.configuration(url: url), logger: logger), logger: logger)
        do {
            try await store.migrate()
        } catch {
            try? await store.shutdown()
            throw error
        }
        return store
    }
}
