import SQLKit
import SibylCore

/// A signed-in console session as stored: the hash of its id, its user (with the role as it is now) and its
/// CSRF token.
public struct ConsoleSessionRecord: Sendable, Equatable {
    public let idHash: String
    public let user: User
    public let csrfToken: String
}

extension Store {
    /// Records a new session and drops every expired one.
    public func createConsoleSession(idHash: String, userID: Int, csrfToken: String, expiresAt: Int64) async throws(SibylError) {
        try await run(transaction: true) { db in
            let now = WallClock.now()
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
                WHERE console_sessions.id_hash = \(bind: idHash) AND console_sessions.expires_at > \(bind: WallClock.now())
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

    /// Records one failed sign-in against each subject and forgets failures at or before `since`.
    public func recordLoginFailure(subjects: [String], since: Int64) async throws(SibylError) {
        try await run(transaction: true) { db in
            try await db.raw("DELETE FROM login_failures WHERE failed_at <= \(bind: since)").run()
            let now = WallClock.now()
            for subject in subjects {
                try await db.raw("INSERT INTO login_failures (subject, failed_at) VALUES (\(bind: subject), \(bind: now))").run()
            }
        }
    }

    /// Failed sign-ins of a subject after a time: how many, and when the oldest of them happened.
    public func loginFailures(subject: String, since: Int64) async throws(SibylError) -> (count: Int, oldest: Int64?) {
        try await run { db in
            let row = try await db.raw("""
                SELECT COUNT(*) AS n, MIN(failed_at) AS oldest FROM login_failures
                WHERE subject = \(bind: subject) AND failed_at > \(bind: since)
                """).first()!
            return (try row.decode(column: "n", as: Int.self), try row.decode(column: "oldest", as: Int64?.self))
        }
    }

    public func clearLoginFailures(subject: String) async throws(SibylError) {
        try await run { db in try await db.raw("DELETE FROM login_failures WHERE subject = \(bind: subject)").run() }
    }
}
