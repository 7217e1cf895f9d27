import Hummingbird
import SibylCore
import SibylStore

/// The Admin pages: users and roles with project membership, and the license. Admins only; a member is
/// answered 403, as by the JSON API.
struct ConsoleAdminPages {
    let console: Console

    struct UserRow: Sendable {
        let id: Int
        let name: String
        let isAdmin: Bool
        let isYou: Bool
        let projects: String
    }

    struct MemberBox: Sendable {
        let userID: Int
        let userName: String
        let isMember: Bool
    }

    struct ProjectRow: Sendable {
        let id: Int
        let name: String
        let members: [MemberBox]
    }

    struct UsersView: Sendable {
        let users: [UserRow]
        let projects: [ProjectRow]
        let newName: String
        let userError: String?
    }

    struct LicenseView: Sendable {
        let edition: String
        let isLicensed: Bool
        let inUse: Int
        let options: Int
        let meterMax: Int
        let trialLimit = PredictionAPI.trialRequestLimit
        let licenseError: String?
    }

    func add(to router: Router<AppContext>) {
        router.get("admin/users") { request, context in
            try await console.page(request, context) { visit in try await users(visit) }
        }
        router.post("admin/users") { request, context in
            try await console.action(request, context) { visit in
                try visit.requireAdmin()
                let name = visit.form["name"] ?? ""
                do {
                    let user = try await console.accounts.createUser(
                        by: visit.user, name: name, password: visit.form["password"] ?? "", role: visit.form.optional("role"))
                    for text in visit.form.all("project") {
                        let project = try await console.auth.project(text, visibleTo: visit.user)
                        try await console.store.setMembers(
                            projectID: project.id, userIDs: try await console.store.members(projectID: project.id) + [user.id])
                    }
                    return try await visit.redirect(to: "/admin/users", notice: "User \(user.name) added as \(user.role.rawValue).")
                } catch let error as SibylError where error.code == .invalidInput || error.code == .conflict {
                    return try await users(visit, newName: name, userError: error)
                }
            }
        }
        router.post("admin/users/:user_id/role") { request, context in
            try await console.action(request, context) { visit in
                try await refusingOnUsersPage(visit) {
                    let user = try await console.accounts.updateUser(
                        by: Caller(user: visit.user, credential: .consoleSession(idHash: visit.session.idHash)), id: try userID(context),
                        role: visit.form["role"], password: nil)
                    return try await visit.redirect(to: "/admin/users", notice: "\(user.name) is now \(user.role.rawValue).")
                }
            }
        }
        // An admin sets another user's password (their own is changed on the account page, with the current
        // one); every session and token of that user ends.
        router.post("admin/users/:user_id/password") { request, context in
            try await console.action(request, context) { visit in
                try await refusingOnUsersPage(visit) {
                    let id = try userID(context)
                    guard id != visit.user.id else { return ConsoleVisit.redirect(to: "/account") }
                    let user = try await console.accounts.updateUser(
                        by: Caller(user: visit.user, credential: .consoleSession(idHash: visit.session.idHash)), id: id, role: nil,
                        password: visit.form["password"] ?? "")
                    return try await visit.redirect(
                        to: "/admin/users", notice: "Password of \(user.name) set; their sessions and access tokens have ended.")
                }
            }
        }
        router.post("admin/users/:user_id/delete") { request, context in
            try await console.action(request, context) { visit in
                try await refusingOnUsersPage(visit) {
                    try await console.accounts.deleteUser(by: visit.user, id: try userID(context))
                    return try await visit.redirect(to: "/admin/users", notice: "User deleted.")
                }
            }
        }
        router.post("admin/projects") { request, context in
            try await console.action(request, context) { visit in
                try await refusingOnUsersPage(visit) {
                    try visit.requireAdmin()
                    let project = try await console.accounts.createProject(by: visit.user, name: visit.form["name"] ?? "")
                    return try await visit.redirect(to: "/admin/users", notice: "Project \(project.name) created.")
                }
            }
        }
        router.post("admin/projects/:project_id/members") { request, context in
            try await console.action(request, context) { visit in
                try await refusingOnUsersPage(visit) {
                    try visit.requireAdmin()
                    let project = try await visit.project()
                    let ids = try visit.form.all("user").map { text throws(SibylError) in
                        guard let id = Int(text) else { throw SibylError(.invalidInput, "user_ids: expected an array of integers") }
                        return id
                    }
                    try await console.store.setMembers(projectID: project.id, userIDs: ids)
                    return try await visit.redirect(to: "/admin/users", notice: "Members of \(project.name) saved.")
                }
            }
        }
        router.get("admin/license") { request, context in
            try await console.page(request, context) { visit in try await license(visit) }
        }
        router.post("admin/license") { request, context in
            try await console.action(request, context) { visit in
                try visit.requireAdmin()
                do {
                    var options: Int?
                    if let text = visit.form.optional("api_options") {
                        guard let value = Int(text) else { throw SibylError(.invalidInput, "api_options: expected an integer") }
                        options = value
                    }
                    let license = try await console.accounts.setLicense(
                        by: visit.user, edition: visit.form.optional("edition"), apiOptions: options)
                    return try await visit.redirect(
                        to: "/admin/license", notice: "License saved: \(license.edition), \(license.apiOptions) API options.")
                } catch let error as SibylError where error.code == .invalidInput || error.code == .conflict {
                    // A license below what is in use (409) is shown on the form, as a typo is.
                    return try await self.license(visit, error: error)
                }
            }
        }
    }

