import SibylCore
import SibylStore

/// Account secrets: a user's secret for one project, from which Prediction One's developer API issues its
/// keys (`DeveloperCredentials`). Any member of the project may create one, list them (never their text) and
/// revoke one; revoking also ends every key issued from it.
public struct AccountSecrets: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// A new secret, shown in this answer and nowhere else.
    public struct Issued: Encodable {
        public let secretID: String
        public let secret: String
        public let user: String
        public let createdAt: String
    }

    public struct Listed: Encodable {
        public let secretID: String
        public let user: String
        public let createdAt: String

        public init(_ secret: AccountSecret) {
            secretID = secret.id
            user = secret.userName
            createdAt = UTCDay.dateTime(fromEpochSeconds: secret.createdAt)
        }
    }

    public static let idPrefix = "acs"
    public static let textPrefix = "as_"

    public func create(projectID: Int, by user: User) async throws(SibylError) -> Issued {
        let text = Self.textPrefix + Secrets.make()
        let secret = AccountSecret(
            id: Identifier.make(Self.idPrefix), projectID: projectID, userID: user.id, userName: user.name, createdAt: store.clock.now())
        try await store.createAccountSecret(secret, secretHash: Secrets.sha256Hex(text))
        return Issued(secretID: secret.id, secret: text, user: user.name, createdAt: UTCDay.dateTime(fromEpochSeconds: secret.createdAt))
    }

    public func list(projectID: Int) async throws(SibylError) -> [Listed] {
        try await all(projectID: projectID).map(Listed.init)
    }

    /// The project's account secrets as stored (never their text).
    public func all(projectID: Int) async throws(SibylError) -> [AccountSecret] {
        try await store.accountSecrets(projectID: projectID)
    }

    public func revoke(projectID: Int, id: String?) async throws(SibylError) {
        guard let id, try await store.deleteAccountSecret(projectID: projectID, id: id) else {
            throw SibylError(.notFound, "no such account secret")
        }
    }
}
