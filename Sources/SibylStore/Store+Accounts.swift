import SQLKit
import SibylCore

extension Store {
    public func userCount() async throws(SibylError) -> Int {
        try await run { db in try await db.raw("SELECT COUNT(*) AS n FROM users").first()!.decode(column: "n", as: Int.self) }
    }

    /// Creates a user; a name already taken is a conflict.
    public func createUser(name: String, passwordHash: String, role: Role) async throws(SibylError) -> User {
        try await run(transaction: true) { db in
            let taken = try await db.raw("SELECT id FROM users WHERE name = \(bind: name)").first()
            guard taken == nil else { throw SibylError(.conflict, "a user named \"\(name)\" already exists") }
            let row = try await db.raw("""
                INSERT INTO users (name, password_hash, role, created_at)
                VALUES (\(bind: name), \(bind: passwordHash), \(bind: role.rawValue), \(bind: self.clock.now())) RETURNING id
                """).first()!
            return User(id: try row.decode(column: "id", as: Int.self), name: name, role: role)
        }
    }

    public func users() async throws(SibylError) -> [User] {
        try await run { db in try await db.raw("SELECT id, name, role FROM users ORDER BY id").all().map(Self.user) }
    }

    public func user(id: Int) async throws(SibylError) -> User? {
        try await run { db in try await db.raw("SELECT id, name, role FROM users WHERE id = \(bind: id)").first().map(Self.user) }
    }

    /// The user and their bcrypt hash, for a password check.
    public func credentials(name: String) async throws(SibylError) -> (user: User, passwordHash: String)? {
        try await run { db in
            guard let row = try await db.raw("SELECT id, name, role, password_hash FROM users WHERE name = \(bind: name)").first()
            else { return nil }
            return (try Self.user(row), try row.decode(column: "password_hash", as: String.self))
        }
    }

    /// Changes a role and/or password. Refuses to leave the node without an admin. A new password ends every
    /// token and console session of the user but `keeping`, in the same transaction: whoever held a copy of
    /// the old password, or of a credential made with it, is signed out.
    public func updateUser(id: Int, role: Role?, passwordHash: String?, keeping: Credential? = nil) async throws(SibylError) -> User? {
        try await run(transaction: true) { db in
            guard var user = try await db.raw("SELECT id, name, role FROM users WHERE id = \(bind: id)").first().map(Self.user)
            else { return nil }
            if let role {
                if user.role == .admin, role != .admin { try await Self.requireAnotherAdmin(db, besides: id) }
                try await db.raw("UPDATE users SET role = \(bind: role.rawValue) WHERE id = \(bind: id)").run()
                user.role = role
            }
            if let passwordHash {
                try await db.raw("UPDATE users SET password_hash = \(bind: passwordHash) WHERE id = \(bind: id)").run()
                let keptToken = if case .token(let tokenID) = keeping { tokenID } else { "" }
                let keptSession = if case .consoleSession(let idHash) = keeping { idHash } else { "" }
                try await db.raw("DELETE FROM tokens WHERE user_id = \(bind: id) AND id <> \(bind: keptToken)").run()
                try await db.raw("DELETE FROM console_sessions WHERE user_id = \(bind: id) AND id_hash <> \(bind: keptSession)").run()
            }
            return user
        }
    }

    /// Deletes a user with their tokens, console sessions and memberships; false when there was none.
    public func deleteUser(id: Int) async throws(SibylError) -> Bool {
        try await run(transaction: true) { db in
            guard let user = try await db.raw("SELECT id, name, role FROM users WHERE id = \(bind: id)").first().map(Self.user)
            else { return false }
            if user.role == .admin { try await Self.requireAnotherAdmin(db, besides: id) }
            try await db.raw("DELETE FROM tokens WHERE user_id = \(bind: id)").run()
            try await db.raw("DELETE FROM console_sessions WHERE user_id = \(bind: id)").run()
            try await db.raw("""
                DELETE FROM deploy_keys WHERE secret_id IN (SELECT id FROM account_secrets WHERE user_id = \(bind: id))
                """).run()
            try await db.raw("DELETE FROM account_secrets WHERE user_id = \(bind: id)").run()
            try await db.raw("DELETE FROM project_members WHERE user_id = \(bind: id)").run()
            try await db.raw("DELETE FROM users WHERE id = \(bind: id)").run()
            return true
        }
    }