    private func userID(_ context: AppContext) throws(SibylError) -> Int {
        guard let id = context.parameters.get("user_id").flatMap(Int.init) else { throw SibylError(.notFound, "no such user") }
        return id
    }

    /// Runs an admin action; a refusal it meets (the last admin, a bad name) is shown on the users page.
    private func refusingOnUsersPage(
        _ visit: ConsoleVisit, _ body: () async throws -> Response
    ) async throws -> Response {
        do {
            return try await body()
        } catch let error as SibylError where error.code == .conflict || error.code == .invalidInput {
            return try await users(visit, pageError: error)
        }
    }

    private func users(
        _ visit: ConsoleVisit, newName: String = "", userError: SibylError? = nil, pageError: SibylError? = nil
    ) async throws -> Response {
        try visit.requireAdmin()
        let users = try await console.store.users()
        let projects = try await console.store.projects(visibleTo: visit.user)
        var membership: [Int: [Int]] = [:]
        for project in projects { membership[project.id] = try await console.store.members(projectID: project.id) }
        let rows = users.map { user in
            UserRow(
                id: user.id, name: user.name, isAdmin: user.role == .admin, isYou: user.id == visit.user.id,
                projects: projects.filter { membership[$0.id]?.contains(user.id) == true }.map(\.name).joined(separator: ", "))
        }
        let projectRows = projects.map { project in
            ProjectRow(
                id: project.id, name: project.name,
                members: users.map { user in
                    MemberBox(userID: user.id, userName: user.name, isMember: membership[project.id]?.contains(user.id) == true)
                })
        }
        let view = UsersView(
            users: rows, projects: projectRows, newName: newName, userError: userError.map { ConsoleVisit.sentence($0.message) })
        return try await visit.page(
            "users", title: "Users", section: .users, body: view, status: (userError ?? pageError)?.status ?? .ok,
            error: pageError?.message)
    }

    private func license(_ visit: ConsoleVisit, error: SibylError? = nil) async throws -> Response {
        try visit.requireAdmin()
        let license = try await console.accounts.license()
        let view = LicenseView(
            edition: license.edition, isLicensed: license.edition == License.Edition.licensed.rawValue, inUse: license.apiOptionsInUse,
            options: license.apiOptions, meterMax: max(1, license.apiOptions, license.apiOptionsInUse),
            licenseError: error.map { ConsoleVisit.sentence($0.message) })
        return try await visit.page("license", title: "License", section: .license, body: view, status: error?.status ?? .ok)
    }
}
