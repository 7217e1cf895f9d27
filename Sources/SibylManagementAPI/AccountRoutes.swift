import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// Users, access tokens, projects and the license, under `/api/v1`. The rules live in `AccountOperations`;
/// this reads JSON and answers it.
struct AccountRoutes: Sendable {
    let operations: AccountOperations
    let auth: Authenticator
    var limit: Int { operations.platform.configuration.maxManagementBodyBytes }
    var configuration: ServerConfiguration { operations.platform.configuration }
    var resolver: ClientAddressResolver { ClientAddressResolver(trustedProxies: configuration.trustedProxies) }

    func add(to router: Router<AppContext>) {
        // The one route open to a caller without a token: signing in for one.
        router.group("api/v1").post("tokens") { request, context in try await createToken(request, context) }
        let v1 = router.callerGroup("api/v1", auth)
        v1.get("users") { request, context in
            let caller = try AccountOperations.requireAdmin(context.user)
            return JSONAnswer(.ok, ListAnswer(try await operations.users(by: caller).map(UserAnswer.init)))
        }
        v1.post("users") { request, context in
            let caller = try AccountOperations.requireAdmin(context.user)
            let body = try await JSONBody.read(request, limit: limit, allowed: ["name", "password", "role"])
            let name = try body.requiredString("name")
            let password = try body.requiredString("password")
            let user = try await operations.createUser(by: caller, name: name, password: password, role: try body.string("role"))
            return JSONAnswer(.created, UserAnswer(user))
        }
        v1.patch("users/:user_id") { request, context in
            guard let id = context.parameters.get("user_id").flatMap(Int.init) else { throw SibylError(.notFound, "no such user") }
            let body = try await JSONBody.read(request, limit: limit, allowed: ["role", "password"])
            let user = try await operations.updateUser(
                by: context.caller, id: id, role: try body.string("role"), password: try body.string("password"))
            return JSONAnswer(.ok, UserAnswer(user))
        }
        v1.delete("users/:user_id") { request, context in
            let caller = try AccountOperations.requireAdmin(context.user)
            try await operations.deleteUser(by: caller, id: context.parameters.get("user_id").flatMap(Int.init))
            return Response(status: .noContent)
        }
        v1.get("me") { request, context in JSONAnswer(.ok, UserAnswer(context.user)) }
        v1.get("tokens") { request, context in try await tokens(of: context.user, caller: context.caller) }
        v1.delete("tokens/:token_id") { request, context in
            try await operations.revokeToken(context.parameters.get("token_id"), of: context.user)
            return Response(status: .noContent)
        }
        // An admin's view of anyone's tokens (a member's of their own): to end a departing user's access.
        v1.get("users/:user_id/tokens") { request, context in
            let caller = context.caller
            let owner = try await operations.tokenOwner(by: caller.user, id: context.parameters.get("user_id").flatMap(Int.init))
            return try await tokens(of: owner, caller: caller)
        }
        v1.delete("users/:user_id/tokens/:token_id") { request, context in
            let owner = try await operations.tokenOwner(
                by: context.user, id: context.parameters.get("user_id").flatMap(Int.init))
            try await operations.revokeToken(context.parameters.get("token_id"), of: owner)
            return Response(status: .noContent)
        }
        v1.get("projects") { request, context in
            let projects = try await operations.projectsWithMembers(visibleTo: context.user)
            return JSONAnswer(.ok, ListAnswer(projects.map { ProjectAnswer(projectID: $0.project.id, name: $0.project.name, members: $0.members) }))
        }
        v1.post("projects") { request, context in
            let user = context.user
            let body = try await JSONBody.read(request, limit: limit, allowed: ["name"])
            let project = try await operations.createProject(by: user, name: try body.requiredString("name"))
            return JSONAnswer(.created, ProjectAnswer(projectID: project.id, name: project.name, members: [user.id]))
        }
        v1.get("license") { request, context in
            JSONAnswer(.ok, try await operations.license())
        }
        v1.put("license") { request, context in
            let caller = try AccountOperations.requireAdmin(context.user)
            let body = try await JSONBody.read(request, limit: limit, allowed: ["edition", "api_options"])
            let license = try await operations.setLicense(
                by: caller, edition: try body.string("edition"), apiOptions: try body.int("api_options"))
            return JSONAnswer(.ok, license)
        }

        let project = router.projectGroup("api/v1/projects/:project_id", auth)
        project.get { request, context in
            let project = context.project
            return JSONAnswer(.ok, ProjectAnswer(projectID: project.id, name: project.name, members: try await operations.members(of: project)))
        }
        project.put("members") { request, context in
            let caller = context.user
            let project = context.project
            let body = try await JSONBody.read(request, limit: limit, allowed: ["user_ids"])
            guard let ids = try body.ints("user_ids") else { throw SibylError(.invalidInput, "user_ids: required") }
            try await operations.setMembers(by: caller, project: project, userIDs: ids)
            return JSONAnswer(.ok, ProjectAnswer(projectID: project.id, name: project.name, members: try await operations.members(of: project)))
        }
    }

    /// Issues an access token to a user proving their password (throttled like the console's sign-in, against
    /// the same counts), or to the caller by token. A token made with a token expires no later than it, so a
    /// stolen token cannot be renewed for ever: a later expiry takes the password.
    private func createToken(_ request: Request, _ context: AppContext) async throws -> JSONAnswer<IssuedToken> {
        let body = try await JSONBody.read(request, limit: limit, allowed: ["name", "password", "description"])
        let description = try body.string("description") ?? ""
        try AccountOperations.validate(tokenDescription: description)
        let user: User
        var notAfter: Int64?
        if let name = try body.string("name") {
            let password = try body.requiredString("password")
            let address = resolver.resolve(peer: context.peer, forwardedFor: request.headers[values: .xForwardedFor])
            user = try await operations.signIn(name: name, password: password, address: address)
        } else {
            // No name: the token the request carries renews itself (this route is outside the authenticated group).
            let caller = try await auth.caller(request)
            user = caller.user
            notAfter = caller.expiresAt
        }
        let token = try await operations.issueToken(for: user, notAfter: notAfter, description: description)
        return JSONAnswer(
            .created,
            IssuedToken(
                tokenID: token.id, token: token.text, user: UserAnswer(user), description: description,
                expiresAt: UTCDay.dateTime(fromEpochSeconds: token.expiresAt)))
    }

    private func tokens(of owner: User, caller: Caller) async throws -> JSONAnswer<ListAnswer<TokenAnswer>> {
        let current = if case .token(let id) = caller.credential { id } else { "" }
        return JSONAnswer(.ok, ListAnswer(try await operations.tokens(of: owner).map { TokenAnswer($0, current: $0.id == current) }))
    }
}
