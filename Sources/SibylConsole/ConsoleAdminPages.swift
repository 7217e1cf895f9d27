import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

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
        /// Ticked in the "Add a user" form (kept when the form was refused).
        let chosen: Bool
        let members: [MemberBox]
    }

    /// The forms keep what was sent when they were refused.
    struct UsersView: Sendable {
        let users: [UserRow]
        let projects: [ProjectRow]
        let newName: String
        let newAdmin: Bool
        let userError: String?
        let projectName: String
        let projectError: String?
    }

    struct LicenseView: Sendable {
        let edition: String
        let isLicensed: Bool
        let inUse: Int
        let options: Int
        let meterMax: Int
        let trialLimit = PredictionAPI.trialRequestLimit
        /// The form's values: as saved, or as sent when refused.
        let licensedChosen: Bool
        let optionsInput: String
        let licenseError: String?
    }

    func add(to router: Router<AppContext>) {
        router.get("admin/users") { request, context in
            try await console.page(request, context) { visit in try await users(visit) }
        }
        router.post("admin/users") { request, context in
            try await console.action(request, context) { visit in
                try visit.requireAdmin()
                return try await visit.refusing(to: "/admin/users", form: "add-user", keeping: ["name", "role", "project"]) {
                    let projects = try await visit.form.all("project").asyncMap { text in
                        try await console.auth.identity.project(text, visibleTo: visit.user)
                    }
                    let user = try await console.accounts.createUser(
                        by: visit.user, name: visit.form["name"] ?? "", password: visit.form["password"] ?? "",
                        role: visit.form.optional("role"), projects: projects)
                    return try await visit.redirect(to: "/admin/users", notice: "User \(user.name) added as \(user.role.rawValue).")
                }
            }
        }
        router.post("admin/users/:user_id/role") { request, context in
            try await console.action(request, context) { visit in
                try await visit.refusing(to: "/admin/users") {
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
                try await visit.refusing(to: "/admin/users") {
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
                try await visit.refusing(to: "/admin/users") {
                    try await console.accounts.deleteUser(by: visit.user, id: try userID(context))
                    return try await visit.redirect(to: "/admin/users", notice: "User deleted.")
                }
            }
        }
        router.post("admin/projects") { request, context in
            try await console.action(request, context) { visit in
                try visit.requireAdmin()
                return try await visit.refusing(to: "/admin/users", form: "new-project", keeping: ["name"]) {
                    let project = try await console.accounts.createProject(by: visit.user, name: visit.form["name"] ?? "")
                    return try await visit.redirect(to: "/admin/users", notice: "Project \(project.name) created.")
                }
            }
        }
        router.post("admin/projects/:project_id/members") { request, context in
            try await console.action(request, context) { visit in
                try visit.requireAdmin()
                let project = try await visit.project()
                return try await visit.refusing(to: "/admin/users") {
                    let ids = try visit.form.all("user").map { text throws(SibylError) in
                        guard let id = Int(text) else { throw SibylError(.invalidInput, "user_ids: expected an array of integers") }
                        return id
                    }
                    try await console.accounts.setMembers(by: visit.user, project: project, userIDs: ids)
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
                return try await visit.refusing(to: "/admin/license", form: "license", keeping: ["edition", "api_options"]) {
                    var options: Int?
                    if let text = visit.form.optional("api_options") {
                        guard let value = Int(text) else { throw SibylError(.invalidInput, "api_options: expected an integer") }
                        options = value
                    }
                    let license = try await console.accounts.setLicense(
                        by: visit.user, edition: visit.form.optional("edition"), apiOptions: options)
                    return try await visit.redirect(
                        to: "/admin/license", notice: "License saved: \(license.edition), \(license.apiOptions) API options.")
                }
            }
        }
    }

    private func userID(_ context: AppContext) throws(SibylError) -> Int {
        guard let id = context.parameters.get("user_id").flatMap(Int.init) else { throw SibylError(.notFound, "no such user") }
        return id
    }

    private func users(_ visit: ConsoleVisit) async throws -> Response {
        let users = try await console.accounts.users(by: visit.user)
        let memberships = try await console.accounts.projectsWithMembers(visibleTo: visit.user)
        let projects = memberships.map(\.project)
        let membership = Dictionary(uniqueKeysWithValues: memberships.map { ($0.project.id, $0.members) })
        let rows = users.map { user in
            UserRow(
                id: user.id, name: user.name, isAdmin: user.role == .admin, isYou: user.id == visit.user.id,
                projects: projects.filter { membership[$0.id]?.contains(user.id) == true }.map(\.name).joined(separator: ", "))
        }
        let refused = visit.flash.refused("add-user")
        let ticked = Set(refused?.fields["project"] ?? [])
        let projectRows = projects.map { project in
            ProjectRow(
                id: project.id, name: project.name, chosen: ticked.contains(String(project.id)),
                members: users.map { user in
                    MemberBox(userID: user.id, userName: user.name, isMember: membership[project.id]?.contains(user.id) == true)
                })
        }
        let view = UsersView(
            users: rows, projects: projectRows, newName: visit.flash.field("name", of: "add-user"),
            newAdmin: visit.flash.field("role", of: "add-user") == "admin", userError: refused?.message,
            projectName: visit.flash.field("name", of: "new-project"), projectError: visit.flash.refused("new-project")?.message)
        return try await visit.page("users", title: "Users", section: .users, body: view)
    }

    private func license(_ visit: ConsoleVisit) async throws -> Response {
        try visit.requireAdmin()
        let license = try await console.accounts.license()
        let refused = visit.flash.refused("license")
        let edition = visit.flash.field("edition", of: "license", or: license.edition)
        let view = LicenseView(
            edition: license.edition, isLicensed: license.edition == License.Edition.licensed.rawValue, inUse: license.apiOptionsInUse,
            options: license.apiOptions, meterMax: max(1, license.apiOptions, license.apiOptionsInUse),
            licensedChosen: edition == License.Edition.licensed.rawValue,
            optionsInput: visit.flash.field("api_options", of: "license", or: String(license.apiOptions)),
            licenseError: refused?.message)
        return try await visit.page("license", title: "License", section: .license, body: view)
    }
}

extension Array {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        out.reserveCapacity(count)
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
