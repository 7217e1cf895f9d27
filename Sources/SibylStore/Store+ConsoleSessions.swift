import SQLKit
import SibylCore

extension Store {
    /// Records a new session and drops every expired one.
    public func createConsoleSession(idHash: String, userID: Int, csrfToken: String, expiresAt: Int64) async throws(SibylError) {
        try await run(transaction: true) { db in
            let now = self.clock.now()
            try await db.raw("DELETE FROM console_sessions WHERE expires_at <= \(bind: now)").run()
            try await db.raw("""
                INSERT INTO console_sessions (id_hash, user_id, csrf_token, flash, created_at, expires_at)
                VALUES (\(bind: idHash), \(bind: userID), \(bind: csrfToken), NULL, \(bind: now), \(bind: expiresAt))
                """).run()
        }
    }

    /// The session whose id hashes to `idHash`, unless it has expired.
    public func consoleSession(idHash: String) async throws(SibylError) -> ConsoleSessionRecord? {
        try await run { db in
            guard let row = try await db.raw("""
                SELECT console_sessions.id_hash, console_sessions.csrf_token, users.id, users.name, users.role
                FROM console_sessions JOIN users ON users.id = console_sessions.user_id
                WHERE console_sessions.id_hash = \(bind: idHash) AND console_sessions.expires_at > \(bind: self.clock.now())
                """).first()
            else { return nil }
            return ConsoleSessionRecord(
                idHash: try row.decode(column: "id_hash", as: String.self),
                user: User(
                    id: try row.decode(column: "id", as: Int.self), name: try row.decode(column: "name", as: String.self),
                    role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .member),
                csrfToken: try row.decode(column: "csrf_token", as: String.self))
        }
    }

    public func deleteConsoleSession(idHash: String) async throws(SibylError) {
        try await run { db in try await db.raw("DELETE FROM console_sessions WHERE id_hash = \(bind: idHash)").run() }
    }

    /// Replaces the session's flash (nil clears it).
    public func setConsoleFlash(idHash: String, _ sealed: String?) async throws(SibylError) {
        try await run { db in
            try await db.raw("UPDATE console_sessions SET flash = \(bind: sealed) WHERE id_hash = \(bind: idHash)").run()
        }
    }

    /// Reads the session's flash and clears it in one transaction, so it is shown once, on one node.
    public func takeConsoleFlash(idHash: String) async throws(SibylError) -> String? {
        try await run(transaction: true) { db in
            let flash = try await db.raw("SELECT flash FROM console_sessions WHERE id_hash = \(bind: idHash)").first()?
                .decode(column: "flash", as: String?.self)
            if flash != nil {
                try await db.raw("UPDATE console_sessions SET flash = NULL WHERE id_hash = \(bind: idHash)").run()
            }
            return flash
        }
    }

    /// The user's unexpired sessions, newest first.
    public func consoleSessions(userID: Int) async throws(SibylError) -> [ConsoleSessionSummary] {
        try await run { db in
            try await db.raw("""
                SELECT id_hash, created_at, expires_at FROM console_sessions
                WHERE user_id = \(bind: userID) AND expires_at > \(bind: self.clock.now()) ORDER BY created_at DESC, id_hash
                """).all().map { row in
                ConsoleSessionSummary(
                    idHash: try row.decode(column: "id_hash", as: String.self),
                    createdAt: try row.decode(column: "created_at", as: Int64.self),
                    expiresAt: try row.decode(column: "expires_at", as: Int64.self))
            }
        }
    }

    /// Ends the user's session whose handle this is; false when the user has none with it.
    public func deleteConsoleSession(handle: String, userID: Int) async throws(SibylError) -> Bool {
        guard ConsoleSessionSummary.isWellFormed(handle: handle) else { return false }
        return try await run(transaction: true) { db in
            let rows = try await db.raw("""
                SELECT id_hash FROM console_sessions WHERE user_id = \(bind: userID) AND substr(id_hash, 1, 16) = \(bind: handle)
                """).all()
            for row in rows {
                try await db.raw("DELETE FROM console_sessions WHERE id_hash = \(bind: try row.decode(column: "id_hash", as: String.self))")
                    .run()
            }
            return !rows.isEmpty
        }
    }
}

