import Foundation
import Hummingbird
import SibylApp
import SibylContainers
import SibylCore
import SibylHTTP

/// The Deployments pages: the project's deployments with the form that deploys an image and the keys that
/// open deployments, and a deployment's page with its replicas, logs and Start, Stop and Delete. The rules
/// are `DeploymentOperations`', as for the compatible API.
struct ConsoleDeploymentPages {
    let console: Console
    let operations: DeploymentOperations

    struct Row: Sendable {
        let projectID: Int
        let name: String
        let image: String
        let status: String
        let ready: Int
        let total: Int
        let address: String
    }

    struct FlavorOption: Sendable {
        let name: String
        let description: String
        let selected: Bool
    }

    struct KeyRow: Sendable {
        let projectID: Int
        let name: String
        let usedBy: String
        let expires: String
        /// Ticked in the deploy form (kept when the form was refused).
        let ticked: Bool
    }

    /// What the deploy form holds, kept when it is refused.
    struct Form: Sendable {
        var name = ""
        var image = ""
        var port = "8080"
        var min = "1"
        var max = "1"
        var timeout = "\(DeploymentSpec.defaultTimeout)"
        var envs = ""
    }

    struct ListView: Sendable {
        let projectID: Int
        let projectName: String
        let engine: Bool
        let hasDeployments: Bool
        let deployments: [Row]
        let flavors: [FlavorOption]
        let hasKeys: Bool
        let keys: [KeyRow]
        let form: Form
        /// "Anyone may call it" was chosen; a key is required otherwise.
        let openAccess: Bool
        let deployError: String?
        let keyName: String
        let keyError: String?
    }

    struct Region: Sendable {
        let id: Int
        let ready: Int
        let total: Int
        let min: Int
        let max: Int
        let error: String
    }

    struct LogRow: Sendable {
        let time: String
        let replica: String
        let message: String
    }

    struct DetailView: Sendable {
        let projectID: Int
        let name: String
        let status: String
        let address: String
        let image: String
        let port: Int
        let flavor: String
        let timeout: Int
        let keys: String
        let locked: Bool
        let whitelist: String
        let whitelistLines: String
        let whitelistError: String?
        let created: String
        let regions: [Region]
        let canStart: Bool
        let canStop: Bool
        let hasLogs: Bool
        let logs: [LogRow]
    }

    /// The deploy form's fields, kept when it is refused.
    static let formFields = ["name", "image", "listening_port", "flavor_name", "min", "max", "timeout", "envs", "api_keys", "access"]

