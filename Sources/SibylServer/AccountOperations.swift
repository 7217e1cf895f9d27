import HummingbirdBcrypt
import NIOPosix
import SibylCore
import SibylStore

/// Users, sign-in, projects and the license, with their rules and errors, for the JSON routes and the
/// console alike. Whoever calls has authenticated the caller; admin-only operations check the role here.
struct AccountOperations: Sendable {
    let platform: Platform
    /// A hash at the configured cost, verified when a sign-in names no user, so both take as long.
    let unknownUserHash: String
    var store: Store { platform.store }

    init(platform: Platform) {
        self.platform = platform
        unknownUserHash = Bcrypt.hash(Secrets.make(), cost: platform.configuration.bcryptCost)
    }

    @discardableResult
    static func requireAdmin(_ user: User) throws(SibylError) -> User {
        guard user.role == .admin else { throw SibylError(.forbidden, "only an admin can do this") }
        return user
    }

    static func role(_ text: String?) throws(SibylError) -> Role? {
        guard let text else { return nil }
        guard let role = Role(rawValue: text) else { throw SibylError(.invalidInput, "role: expected \"admin\" or \"member\"") }
        return role
    }

    /// The user whose name and password these are. An unknown name costs a bcrypt check too, so timing does
    /// not reveal which names exist.
    func authenticate(name: String, password: String) async throws -> User {
        let credentials = try await store.credentials(name: name)
        let verified = await verify(password, credentials?.passwordHash ?? unknownUserHash)
        guard let credentials, verified else { throw SibylError(.unauthenticated, "wrong name or password") }
        return credentials.user
    }

    func createUser(by caller: User, name: String, password: String, role: String?) async throws -> User {
        try Self.requireAdmin(caller)
        try User.validate(name: name)
        try User.validate(password: password)
        let role = try Self.role(role)
        return try await store.createUser(name: name, passwordHash: try await hash(password), role: role ?? .member)
    }

    /// Changes a role (admins) or a password (admins, or a member their own).
    func updateUser(by caller: User, id: Int, role roleText: String?, password: String?) async throws -> User {
        let role = try Self.role(roleText)
        guard caller.role == .admin || (caller.id == id && role == nil) else {
            throw caller.id == id ? SibylError(.forbidden, "only an admin can change roles") : SibylError(.notFound, "no such user")
        }
        if let password { try User.validate(password: password) }
        let hash: String? = if let password { try await hash(password) } else { nil }
        guard let user = try await store.updateUser(id: id, role: role, passwordHash: hash) else {
            throw SibylError(.notFound, "no such user")
        }
        return user
    }

    func deleteUser(by caller: User, id: Int?) async throws(SibylError) {
        try Self.requireAdmin(caller)
        guard let id, try await store.deleteUser(id: id) else { throw SibylError(.notFound, "no such user") }
    }

    /// A new project; its creator is its first member.
    func createProject(by caller: User, name: String) async throws(SibylError) -> Project {
        try Model.validate(name: name)
        return try await store.createProject(name: name, members: [caller.id])
    }

    func license() async throws(SibylError) -> LicenseAnswer {
        let license = try await store.license()
        return LicenseAnswer(
            edition: license.edition.rawValue, apiOptions: license.apiOptions, apiOptionsInUse: try await store.officialAPICount())
    }

    /// Changes the edition and/or the number of API options (admins).
    func setLicense(by caller: User, edition: String?, apiOptions: Int?) async throws(SibylError) -> LicenseAnswer {
        try Self.requireAdmin(caller)
        var license = try await store.license()
        if let edition {
            guard let value = License.Edition(rawValue: edition) else {
                throw SibylError(.invalidInput, "edition: expected \"trial\" or \"licensed\"")
            }
            license.edition = value
        }
        if let apiOptions {
            try License.validate(apiOptions: apiOptions)
            license.apiOptions = apiOptions
        }
        try await store.setLicense(license)
        return try await self.license()
    }

    /// Why an official API cannot be created now, or nil when it can: the rule `Store.createAPI` enforces.
    func officialAPIRefusal() async throws(SibylError) -> String? {
        try await store.license().refusalOfOfficialAPI(inUse: try await store.officialAPICount())
    }

    static func issueToken(for user: User, store: Store, text: String? = nil) async throws(SibylError) -> (id: String, text: String) {
        let id = Identifier.make(Identifier.token)
        let text = text ?? "sibyl_" + Secrets.make()
        try await store.createToken(id: id, userID: user.id, tokenHash: Secrets.sha256Hex(text))
        return (id, text)
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
