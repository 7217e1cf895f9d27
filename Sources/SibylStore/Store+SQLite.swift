import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import SibylCore

extension Store {
    /// Opens (creating when absent) the SQLite database file at `path` and brings its schema up to date.
    public static func openSQLite(path: String, logger: Logger) async throws(SibylError) -> Store {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            logger.error("cannot open database", metadata: ["error": "\(String(reflecting: error))"])
            throw SibylError(.storageUnavailable, "cannot open the SQLite database")
        }
        let store = Store(database: connection.sql(queryLogLevel: nil)) { try await connection.close() }
        try await store.run { db in
            // WAL lets readers of the file (backups, sqlite3) work beside the node; FULL sync makes every
            // answered change durable across a power loss, not just a crash.
            for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
                           "PRAGMA busy_timeout = 5000"] {
                try await db.raw(SQLQueryString(pragma)).run()
            }
        }
        try await store.migrate()
        return store
    }
}
