import HummingbirdBcrypt
import NIOPosix
import SibylCore
import SibylStore

/// Users, sign-in, projects and the license, with their rules and errors, for the JSON routes and the
/// console alike. Whoever calls has authenticated the caller; admin-only operations check the role here.
public struct AccountOperations: Sendable {
    public let platform: Platform
    /// A hash at the configured cost, verified when a sign-in names no user, so both take as long.
    public let unknownUserHash: String
    public let throttle: LoginThrottle
    public var store: Store { platform.store }

    public init(platform: Platform) {
        self.platform = platform
        unknownUserHash = Bcrypt.hash(Secrets.make(), cost: platform.configuration.bcryptCost)
        throttle = LoginThrottle(store: platform.store, configuration: platform.configuration)
    }

    @discardableResult
    public static func requireAdmin(_ user: User) throws(SibylError) -> User {
        guard user.role == .admin else { throw SibylError(.forbidden, "only an admin can do this") }
        return user
    }

    public static func role(_ text: String?) throws(SibylError) -> Role? {
        guard let text else { return nil }
        guard let role = Role(rawValue: text) else { throw SibylError(.invalidInput, "role: expected \"admin\" or \"member\"") }
        return role
    }

    /// A password sign-in (the console's, or for an access token) from `address`, under the throttle: a
    /// `LoginThrottle.Refusal` when it must wait, `unauthenticated` when the name or password is wrong.
    public func signIn(name: String, password: String, address: IPAddress?) async throws -> User {
        try await throttle.attempt(name: name, address: address) { try await authenticate(name: name, password: password) }
    }

    /// The user whose name and password these are. An unknown name costs a bcrypt check too, so timing does
    /// not reveal which names exist.
    private func authenticate(name: String, password: String) async throws -> User {
        let credentials = try await store.credentials(name: name)
        let verified = await verify(password, credentials?.passwordHash ?? unknownUserHash)
        guard let credentials, verified else { throw SibylError(.unauthenticated, "wrong name or password") }
        return credentials.user
    }

    /// Every user (admins).
    public func users(by caller: User) async throws(SibylError) -> [User] {
        try Self.requireAdmin(caller)
        return try await store.users()
    }

    /// A new user (admins), made a member of `projects` (which the caller has looked up as visible to them).
    public func createUser(by caller: User, name: String, password: String, role: String?, projects: [Project] = []) async throws -> User {
        try Self.requireAdmin(caller)
        try User.validate(name: name)
        try User.validate(password: password)
        let role = try Self.role(role)
        let user = try await store.createUser(name: name, passwordHash: try await hash(password), role: role ?? .member)
        for project in projects {
            try await store.setMembers(projectID: project.id, userIDs: try await store.members(projectID: project.id) + [user.id])
        }
        return user
    }

    /// Changes a role (admins) or a password (admins, or a member their own). A new password ends every other
    /// token and console session of the user: all of them when an admin sets another user's, all but the
    /// caller's `credential` when users change their own.
    public func updateUser(by caller: Caller, id: Int, role roleText: String?, password: String?) async throws -> User {
        let credential = caller.user.id == id ? caller.credential : nil
        let caller = caller.user
        let role = try Self.role(roleText)
        guard caller.role == .admin || (caller.id == id && role == nil) else {
            throw caller.id == id ? SibylError(.forbidden, "only an admin can change roles") : SibylError(.notFound, "no such user")
        }
        if let password { try User.validate(password: password) }
        let hash: String? = if let password { try await hash(password) } else { nil }
        guard let user = try await store.updateUser(id: id, role: role, passwordHash: hash, keeping: credential) else {
            throw SibylError(.notFound, "no such user")
        }
        return user
    }

    public func deleteUser(by caller: User, id: Int?) async throws(SibylError) {
        try Self.requireAdmin(caller)
        guard let id, try await store.deleteUser(id: id) else { throw SibylError(.notFound, "no such user") }
    }

    /// A new project; its creator is its first member.
    public func createProject(by caller: User, name: String) async throws(SibylError) -> Project {
        try Model.validate(name: name)
        return try await store.createProject(name: name, members: [caller.id])
    }

    /// The projects `caller` sees (all of them for an admin), each with its members' ids.
    public func projectsWithMembers(visibleTo caller: User) async throws(SibylError) -> [(project: Project, members: [Int])] {
        var projects: [(project: Project, members: [Int])] = []
        for project in try await store.projects(visibleTo: caller) {
            projects.append((project, try await store.members(projectID: project.id)))
        }
        return projects
    }

