import Logging
import SQLKit
import SibylCore

/// Where a store keeps its tables: one SQLite file, or a PostgreSQL server that several nodes share.
protocol StoreBackend: Sendable {
    /// `SQLDialect.name` of the database, for the rare statement that differs.
    var dialect: String { get }
    /// Runs `body` with one connection that no other call uses meanwhile.
    func withDatabase<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R
    /// Runs `body` while no other node runs a body under the same `lock`; `body` makes its own calls.
    func exclusively<R: Sendable>(_ lock: Int64, _ body: @escaping @Sendable () async throws -> R) async throws -> R
    func shutdown() async throws
}

/// Everything Sibyl keeps, over one SQL code path (sql-kit) for every database it runs on.
///
/// Every call is one transaction: it commits before it returns, or changes nothing. The store knows no
/// HTTP and no authorization; callers check who may do what before they call.
public final class Store: Sendable {
    let backend: any StoreBackend
    let logger: Logger
    /// What "now" is for every row written and every expiry compared.
    public let clock: WallClock

    init(backend: any StoreBackend, logger: Logger, clock: WallClock) {
        self.backend = backend
        self.logger = logger
        self.clock = clock
    }

    /// Opens the database `url` names (`postgres://…`), or the SQLite file `sibyl.db` in `dataDirectory` when
    /// there is none, and brings its schema up to date.
    public static func open(url: String?, dataDirectory: String, logger: Logger, clock: WallClock = .system) async throws(SibylError) -> Store {
        try await open(url: url, dataDirectory: dataDirectory, logger: logger, clock: clock, migrations: Migrations.all)
    }

    /// Opens with only the first of the migrations applied: how the migration tests make an older database.
    static func open(
        url: String?, dataDirectory: String, logger: Logger, clock: WallClock = .system, migrations: [Migrations.Migration]
    ) async throws(SibylError) -> Store {
        guard let url else {
            return try await openSQLite(path: dataDirectory + "/sibyl.db", logger: logger, clock: clock, migrations: migrations)
        }
        return try await openPostgres(url: url, logger: logger, clock: clock, migrations: migrations)
    }

    /// Closes the connections; the store is unusable afterwards.
    public func shutdown() async throws {
        try await backend.shutdown()
    }

    /// Runs `body` on a connection of its own, inside a transaction when `transaction` is set.
    func run<R: Sendable>(
        transaction: Bool = false, _ body: @escaping @Sendable (any SQLDatabase) async throws -> R
    ) async throws(SibylError) -> R {
        try await storageErrors {
            try await self.backend.withDatabase { db in
                transaction ? try await Self.inTransaction(db, body) : try await body(db)
            }
        }
    }

    /// The database's own errors as `storageUnavailable` (logged here, never answered); Sibyl's pass as they are.
    private func storageErrors<R: Sendable>(_ work: () async throws -> R) async throws(SibylError) -> R {
        do {
            return try await work()
        } catch let error as SibylError {
            throw error
        } catch {
            logger.error("storage failure", metadata: ["error": "\(String(reflecting: error))"])
            throw SibylError(.storageUnavailable, "the database could not complete the request; nothing was changed")
        }
    }

    private static func inTransaction<R: Sendable>(
        _ db: any SQLDatabase, _ body: @escaping @Sendable (any SQLDatabase) async throws -> R
    ) async throws -> R {
        try await db.raw("BEGIN").run()
        do {
            let result = try await body(db)
            try await db.raw("COMMIT").run()
            return result
        } catch {
            try? await db.raw("ROLLBACK").run()
            throw error
        }
    }

    /// PostgreSQL's row lock for a read that a write in the same transaction depends on; SQLite's one
    /// connection already runs one transaction at a time.
    static func lockingRows(_ db: any SQLDatabase) -> String {
        db.dialect.name == "postgresql" ? " FOR UPDATE" : ""
    }

    /// The advisory locks that let one node at a time migrate a shared database, or set up an empty one.
    private static let migrationLock: Int64 = 0x5_1B71_0001
    private static let startLock: Int64 = 0x5_1B71_0002

    /// Runs `body` while no other node sharing the database runs its own: a node's start-up work that reads
    /// then writes (creating the first admin), so that nodes starting together do it once.
    public func duringStart<R: Sendable>(_ body: @escaping @Sendable () async throws -> R) async throws -> R {
        try await exclusively(Self.startLock, body)
    }

    private func exclusively<R: Sendable>(_ lock: Int64, _ body: @escaping @Sendable () async throws -> R) async throws(SibylError)
        -> R
    {
        try await storageErrors { try await self.backend.exclusively(lock, body) }
    }

    /// Applies the migrations not applied yet, in order, each in its own transaction. Nodes starting at once
    /// take turns: the first applies them, the others find them applied.
    func migrate(_ migrations: [Migrations.Migration]) async throws(SibylError) {
        let dialect = backend.dialect
        try await exclusively(Self.migrationLock) {
            let applied = try await self.run { db in
                try await db.raw("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)")
                    .run()
                return try await db.raw("SELECT name FROM migrations").all()
                    .map { try $0.decode(column: "name", as: String.self) }
            }
            for migration in migrations where !applied.contains(migration.name) {
                try await self.run(transaction: true) { db in
                    for statement in migration.statements(dialect) {
                        try await db.raw(SQLQueryString(statement)).run()
                    }
                    try await migration.then?(db)
                    try await db.raw(
                        "INSERT INTO migrations (name, applied_at) VALUES (\(bind: migration.name), \(bind: self.clock.now()))"
                    ).run()
                }
            }
        }
    }
}
