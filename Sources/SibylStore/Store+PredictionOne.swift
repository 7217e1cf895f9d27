import SQLKit
import SibylCore

extension Store {
    /// The integer every model of a project is known by in Prediction One's developer API, by model id.
    public func modelNumbers(projectID: Int) async throws(SibylError) -> [String: Int] {
        try await run { db in
            let rows = try await db.raw("""
                SELECT model_numbers.model_id, model_numbers.number FROM model_numbers
                JOIN models ON models.id = model_numbers.model_id WHERE models.project_id = \(bind: projectID)
                """).all()
            var numbers: [String: Int] = [:]
            for row in rows {
                numbers[try row.decode(column: "model_id", as: String.self)] = try row.decode(column: "number", as: Int.self)
            }
            return numbers
        }
    }

    public func createAccountSecret(_ secret: AccountSecret, secretHash: String) async throws(SibylError) {
        try await run { db in
            try await db.raw("""
                INSERT INTO account_secrets (id, project_id, user_id, secret_hash, created_at)
                VALUES (\(bind: secret.id), \(bind: secret.projectID), \(bind: secret.userID), \(bind: secretHash),
                  \(bind: secret.createdAt))
                """).run()
        }
    }

    /// The account secrets of a project, oldest first.
    public func accountSecrets(projectID: Int) async throws(SibylError) -> [AccountSecret] {
        try await run { db in
            try await db.raw("""
                SELECT account_secrets.id, account_secrets.project_id, account_secrets.user_id, account_secrets.created_at,
                  users.name FROM account_secrets JOIN users ON users.id = account_secrets.user_id
                WHERE project_id = \(bind: projectID) ORDER BY account_secrets.created_at, account_secrets.id
                """).all().map { row in
                AccountSecret(
                    id: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: Int.self),
                    userID: try row.decode(column: "user_id", as: Int.self), userName: try row.decode(column: "name", as: String.self),
                    createdAt: try row.decode(column: "created_at", as: Int64.self))
            }
        }
    }

    /// Revokes an account secret and every key issued from it; false when the project had none with this id.
    public func deleteAccountSecret(projectID: Int, id: String) async throws(SibylError) -> Bool {
        try await run(transaction: true) { db in
            // The project's own secret or nothing: the keys of another project's secret are not touched.
            guard try await db.raw("""
                SELECT id FROM account_secrets WHERE project_id = \(bind: projectID) AND id = \(bind: id)
                """).first() != nil
            else { return false }
            try await db.raw("DELETE FROM deploy_keys WHERE secret_id = \(bind: id)").run()
            try await db.raw("DELETE FROM account_secrets WHERE id = \(bind: id)").run()
            return true
        }
    }

    public func accountSecretHolder(secretHash: String) async throws(SibylError) -> CredentialHolder? {
        try await run { db in
            try await db.raw("""
                SELECT account_secrets.id AS secret_id, account_secrets.project_id, account_secrets.secret_hash AS stored_hash,
                  users.id, users.name, users.role
                FROM account_secrets JOIN users ON users.id = account_secrets.user_id
                WHERE account_secrets.secret_hash = \(bind: secretHash)
                """).first().map { try Self.holder($0, expiresAt: nil) }
        }
    }

    /// Records a developer API key by its SHA-256; keys past their end are dropped on the way.
    public func insertDeployKey(keyHash: String, secretID: String, expiresAt: Int64) async throws(SibylError) {
        try await run(transaction: true) { db in
            try await db.raw("DELETE FROM deploy_keys WHERE expires_at <= \(bind: self.clock.now())").run()
            try await db.raw("""
                INSERT INTO deploy_keys (key_hash, secret_id, expires_at)
                VALUES (\(bind: keyHash), \(bind: secretID), \(bind: expiresAt))
                """).run()
        }
    }

    public func deployKeyHolder(keyHash: String) async throws(SibylError) -> CredentialHolder? {
        try await run { db in
            guard let row = try await db.raw("""
                SELECT deploy_keys.secret_id, deploy_keys.key_hash AS stored_hash, deploy_keys.expires_at,
                  account_secrets.project_id, users.id, users.name, users.role
                FROM deploy_keys JOIN account_secrets ON account_secrets.id = deploy_keys.secret_id
                JOIN users ON users.id = account_secrets.user_id WHERE deploy_keys.key_hash = \(bind: keyHash)
                """).first()
            else { return nil }
            return try Self.holder(row, expiresAt: try row.decode(column: "expires_at", as: Int64.self))
        }
    }

    private static func holder(_ row: any SQLRow, expiresAt: Int64?) throws -> CredentialHolder {
        CredentialHolder(
            secretID: try row.decode(column: "secret_id", as: String.self), projectID: try row.decode(column: "project_id", as: Int.self),
            user: User(
                id: try row.decode(column: "id", as: Int.self), name: try row.decode(column: "name", as: String.self),
                role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .member),
            storedHash: try row.decode(column: "stored_hash", as: String.self), expiresAt: expiresAt)
    }
}