    /// The ids of a project's members; whoever calls has found the project visible to the caller.
    public func members(of project: Project) async throws(SibylError) -> [Int] {
        try await store.members(projectID: project.id)
    }

    /// Replaces a project's members (admins): membership is what gives access to a project's models, APIs
    /// and keys, so a member granting it would hand another user what only an admin may give.
    public func setMembers(by caller: User, project: Project, userIDs: [Int]) async throws(SibylError) {
        try Self.requireAdmin(caller)
        try await store.setMembers(projectID: project.id, userIDs: userIDs)
    }

    public func license() async throws(SibylError) -> LicenseAnswer {
        let license = try await store.license()
        return LicenseAnswer(
            edition: license.edition.rawValue, apiOptions: license.apiOptions, apiOptionsInUse: try await store.officialAPICount())
    }

    /// Changes the edition and/or the number of API options (admins).
    public func setLicense(by caller: User, edition: String?, apiOptions: Int?) async throws(SibylError) -> LicenseAnswer {
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
    public func officialAPIRefusal() async throws(SibylError) -> String? {
        try await store.license().refusalOfOfficialAPI(inUse: try await store.officialAPICount())
    }

    /// A new access token of `user` for the configured lifetime, but not after `notAfter`.
    public func issueToken(for user: User, notAfter: Int64?, description: String) async throws(SibylError) -> (id: String, text: String, expiresAt: Int64) {
        try await Self.issueToken(
            for: user, store: store, lifetimeSeconds: platform.configuration.accessTokenLifetimeSeconds, notAfter: notAfter,
            description: description)
    }

    /// A new access token of `user`, working for `lifetimeSeconds` but not after `notAfter`: its id, its text
    /// (shown once) and its expiry.
    public static func issueToken(
        for user: User, store: Store, lifetimeSeconds: Int64, notAfter: Int64? = nil, description: String = "", text: String? = nil
    ) async throws(SibylError) -> (id: String, text: String, expiresAt: Int64) {
        let id = Identifier.make(Identifier.token)
        let text = text ?? "sibyl_" + Secrets.make()
        let expiresAt = min(store.clock.now() + lifetimeSeconds, notAfter ?? .max)
        try await store.createToken(
            id: id, userID: user.id, tokenHash: Secrets.sha256Hex(text), description: description, expiresAt: expiresAt)
        return (id, text, expiresAt)
    }

    /// A token's description: up to 200 printable characters, so that a list of tokens tells them apart.
    public static func validate(tokenDescription text: String) throws(SibylError) {
        guard text.count <= 200, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw SibylError(.invalidInput, "description: at most 200 printable characters")
        }
    }

    /// The user whose tokens `caller` asks for: themselves, or anyone for an admin; 404 otherwise.
    public func tokenOwner(by caller: User, id: Int?) async throws(SibylError) -> User {
        guard let id, caller.id == id || caller.role == .admin, let user = try await store.user(id: id) else {
            throw SibylError(.notFound, "no such user")
        }
        return user
    }

    /// `owner`'s access tokens; whoever calls has checked `tokenOwner` or is the owner.
    public func tokens(of owner: User) async throws(SibylError) -> [AccessToken] {
        try await store.tokens(userID: owner.id)
    }

    /// The console sessions `user` is signed in with.
    public func consoleSessions(of user: User) async throws(SibylError) -> [ConsoleSessionSummary] {
        try await store.consoleSessions(userID: user.id)
    }

    /// Signs out one of `user`'s browsers; 404 when they have no session with this handle.
    public func endConsoleSession(handle: String?, of user: User) async throws(SibylError) {
        guard let handle, try await store.deleteConsoleSession(handle: handle, userID: user.id) else {
            throw SibylError(.notFound, "no such session")
        }
    }

    /// Revokes one of `owner`'s tokens; 404 when they hold none with this id.
    public func revokeToken(_ tokenID: String?, of owner: User) async throws(SibylError) {
        guard let tokenID, try await store.deleteToken(id: tokenID, userID: owner.id) else { throw SibylError(.notFound, "no such token") }
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

/// The license as the management API and the console show it: the edition, the API options, and how many
/// official APIs use them.
public struct LicenseAnswer: Encodable, Sendable {
    public let edition: String
    public let apiOptions: Int
    public let apiOptionsInUse: Int
}
