import Hummingbird
import SibylCore
import SibylStore

/// Account secrets: a user's secret for one project, from which Prediction One's developer API issues its
/// keys (`DeveloperCredentials`). Any member of the project may create one, list them (never their text) and
/// revoke one; revoking also ends every key issued from it.
struct AccountSecrets: Sendable {
    let store: Store

    /// A new secret, shown in this answer and nowhere else.
    struct Issued: Encodable {
        let secretID: String
        let secret: String
        let user: String
        let createdAt: String
    }

    struct Listed: Encodable {
        let secretID: String
        let user: String
        let createdAt: String

        init(_ secret: AccountSecret) {
            secretID = secret.id
            user = secret.userName
            createdAt = UTCDay.dateTime(fromEpochSeconds: secret.createdAt)
        }
    }

    static let idPrefix = "acs"
    static let textPrefix = "as_"

    func create(projectID: Int, by user: User) async throws(SibylError) -> Issued {
        let text = Self.textPrefix + Secrets.make()
        let secret = AccountSecret(
            id: Identifier.make(Self.idPrefix), projectID: projectID, userID: user.id, userName: user.name, createdAt: WallClock.now())
        try await store.createAccountSecret(secret, secretHash: Secrets.sha256Hex(text))
        return Issued(secretID: secret.id, secret: text, user: user.name, createdAt: UTCDay.dateTime(fromEpochSeconds: secret.createdAt))
    }

    func list(projectID: Int) async throws(SibylError) -> [Listed] {
        try await store.accountSecrets(projectID: projectID).map(Listed.init)
    }

    func revoke(projectID: Int, id: String?) async throws(SibylError) {
        guard let id, try await store.deleteAccountSecret(projectID: projectID, id: id) else {
            throw SibylError(.notFound, "no such account secret")
        }
    }
}

/// `/api/v1/projects/{project_id}/account_secrets`: create (201, the secret once), list, revoke (204).
struct AccountSecretRoutes {
    let secrets: AccountSecrets
    let auth: Authenticator

    func add(to router: Router<AppContext>) {
        let group = router.group("api/v1/projects/:project_id/account_secrets")
        group.post { request, context in
            let (user, project) = try await auth.project(request, context)
            return JSONAnswer(.created, try await secrets.create(projectID: project.id, by: user))
        }
        group.get { request, context in
            let (_, project) = try await auth.project(request, context)
            return JSONAnswer(.ok, ListAnswer(try await secrets.list(projectID: project.id)))
        }
        group.delete(":secret_id") { request, context in
            let (_, project) = try await auth.project(request, context)
            try await secrets.revoke(projectID: project.id, id: context.parameters.get("secret_id"))
            return Response(status: .noContent)
        }
    }
}
