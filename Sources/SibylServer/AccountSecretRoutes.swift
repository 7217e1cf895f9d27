import Hummingbird
import SibylApp
import SibylCore

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
