import Foundation
import Logging
import NIOCore
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
    static let closed = SibylError(.storageUnavailable, "the database connection closed")

    /// Runs `body` on a pooled connection, or throws `storageUnavailable` when none is leased within
    /// `leaseTimeout`. Only the wait is limited: a long statement (a large model) runs to its end. A call
    /// given up on never runs `body` later (its lease, when it comes, is handed back unused), and the caller
    /// does not wait for the pool to notice.
    func withDatabase<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let call = PendingCall<R>()
        return try await withCheckedThrowingContinuation { continuation in
            call.start(continuation)
            let work = Task { [client] in
                do {
                    let result = try await client.withConnection { connection in
                        guard call.claim() else { throw SibylError(.storageUnavailable, "the database is unreachable") }
                        return try await body(OpenConnection(connection: connection))
                    }
                    call.finish(.success(result))
                } catch {
                    call.finish(.failure(error))
                }
            }
            call.watch(Task {
                try await Task.sleep(for: Self.leaseTimeout)
                if call.abandon() { work.cancel() }
            })
        }
    }

    /// A session-level advisory lock, held on a connection of its own while `body` runs on others, and
    /// released when `body` ends (or by the server when the connection drops).
    func exclusively<R: Sendable>(_ lock: Int64, _ body: @escaping @Sendable () async throws -> R) async throws -> R {
        try await withDatabase { db in
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

/// A pooled connection's `SQLDatabase` that refuses a statement once the connection has closed. PostgresNIO
/// 1.33 never answers a statement written to a closed connection, so the ROLLBACK after a lost connection
/// would wait forever (and with it, whoever waited on the call).
struct OpenConnection: SQLDatabase {
    let connection: PostgresConnection
    let database: any SQLDatabase

    init(connection: PostgresConnection) {
        self.connection = connection
        database = connection.sql(queryLogLevel: nil)
    }

    var logger: Logger { database.logger }
    var eventLoop: any EventLoop { database.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { database.version }
    var dialect: any SQLDialect { database.dialect }
    var queryLogLevel: Logger.Level? { database.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        guard !connection.isClosed else { return eventLoop.makeFailedFuture(PostgresBackend.closed) }
        return database.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        guard !connection.isClosed else { throw PostgresBackend.closed }
        try await database.execute(sql: query, onRow)
    }
}

/// One call waiting for a connection: answered once, by its result or by the lease timeout, whichever
/// comes first; once given up on, it may no longer start.
private final class PendingCall<R: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<R, any Error>?
        var started = false
        /// The lease timeout's task, cancelled when the call ends first (a busy node makes many calls).
        var timer: Task<Void, any Error>?
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<R, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Called with a connection: whether the call still wants it.
    func claim() -> Bool {
        state.withLock { state in
            guard state.continuation != nil else { return false }
            state.started = true
            return true
        }
    }

    func watch(_ timer: Task<Void, any Error>) {
        state.withLock { state in
            if state.continuation == nil { timer.cancel() } else { state.timer = timer }
        }
    }

    func finish(_ result: Result<R, any Error>) {
        state.withLock { state in
            state.continuation?.resume(with: result)
            state.continuation = nil
            state.timer?.cancel()
        }
    }

    /// The lease timed out: answers the caller unless the call has started. Returns whether it gave up.
    func abandon() -> Bool {
        state.withLock { state in
            guard !state.started, let continuation = state.continuation else { return false }
            continuation.resume(throwing: SibylError(.storageUnavailable, "the database is unreachable"))
            state.continuation = nil
            return true
        }
    }
}

extension Store {
    /// Connects to the PostgreSQL database `url` names and brings its schema up to date.
    static func openPostgres(url: String, logger: Logger, clock: WallClock, migrations: [Migrations.Migration]) async throws(SibylError) -> Store {
        let store = Store(backend: PostgresBackend(configuration: try PostgresBackend.configuration(url: url), logger: logger), logger: logger, clock: clock)
        do {
            try await store.migrate(migrations)
        } catch {
            try? await store.shutdown()
            throw error
        }
        return store
    }
}