    func add(to router: Router<AppContext>) {
        let base = "projects/:project_id/deployments"
        router.get(RouterPath(base)) { request, context in
            try await console.page(request, context) { visit in try await list(visit, project: try await visit.project()) }
        }
        router.post(RouterPath(base)) { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                return try await visit.refusing(to: "/projects/\(project.id)/deployments", form: "deploy", keeping: Self.formFields) {
                    try await deploy(visit, project: project)
                }
            }
        }
        router.get(RouterPath(base + "/:deployment_name")) { request, context in
            try await console.page(request, context) { visit in try await show(visit, context.parameters.get("deployment_name")) }
        }
        for (action, stopped) in [("start", false), ("stop", true)] {
            router.post(RouterPath(base + "/:deployment_name/" + action)) { request, context in
                try await console.action(request, context) { visit in
                    try await acting(visit) { project, deployment in
                        try await operations.setStopped(deployment, stopped)
                        return try await visit.redirect(
                            to: "/projects/\(project.id)/deployments/\(deployment.name)",
                            notice: stopped ? "Deployment \(deployment.name) stopped." : "Deployment \(deployment.name) started.")
                    }
                }
            }
        }
        for (action, locked) in [("lock", true), ("unlock", false)] {
            router.post(RouterPath(base + "/:deployment_name/" + action)) { request, context in
                try await console.action(request, context) { visit in
                    try await acting(visit) { project, deployment in
                        _ = try await operations.setLocked(deployment, locked, by: visit.user)
                        return try await visit.redirect(
                            to: "/projects/\(project.id)/deployments/\(deployment.name)",
                            notice: locked ? "Deployment \(deployment.name) locked." : "Deployment \(deployment.name) unlocked.")
                    }
                }
            }
        }
        router.post(RouterPath(base + "/:deployment_name/ip_whitelist")) { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit, form: "whitelist", keeping: ["cidrs"]) { project, deployment in
                    let lines = (visit.form.optional("cidrs") ?? "").split(whereSeparator: \.isNewline).map(String.init)
                    let whitelist = try IPWhitelist(lines: lines)
                    _ = try await operations.editWhitelist(deployment) { _ in whitelist.rules.isEmpty ? nil : whitelist }
                    return try await visit.redirect(
                        to: "/projects/\(project.id)/deployments/\(deployment.name)", notice: "Whitelist saved.")
                }
            }
        }
        router.post(RouterPath(base + "/:deployment_name/delete")) { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit) { project, deployment in
                    _ = try await operations.delete(deployment, by: visit.user)
                    return try await visit.redirect(
                        to: "/projects/\(project.id)/deployments", notice: "Deployment \(deployment.name) is being deleted.")
                }
            }
        }
        router.post("projects/:project_id/deployment-keys") { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                return try await visit.refusing(to: "/projects/\(project.id)/deployments", form: "new-key", keeping: ["name"]) {
                    let (key, secret) = try await operations.createKey(
                        projectID: project.id, name: try visit.form.required("name"), description: nil, expiresAt: nil)
                    return try await visit.redirect(
                        to: "/projects/\(project.id)/deployments",
                        newKey: ConsoleFlash.NewKey.apiKey(for: "deployments", keyID: key.name, secret: secret))
                }
            }
        }
        router.post("projects/:project_id/deployment-keys/:key_name/delete") { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                return try await visit.refusing(to: "/projects/\(project.id)/deployments") {
                    try await operations.deleteKey(projectID: project.id, name: context.parameters.get("key_name"))
                    return try await visit.redirect(to: "/projects/\(project.id)/deployments", notice: "Key deleted.")
                }
            }
        }
    }

    /// Deploys from the form. Only callers with a key may call it unless the form says anyone may: with no
    /// key ticked, a key named after the deployment is made for it and shown once.
    private func deploy(_ visit: ConsoleVisit, project: Project) async throws -> Response {
        let form = Form(
            name: visit.form.optional("name") ?? "", image: visit.form.optional("image") ?? "",
            port: visit.form.optional("listening_port") ?? "", min: visit.form.optional("min") ?? "",
            max: visit.form.optional("max") ?? "", timeout: visit.form.optional("timeout") ?? "",
            envs: visit.form.optional("envs") ?? "")
        let open = visit.form["access"] == "open"
        var keys = open ? [] : visit.form.all("api_keys")
        var newKey: ConsoleFlash.NewKey?
        let flavor = visit.form.optional("flavor_name") ?? ""
        _ = try Self.body(form, flavor: flavor, keys: keys)
        if !open, keys.isEmpty {
            try Deployment.validateName(form.name)
            let (key, secret) = try await operations.createKey(projectID: project.id, name: form.name, description: nil, expiresAt: nil)
            keys = [key.name]
            newKey = ConsoleFlash.NewKey.apiKey(for: "deployment \(form.name)", keyID: key.name, secret: secret)
        }
        do {
            _ = try await operations.create(projectID: project.id, by: visit.user, body: try Self.body(form, flavor: flavor, keys: keys))
        } catch {
            // The key made for a deployment that was refused would open nothing.
            if let newKey { try? await operations.deleteKey(projectID: project.id, name: newKey.keyID) }
            throw error
        }
        return try await visit.redirect(
            to: "/projects/\(project.id)/deployments/\(form.name)", notice: "Deployment \(form.name) is being deployed.",
            newKey: newKey)
    }

    /// Runs an action on a deployment; a refusal (locked, bad whitelist) goes back to its page.
    private func acting(
        _ visit: ConsoleVisit, form: String? = nil, keeping names: [String] = [],
        _ body: (Project, Deployment) async throws -> Response
    ) async throws -> Response {
        let project = try await visit.project()
        let deployment = try await operations.deployment(projectID: project.id, name: visit.context.parameters.get("deployment_name"))
        return try await visit.refusing(
            to: "/projects/\(project.id)/deployments/\(deployment.name)", form: form, keeping: names
        ) { try await body(project, deployment) }
    }

    /// The compatible API's create body from the form, so that both paths share every rule.
    static func body(_ form: Form, flavor: String, keys: [String]) throws(SibylError) -> [UInt8] {
        func number(_ text: String, _ field: String) throws(SibylError) -> Int {
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else { throw SibylError(.invalidInput, "\(field): a whole number") }
            return value
        }
        var envs: [String: String] = [:]
        for line in form.envs.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let equals = line.firstIndex(of: "=") else { throw SibylError(.invalidInput, "envs: \(line): expected NAME=value") }
            envs[line[..<equals].trimmingCharacters(in: .whitespaces)] = String(line[line.index(after: equals)...])
        }
        var object: [String: Any] = [
            "name": form.name, "image": form.image.trimmingCharacters(in: .whitespaces),
            "listening_port": try number(form.port, "listening_port"), "flavor_name": flavor,
            "timeout": try number(form.timeout, "timeout"), "envs": envs,
            "containers": [["region_id": 1, "scale": ["min": try number(form.min, "min"), "max": try number(form.max, "max")]]],
        ]
        if !keys.isEmpty { object["api_keys"] = keys }
        return Array(try! JSONSerialization.data(withJSONObject: object))
    }

    func list(_ visit: ConsoleVisit, project: Project) async throws -> Response {
        let deployments = try await operations.deployments(projectID: project.id)
        let rows = deployments.map { deployment in
            let view = operations.view(deployment)
            return Row(
                projectID: project.id, name: deployment.name, image: deployment.spec.image, status: view.status.rawValue,
                ready: view.regions.values.map(\.ready).reduce(0, +), total: view.regions.values.map(\.total).reduce(0, +),
                address: console.platform.deploymentAddress(deployment, visit.request))
        }
        let refused = visit.flash.refused("deploy")
        let sent = { (name: String, fallback: String) in visit.flash.field(name, of: "deploy", or: refused == nil ? fallback : "") }
        let ticked = Set(refused?.fields["api_keys"] ?? [])
        let keys = try await operations.keys(projectID: project.id).map { key in
            KeyRow(
                projectID: project.id, name: key.name,
                usedBy: deployments.filter { ($0.spec.apiKeys ?? []).contains(key.name) }.map(\.name).joined(separator: ", "),
                expires: key.expiresAt.map(ConsoleFormat.dateTime) ?? "never", ticked: ticked.contains(key.name))
        }
        let defaults = Form()
        let form = Form(
            name: sent("name", defaults.name), image: sent("image", defaults.image), port: sent("listening_port", defaults.port),
            min: sent("min", defaults.min), max: sent("max", defaults.max), timeout: sent("timeout", defaults.timeout),
            envs: sent("envs", defaults.envs))
        let flavors = console.platform.configuration.flavors
        let chosenFlavor = visit.flash.field("flavor_name", of: "deploy", or: flavors.first?.name ?? "")
        let view = ListView(
            projectID: project.id, projectName: project.name, engine: operations.supervisor != nil, hasDeployments: !rows.isEmpty,
            deployments: rows,
            flavors: flavors.map { FlavorOption(name: $0.name, description: $0.description, selected: $0.name == chosenFlavor) },
            hasKeys: !keys.isEmpty, keys: keys, form: form, openAccess: visit.flash.field("access", of: "deploy") == "open",
            deployError: refused?.message, keyName: visit.flash.field("name", of: "new-key"),
            keyError: visit.flash.refused("new-key")?.message)
        // Without an engine there is no deploy form to show its refusal beside: it goes atop the page.
        return try await visit.page(
            "deployments", title: "Deployments", project: project, section: .deployments, body: view,
            error: view.engine ? nil : refused?.message)
    }

    func show(_ visit: ConsoleVisit, _ name: String?) async throws -> Response {
        let project = try await visit.project()
        let deployment = try await operations.deployment(projectID: project.id, name: name)
        let entries = deployment.whitelist?.rules.map(\.description) ?? []
        let whitelistError = visit.flash.refused("whitelist")
        let view = operations.view(deployment)
        let logs = (try? await operations.logs(deployment, regionID: nil, newestFirst: true)) ?? []
        let regions = deployment.spec.containers.map { placement in
            let region = view.regions[placement.regionID]
            return Region(
                id: placement.regionID, ready: region?.ready ?? 0, total: region?.total ?? 0, min: placement.scale.min,
                max: placement.scale.max, error: region?.error ?? "")
        }
        let detail = DetailView(
            projectID: project.id, name: deployment.name, status: view.status.rawValue,
            address: console.platform.deploymentAddress(deployment, visit.request),
            image: deployment.spec.image, port: deployment.spec.listeningPort, flavor: deployment.spec.flavorName,
            timeout: deployment.spec.idleTimeout, keys: (deployment.spec.apiKeys ?? []).joined(separator: ", "),
            locked: deployment.locked, whitelist: entries.joined(separator: ", "),
            whitelistLines: visit.flash.field("cidrs", of: "whitelist", or: entries.joined(separator: "\n")),
            whitelistError: whitelistError?.message,
            created: ConsoleFormat.dateTime(deployment.createdAt), regions: regions,
            canStart: deployment.stopped && !deployment.deleting, canStop: !deployment.stopped && !deployment.deleting,
            hasLogs: !logs.isEmpty,
            logs: logs.prefix(200).map { LogRow(time: $0.time, replica: $0.replica, message: $0.message) })
        return try await visit.page(
            "deployment", title: deployment.name, project: project, section: .deployments, body: detail,
            refresh: whitelistError == nil && view.status != .active && view.status != .disabled ? 3 : nil)
    }
}