    private static func requireAnotherAdmin(_ db: any SQLDatabase, besides id: Int) async throws {
        let others = try await db.raw("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND id <> \(bind: id)")
            .first()!.decode(column: "n", as: Int.self)
        guard others > 0 else { throw SibylError(.conflict, "Sibyl needs at least one admin") }
    }

    /// How long an expired token stays listed (and is answered "expired" rather than "not valid") before the
    /// next new token deletes it.
    static let expiredTokenRetentionSeconds: Int64 = 7 * 24 * 3600

    /// Records an access token by the SHA-256 of its text (the text itself is never stored), and deletes the
    /// tokens that expired long ago.
    public func createToken(
        id: String, userID: Int, tokenHash: String, description: String = "", expiresAt: Int64
    ) async throws(SibylError) {
        try await run(transaction: true) { db in
            let now = self.clock.now()
            try await db.raw("DELETE FROM tokens WHERE expires_at <= \(bind: now - Self.expiredTokenRetentionSeconds)").run()
            try await db.raw("""
                INSERT INTO tokens (id, user_id, token_hash, description, created_at, expires_at)
                VALUES (\(bind: id), \(bind: userID), \(bind: tokenHash), \(bind: description), \(bind: now), \(bind: expiresAt))
                """).run()
        }
    }

    /// Gives every token made before tokens expired (migration 0006) the expiry `expiresAt`.
    public func dateUndatedTokens(expiresAt: Int64) async throws(SibylError) {
        try await run { db in
            try await db.raw("UPDATE tokens SET expires_at = \(bind: expiresAt) WHERE expires_at IS NULL").run()
        }
    }

    /// The token whose SHA-256 is `tokenHash` and its holder, with the stored hash for a constant-time check;
    /// expired or not (the caller says which).
    public func tokenHolder(tokenHash: String) async throws(SibylError) -> TokenHolder? {
        try await run { db in
            guard let row = try await db.raw("""
                SELECT users.id, users.name, users.role, tokens.token_hash, tokens.id AS token_id, tokens.expires_at,
                  tokens.last_used_at
                FROM tokens JOIN users ON users.id = tokens.user_id WHERE tokens.token_hash = \(bind: tokenHash)
                """).first()
            else { return nil }
            return TokenHolder(
                user: try Self.user(row), storedHash: try row.decode(column: "token_hash", as: String.self),
                tokenID: try row.decode(column: "token_id", as: String.self),
                expiresAt: try row.decode(column: "expires_at", as: Int64?.self),
                lastUsedAt: try row.decode(column: "last_used_at", as: Int64?.self))
        }
    }

    /// Records that a token was used at `time`.
    public func touchToken(id: String, at time: Int64) async throws(SibylError) {
        try await run { db in try await db.raw("UPDATE tokens SET last_used_at = \(bind: time) WHERE id = \(bind: id)").run() }
    }

    /// A user's tokens, newest first (never their hashes).
    public func tokens(userID: Int) async throws(SibylError) -> [AccessToken] {
        try await run { db in
            try await db.raw("""
                SELECT id, user_id, description, created_at, expires_at, last_used_at FROM tokens
                WHERE user_id = \(bind: userID) ORDER BY created_at DESC, id
                """).all().map { row in
                AccessToken(
                    id: try row.decode(column: "id", as: String.self), userID: try row.decode(column: "user_id", as: Int.self),
                    description: try row.decode(column: "description", as: String.self),
                    createdAt: try row.decode(column: "created_at", as: Int64.self),
                    expiresAt: try row.decode(column: "expires_at", as: Int64?.self),
                    lastUsedAt: try row.decode(column: "last_used_at", as: Int64?.self))
            }
        }
    }

    /// Deletes one of a user's tokens; false when that user has no token with this id.
    public func deleteToken(id: String, userID: Int) async throws(SibylError) -> Bool {
        try await run(transaction: true) { db in
            guard try await db.raw("SELECT id FROM tokens WHERE id = \(bind: id) AND user_id = \(bind: userID)").first() != nil
            else { return false }
            try await db.raw("DELETE FROM tokens WHERE id = \(bind: id)").run()
            return true
        }
    }

