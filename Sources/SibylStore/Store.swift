import Logging
import SQLKit
import SibylCore

/// Everything Sibyl keeps, over one SQL code path (sql-kit) for every database it runs on.
///
/// Every call is one transaction: it commits before it returns, or changes nothing. The store knows no
/// HTTP and no authorization; callers check who may do what before they call.
public final class Store: Sendable {
    let database: any SQLDatabase
    private let lock = AsyncLock()
    private let close: @Sendable () async throws -> Void

    init(database: any SQLDatabase, close: @escaping @Sendable () async throws -> Void) {
        self.database = database
        self.close = close
    }

    /// Closes the connection; the store is unusable afterwards.
    public func shutdown() async throws {
        try await close()
    }

    /// Runs `body` alone on the connection, inside a transaction when `transaction` is set.
    func run<R: Sendable>(
        transaction: Bool = false, _ body: @escaping @Sendable (any SQLDatabase) async throws -> R
    ) async throws(SibylError) -> R {
        do {
            return try await lock.withLock {
                guard transaction else { return try await body(self.database) }
                try await self.database.raw("BEGIN").run()
                do {
                    let result = try await body(self.database)
                    try await self.database.raw("COMMIT").run()
                    return result
                } catch {
                    try? await self.database.raw("ROLLBACK").run()
                    throw error
                }
            }
        } catch let error as SibylError {
            throw error
        } catch {
            database.logger.error("storage failure", metadata: ["error": "\(String(reflecting: error))"])
            throw SibylError(.storageUnavailable, "the database could not complete the request; nothing was changed")
        }
    }

    /// Applies the migrations not applied yet, in order, each in its own transaction.
    func migrate() async throws(SibylError) {
        let dialect = database.dialect.name
        try await run { db in
            try await db.raw("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)")
                .run()
        }
        let applied = try await run { db in
            try await db.raw("SELECT name FROM migrations").all().map { try $0.decode(column: "name", as: String.self) }
        }
        for migration in Migrations.all where !applied.contains(migration.name) {
            try await run(transaction: true) { db in
                for statement in migration.statements(dialect) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw(
                    "INSERT INTO migrations (name, applied_at) VALUES (\(bind: migration.name), \(bind: WallClock.now()))"
                ).run()
            }
        }
    }
}

