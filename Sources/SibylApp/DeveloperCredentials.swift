import SibylCore
import SibylStore

/// The keys of Prediction One's developer API. `GET /v1/external/api-key` trades an account secret
/// (`AccountSecrets`) for a deploy key that works for `keyLifetime` seconds (a day by default); every other
/// developer call presents that key in `x-api-key` and acts as the secret's user in the secret's project. Both
/// are looked up by SHA-256 and compared in constant time; a user who has left the project, or was deleted,
/// is refused. Refusals carry the reference's messages ("Not_found_credential.", "invalid_api_key.", …), which
/// the developer API answers as they are.
public struct DeveloperCredentials: Sendable {
    let store: Store
    public let keyLifetime: Int64
    public static let keyPrefix = "dk_"

    public init(store: Store, keyLifetime: Int64) {
        self.store = store
        self.keyLifetime = keyLifetime
    }

    /// A new deploy key for the account secret presented (the `x-api-key` header's value).
    public func issueDeployKey(presented: String?) async throws(SibylError) -> (key: String, expiresAt: Int64) {
        let holder = try await holder(presented, unknown: "Not_found_credential.") { hash throws(SibylError) in
            try await store.accountSecretHolder(secretHash: hash)
        }
        _ = try await project(holder)
        let key = Self.keyPrefix + Secrets.make()
        let expiresAt = store.clock.now() + keyLifetime
        try await store.insertDeployKey(keyHash: Secrets.sha256Hex(key), secretID: holder.secretID, expiresAt: expiresAt)
        return (key, expiresAt)
    }

    /// The user and project the deploy key presented acts for.
    public func caller(presented: String?) async throws(SibylError) -> (User, Project) {
        let holder = try await holder(presented, unknown: "invalid_api_key.") { hash throws(SibylError) in
            try await store.deployKeyHolder(keyHash: hash)
        }
        if let expiresAt = holder.expiresAt, expiresAt <= store.clock.now() { throw SibylError(.unauthenticated, "Inactive_credential.") }
        return (holder.user, try await project(holder))
    }

    private func holder(
        _ presented: String?, unknown: String, _ lookup: (String) async throws(SibylError) -> CredentialHolder?
    ) async throws(SibylError) -> CredentialHolder {
        guard let text = presented, !text.isEmpty, text.utf8.count <= 256 else { throw SibylError(.unauthenticated, unknown) }
        let hash = Secrets.sha256Hex(text)
        guard let holder = try await lookup(hash), Secrets.constantTimeEqual(holder.storedHash, hash) else {
            throw SibylError(.unauthenticated, unknown)
        }
        return holder
    }

    private func project(_ holder: CredentialHolder) async throws(SibylError) -> Project {
        guard let project = try await store.project(id: holder.projectID, visibleTo: holder.user) else {
            throw SibylError(.unauthenticated, "This user may be deleted.")
        }
        return project
    }
}
