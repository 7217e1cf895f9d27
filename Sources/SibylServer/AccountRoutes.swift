import Hummingbird
import HummingbirdBcrypt
import NIOPosix
import SibylCore
import SibylStore

/// Users, access tokens, projects and the license, under `/api/v1`.
struct AccountRoutes {
    let platform: Platform
    let auth: Authenticator
    /// A hash at the configured cost, verified when a login names no user, so both take as long.
    let unknownUserHash: String

    init(platform: Platform, auth: Authenticator) {
        self.platform = platform
        self.auth = auth
        unknownUserHash = Bcrypt.hash(Secrets.make(), cost: platform.configuration.bcryptCost)
    }
    var limit: Int { platform.configuration.maxManagementBodyBytes }
    var store: Store { platform.store }

    func add(to router: Router<AppContext>) {
        let v1 = router.group("api/v1")
        v1.get("users") { request, _ in
            _ = try await auth.admin(request)
            return JSONAnswer(.ok, ListAnswer(try await store.users().map(UserAnswer.init)))
        }
        v1.post("users") { request, _ in try await createUser(request) }
        v1.patch("users/:user_id") { request, context in try await updateUser(request, context) }
        v1.delete("users/:user_id") { request, context in
            _ = try await auth.admin(request)
            guard let id = context.parameters.get("user_id").flatMap(Int.init), try await store.deleteUser(id: id) else {
                throw SibylError(.notFound, "no such user")
            }
            return Response(status: .noContent)
        }
        v1.get("me") { request, _ in JSONAnswer(.ok, UserAnswer(try await auth.user(request))) }
        v1.post("tokens") { request, _ in try await createToken(request) }
        v1.get("projects") { request, _ in
            let user = try await auth.user(request)
            var answers: [ProjectAnswer] = []
            for project in try await store.projects(visibleTo: user) {
                answers.append(ProjectAnswer(projectID: project.id, name: project.name, members: try await store.members(projectID: project.id)))
            }
            return JSONAnswer(.ok, ListAnswer(answers))
        }
        v1.post("projects") { request, _ in
            let user = try await auth.user(request)
            let body = try await JSONBody.read(request, limit: limit, allowed: ["name"])
            let name = try body.requiredString("name")
            try Model.validate(name: name)
            let project = try await store.createProject(name: name, members: [user.id])
            return JSONAnswer(.created, ProjectAnswer(projectID: project.id, name: project.name, members: [user.id]))
        }
        v1.get("projects/:project_id") { request, context in
            let (_, project) = try await auth.project(request, context)
            return JSONAnswer(.ok, ProjectAnswer(projectID: project.id, name: project.name, members: try await store.members(projectID: project.id)))
        }
        v1.put("projects/:project_id/members") { request, context in
            let (_, project) = try await auth.project(request, context)
            let body = try await JSONBody.read(request, limit: limit, allowed: ["user_ids"])
            guard let ids = try body.ints("user_ids") else { throw SibylError(.invalidInput, "user_ids: required") }
            try await store.setMembers(projectID: project.id, userIDs: ids)
            return JSONAnswer(.ok, ProjectAnswer(projectID: project.id, name: project.name, members: try await store.members(projectID: project.id)))
        }
        v1.get("license") { request, _ in
            _ = try await auth.user(request)
            return JSONAnswer(.ok, try await licenseAnswer())
        }
        v1.put("license") { request, _ in
            _ = try await auth.admin(request)
            let body = try await JSONBody.read(request, limit: limit, allowed: ["edition", "api_options"])
            var license = try await store.license()
            if let edition = try body.string("edition") {
                guard let value = License.Edition(rawValue: edition) else {
                    throw SibylError(.invalidInput, "edition: expected \"trial\" or \"licensed\"")
                }
                license.edition = value
            }
            if let options = try body.int("api_options") {
                try License.validate(apiOptions: options)
                license.apiOptions = options
            }
            try await store.setLicense(license)
            return JSONAnswer(.ok, try await licenseAnswer())
        }
    }

    private func licenseAnswer() async throws -> LicenseAnswer {
        let license = try await store.license()
        return LicenseAnswer(
            edition: license.edition.rawValue, apiOptions: license.apiOptions, apiOptionsInUse: try await store.officialAPICount())
    }

    private func createUser(_ request: Request) async throws -> JSONAnswer<UserAnswer> {
        _ = try await auth.admin(request)
        let body = try await JSONBody.read(request, limit: limit, allowed: ["name", "password", "role"])
        let name = try body.requiredString("name")
        let password = try body.requiredString("password")
        try User.validate(name: name)
        try User.validate(password: password)
        let role = try Self.role(body)
        let user = try await store.createUser(name: name, passwordHash: try await hash(password), role: role ?? .member)
        return JSONAnswer(.created, UserAnswer(user))
    }

    private func updateUser(_ request: Request, _ context: AppContext) async throws -> JSONAnswer<UserAnswer> {
        let caller = try await auth.user(request)
        guard let id = context.parameters.get("user_id").flatMap(Int.init) else { throw SibylError(.notFound, "no such user") }
        let body = try await JSONBody.read(request, limit: limit, allowed: ["role", "password"])
        let role = try Self.role(body)
        let password = try body.string("password")
        // A member may change their own password; everything else is for admins.
        guard caller.role == .admin || (caller.id == id && role == nil) else {
            throw caller.id == id ? SibylError(.forbidden, "only an admin can change roles") : SibylError(.notFound, "no such user")
        }
        if let password { try User.validate(password: password) }
        let hash: String? = if let password { try await hash(password) } else { nil }
        guard let user = try await store.updateUser(id: id, role: role, passwordHash: hash) else {
            throw SibylError(.notFound, "no such user")
        }
        return JSONAnswer(.ok, UserAnswer(user))
    }

    /// Issues an access token to the caller (by token) or to a user proving their password.
    private func createToken(_ request: Request) async throws -> JSONAnswer<IssuedToken> {
        let body = try await JSONBody.read(request, limit: limit, allowed: ["name", "password"])
        let user: User
        if let name = try body.string("name") {
            let password = try body.requiredString("password")
            let credentials = try await store.credentials(name: name)
            // Verify against a fixed hash when the user is unknown, so timing does not reveal names.
            let verified = await verify(password, credentials?.passwordHash ?? unknownUserHash)
            guard let credentials, verified else { throw SibylError(.unauthenticated, "wrong name or password") }
            user = credentials.user
        } else {
            user = try await auth.user(request)
        }
        let token = try await Self.issueToken(for: user, store: store)
        return JSONAnswer(.created, IssuedToken(tokenID: token.id, token: token.text, user: UserAnswer(user)))
    }

    static func issueToken(for user: User, store: Store, text: String? = nil) async throws(SibylError) -> (id: String, text: String) {
        let id = Identifier.make(Identifier.token)
        let text = text ?? "sibyl_" + Secrets.make()
        try await store.createToken(id: id, userID: user.id, tokenHash: Secrets.sha256Hex(text))
        return (id, text)
    }

    private static func role(_ body: JSONBody) throws(SibylError) -> Role? {
        guard let text = try body.string("role") else { return nil }
        guard let role = Role(rawValue: text) else { throw SibylError(.invalidInput, "role: expected \"admin\" or \"member\"") }
        return role
    }


    /// bcrypt is deliberately slow, so it runs on the thread pool, off the event loops.
    private func hash(_ password: String) async throws -> String {
        let cost = platform.configuration.bcryptCost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    private func verify(_ password: String, _ hash: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }) ?? false
    }
}