    private static func user(_ row: any SQLRow) throws -> User {
        User(
            id: try row.decode(column: "id", as: Int.self), name: try row.decode(column: "name", as: String.self),
            role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .member)
    }
}

extension Store {
    public func createProject(name: String, members: [Int]) async throws(SibylError) -> Project {
        try await run(transaction: true) { db in
            let id = try await db.raw("""
                INSERT INTO projects (name, created_at) VALUES (\(bind: name), \(bind: self.clock.now())) RETURNING id
                """).first()!.decode(column: "id", as: Int.self)
            for user in Set(members) {
                try await db.raw("INSERT INTO project_members (project_id, user_id) VALUES (\(bind: id), \(bind: user))").run()
            }
            return Project(id: id, name: name)
        }
    }

    /// Projects `user` may see: all of them for an admin, their own for a member.
    public func projects(visibleTo user: User) async throws(SibylError) -> [Project] {
        try await run { db in
            let rows =
                user.role == .admin
                ? try await db.raw("SELECT id, name FROM projects ORDER BY id").all()
                : try await db.raw("""
                    SELECT projects.id, projects.name FROM projects JOIN project_members ON project_id = projects.id
                    WHERE user_id = \(bind: user.id) ORDER BY projects.id
                    """).all()
            return try rows.map { Project(id: try $0.decode(column: "id", as: Int.self), name: try $0.decode(column: "name", as: String.self)) }
        }
    }

    /// The project when `user` may see it; nil otherwise, whether or not it exists.
    public func project(id: Int, visibleTo user: User) async throws(SibylError) -> Project? {
        try await projects(visibleTo: user).first { $0.id == id }
    }

    public func members(projectID: Int) async throws(SibylError) -> [Int] {
        try await run { db in
            try await db.raw("SELECT user_id FROM project_members WHERE project_id = \(bind: projectID) ORDER BY user_id")
                .all().map { try $0.decode(column: "user_id", as: Int.self) }
        }
    }

    /// Replaces the member list; every id must be an existing user.
    public func setMembers(projectID: Int, userIDs: [Int]) async throws(SibylError) {
        try await run(transaction: true) { db in
            for user in Set(userIDs) {
                guard try await db.raw("SELECT id FROM users WHERE id = \(bind: user)").first() != nil else {
                    throw SibylError(.invalidInput, "user_ids: no user \(user)")
                }
            }
            try await db.raw("DELETE FROM project_members WHERE project_id = \(bind: projectID)").run()
            for user in Set(userIDs) {
                try await db.raw("INSERT INTO project_members (project_id, user_id) VALUES (\(bind: projectID), \(bind: user))").run()
            }
        }
    }

    public func license() async throws(SibylError) -> License {
        try await run { db in
            guard let row = try await db.raw("SELECT edition, api_options FROM license WHERE id = 1").first() else {
                return License.initial
            }
            return License(
                edition: License.Edition(rawValue: try row.decode(column: "edition", as: String.self)) ?? .trial,
                apiOptions: try row.decode(column: "api_options", as: Int.self))
        }
    }

    /// Saves the license, refusing (409) one below the official APIs that exist. Counted in the transaction
    /// that saves it, and `createAPI` checks the license in its own, so neither can slip past the other.
    public func setLicense(_ license: License) async throws(SibylError) {
        try await run(transaction: true) { db in
            // Taking the license row first serializes this with API creation on PostgreSQL (SQLite's
            // transactions are serial already).
            _ = try await db.raw("SELECT id FROM license WHERE id = 1\(unsafeRaw: Self.lockingRows(db))").first()
            if let refusal = license.refusal(officialAPIsInUse: try await Self.officialAPICount(db)) {
                throw SibylError(.conflict, refusal)
            }
            try await db.raw("DELETE FROM license WHERE id = 1").run()
            try await db.raw("""
                INSERT INTO license (id, edition, api_options) VALUES (1, \(bind: license.edition.rawValue), \(bind: license.apiOptions))
                """).run()
        }
    }
}
