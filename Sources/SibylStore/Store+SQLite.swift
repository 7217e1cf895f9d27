import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import SibylCore

/// One SQLite connection, used by one call at a time: SQLite writes one transaction at a time anyway, and
/// a single connection keeps each transaction's statements together.
struct SQLiteBackend: StoreBackend {
    let connection: SQLiteConnection
    let database: any SQLDatabase
    let lock = AsyncLock()

    var dialect: String { database.dialect.name }

    func withDatabase<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await lock.withLock { try await body(database) }
    }

    /// One node owns the file: nobody else to wait for.
    func exclusively<R: Sendable>(_ lock: Int64, _ body: @escaping @Sendable () async throws -> R) async throws -> R {
        try await body()
    }

    func shutdown() async throws {
        try await connection.close()
    }
}

extension Store {
    /// Opens (creating when absent) the SQLite database file at `path` and brings its schema up to date.
    static func openSQLite(path: String, logger: Logger, clock: WallClock, migrations: [Migrations.Migration]) async throws(SibylError) -> Store {
        makePrivate(databaseAt: path)
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            logger.error("cannot open database", metadata: ["error": "\(String(reflecting: error))"])
            throw SibylError(.storageUnavailable, "cannot open the SQLite database")
        }
        let store = Store(
            backend: SQLiteBackend(connection: connection, database: connection.sql(queryLogLevel: nil)), logger: logger, clock: clock)
        try await store.run { db in
            // WAL lets readers of the file (backups, sqlite3) work beside the node; FULL sync makes every
            // answered change durable across a power loss, not just a crash.
            for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
                           "PRAGMA busy_timeout = 5000"] {
                try await db.raw(SQLQueryString(pragma)).run()
            }
        }
        try await store.migrate(migrations)
        return store
    }

    /// The database file readable and writable by this user only: created empty (a valid empty database) with
    /// mode 0600 before SQLite opens it, or tightened when an older version left it readable by others. SQLite
    /// gives its `-wal`, `-shm` and `-journal` files the database file's mode; ones left behind are tightened too.
    private static func makePrivate(databaseAt path: String) {
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        for file in [path, path + "-wal", path + "-shm", path + "-journal"] where FileManager.default.fileExists(atPath: file) {
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
    }
}
