import Hummingbird
import SibylApp
import SibylCore
import SibylStore

/// The keys of Prediction One's developer API. `GET /v1/external/api-key` trades an account secret
/// (`AccountSecrets`) for a deploy key that works for `keyLifetime` seconds (a day by default); every other
/// developer call presents that key in `x-api-key` and acts as the secret's user in the secret's project. Both
/// are looked up by SHA-256 and compared in constant time; a user who has left the project, or was deleted,
/// is refused.
struct DeveloperCredentials: Sendable {
    let store: Store
    let keyLifetime: Int64
    static let keyPrefix = "dk_"

    func issueDeployKey(_ request: Request) async throws -> (key: String, expiresAt: Int64) {
        let holder = try await holder(request, unknown: "Not_found_credential.") { hash throws(SibylError) in
            try await store.accountSecretHolder(secretHash: hash)
        }
        _ = try await project(holder)
        let key = Self.keyPrefix + Secrets.make()
        let expiresAt = WallClock.now() + keyLifetime
        try await store.insertDeployKey(keyHash: Secrets.sha256Hex(key), secretID: holder.secretID, expiresAt: expiresAt)
        return (key, expiresAt)
    }

    /// The user and project a deploy key acts for.
    func caller(_ request: Request) async throws -> (User, Project) {
        let holder = try await holder(request, unknown: "invalid_api_key.") { hash throws(SibylError) in
            try await store.deployKeyHolder(keyHash: hash)
        }
        if let expiresAt = holder.expiresAt, expiresAt <= WallClock.now() { throw PredictionOneError.external("Inactive_credential.") }
        return (holder.user, try await project(holder))
    }

    private func holder(
        _ request: Request, unknown: String, _ lookup: (String) async throws(SibylError) -> CredentialHolder?
    ) async throws -> CredentialHolder {
        guard let text = request.headers[.xAPIKey], !text.isEmpty, text.utf8.count <= 256 else {
            throw PredictionOneError.external(unknown)
        }
        let hash = Secrets.sha256Hex(text)
        guard let holder = try await lookup(hash), Secrets.constantTimeEqual(holder.storedHash, hash) else {
            throw PredictionOneError.external(unknown)
        }
        return holder
    }

    private func project(_ holder: CredentialHolder) async throws -> Project {
        guard let project = try await store.project(id: holder.projectID, visibleTo: holder.user) else {
            throw PredictionOneError.external("This user may be deleted.")
        }
        return project
    }
}
