import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// `/api/v1/projects/{project_id}/account_secrets`: create (201, the secret once), list, revoke (204).
struct AccountSecretRoutes: Sendable {
    let secrets: AccountSecrets
    let auth: Authenticator

    func add(to router: Router<AppContext>) {
        let group = router.projectGroup("api/v1/projects/:project_id/account_secrets", auth)
        group.post { request, context in
            let user = context.user
            let project = context.project
            return JSONAnswer(.created, try await secrets.create(projectID: project.id, by: user))
        }
        group.get { request, context in
            let project = context.project
            return JSONAnswer(.ok, ListAnswer(try await secrets.list(projectID: project.id)))
        }
        group.delete(":secret_id") { request, context in
            let project = context.project
            try await secrets.revoke(projectID: project.id, id: context.parameters.get("secret_id"))
            return Response(status: .noContent)
        }
    }
}
