import SibylCore
import SibylStore

/// Registry credentials (for pulling deployments' images) and secrets of a project. Passwords and secret
/// values are sealed before they are stored and never come back in clear; a secret's key id comes back
/// masked (`maskedKeyID`). Callers have found the project visible to the user.
public struct RegistryOperations: Sendable {
    let store: Store
    let sealer: Sealer

    public init(store: Store, sealer: Sealer) {
        self.store = store
        self.sealer = sealer
    }

    public func credentials(projectID: Int) async throws(SibylError) -> [SealedCredentials] {
        try await store.credentials(projectID: projectID)
    }

    public func credentials(projectID: Int, name: String?) async throws(SibylError) -> SealedCredentials {
        guard let found = try await store.credentials(projectID: projectID).first(where: { $0.name == name }) else {
            throw SibylError(.notFound, "no such registry credentials")
        }
        return found
    }

    /// Adds credentials (`replace` false: a new name, 409 when taken) or replaces those of the name.
    public func saveCredentials(
        projectID: Int, name: String, registryURL: String, username: String, password: String, replace: Bool
    ) async throws(SibylError) -> SealedCredentials {
        if !replace { try Deployment.validateKeyName(name) }
        let credentials = SealedCredentials(
            projectID: projectID, name: name, registryURL: registryURL, username: username, sealedPassword: sealer.seal(password))
        try await store.saveCredentials(credentials, replace: replace)
        return credentials
    }

    public func deleteCredentials(projectID: Int, name: String?) async throws(SibylError) {
        guard let name, try await store.deleteCredentials(projectID: projectID, name: name) else {
            throw SibylError(.notFound, "no such registry credentials")
        }
    }

    public func secrets(projectID: Int) async throws(SibylError) -> [SealedSecret] {
        try await store.secrets(projectID: projectID)
    }

    public func secret(projectID: Int, name: String?) async throws(SibylError) -> SealedSecret {
        guard let found = try await store.secrets(projectID: projectID).first(where: { $0.name == name }) else {
            throw SibylError(.notFound, "no such secret")
        }
        return found
    }

    /// Adds a secret (`replace` false: a new name) or replaces the one of the name. The only type is `aws-iam`.
    public func saveSecret(
        projectID: Int, name: String, type: String, awsAccessKeyID: String, awsSecretAccessKey: String, replace: Bool
    ) async throws(SibylError) -> SealedSecret {
        if !replace { try Deployment.validateKeyName(name) }
        guard type == "aws-iam" else { throw SibylError(.invalidInput, "type: the only type is aws-iam") }
        let sealed = SealedSecret(
            projectID: projectID, name: name, type: type, sealedData: sealer.seal(awsAccessKeyID + "\n" + awsSecretAccessKey))
        try await store.saveSecret(sealed, replace: replace)
        return sealed
    }

    public func deleteSecret(projectID: Int, name: String?) async throws(SibylError) {
        guard let name, try await store.deleteSecret(projectID: projectID, name: name) else {
            throw SibylError(.notFound, "no such secret")
        }
    }

    /// A secret's access key id as answers show it: its last four characters.
    public func maskedKeyID(_ secret: SealedSecret) throws(SibylError) -> String {
        let keyID = try sealer.open(secret.sealedData).split(separator: "\n").first.map(String.init) ?? ""
        return "****" + keyID.suffix(4)
    }
}
