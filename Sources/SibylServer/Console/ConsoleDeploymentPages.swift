import Foundation
import Hummingbird
import SibylContainers
import SibylCore
import SibylStore

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
        let deployError: String?
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

    func add(to router: Router<AppContext>) {
        let base = "projects/:project_id/deployments"
        router.get(RouterPath(base)) { request, context in
            try await console.page(request, context) { visit in try await list(visit, project: try await visit.project()) }
        }
        router.post(RouterPath(base)) { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                let form = Form(
                    name: visit.form.optional("name") ?? "", image: visit.form.optional("image") ?? "",
                    port: visit.form.optional("listening_port") ?? "", min: visit.form.optional("min") ?? "",
                    max: visit.form.optional("max") ?? "", timeout: visit.form.optional("timeout") ?? "",
                    envs: visit.form.optional("envs") ?? "")
                do {
                    let body = try Self.body(form, flavor: visit.form.optional("flavor_name") ?? "", keys: visit.form.all("api_keys"))
                    _ = try await operations.create(projectID: project.id, by: visit.user, body: body)
                    return try await visit.redirect(
                        to: "/projects/\(project.id)/deployments/\(form.name)", notice: "Deployment \(form.name) is being deployed.")
                } catch let error as SibylError where error.code != .notFound && error.code != .storageUnavailable {
                    return try await list(visit, project: project, form: form, error: error)
                }
            }
        }
        router.get(RouterPath(base + "/:deployment_name")) { request, context in
            try await console.page(request, context) { visit in try await show(visit, context.parameters.get("deployment_name")) }
        }
        for (action, stopped) in [("start", false), ("stop", true)] {
            router.post(RouterPath(base + "/:deployment_name/" + action)) { request, context in
                try await console.action(request, context) { visit in
                    let project = try await visit.project()
                    let deployment = try await operations.deployment(projectID: project.id, name: context.parameters.get("deployment_name"))
                    try await operations.setStopped(deployment, stopped)
                    return try await visit.redirect(
                        to: "/projects/\(project.id)/deployments/\(deployment.name)",
                        notice: stopped ? "Deployment \(deployment.name) stopped." : "Deployment \(deployment.name) started.")
                }
            }
        }
        for (action, locked) in [("lock", true), ("unlock", false)] {
            router.post(RouterPath(base + "/:deployment_name/" + action)) { request, context in
                try await console.action(request, context) { visit in
                    let project = try await visit.project()
                    let deployment = try await operations.deployment(projectID: project.id, name: context.parameters.get("deployment_name"))
                    _ = try await operations.setLocked(deployment, locked, by: visit.user)
                    return try await visit.redirect(
                        to: "/projects/\(project.id)/deployments/\(deployment.name)",
                        notice: locked ? "Deployment \(deployment.name) locked." : "Deployment \(deployment.name) unlocked.")
                }
            }
        }
        router.post(RouterPath(base + "/:deployment_name/ip_whitelist")) { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                let deployment = try await operations.deployment(projectID: project.id, name: context.parameters.get("deployment_name"))
                let lines = (visit.form.optional("cidrs") ?? "").split(whereSeparator: \.isNewline).map(String.init)
                do {
                    let whitelist = try IPWhitelist(lines: lines)
                    _ = try await operations.editWhitelist(deployment) { _ in whitelist.rules.isEmpty ? nil : whitelist }
                } catch let error as SibylError where error.code == .invalidInput {
                    return try await show(visit, deployment.name, whitelistError: error)
                }
                return try await visit.redirect(
                    to: "/projects/\(project.id)/deployments/\(deployment.name)", notice: "Whitelist saved.")
            }
        }
        router.post(RouterPath(base + "/:deployment_name/delete")) { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                let deployment = try await operations.deployment(projectID: project.id, name: context.parameters.get("deployment_name"))
                _ = try await operations.delete(deployment, by: visit.user)
                return try await visit.redirect(
                    to: "/projects/\(project.id)/deployments", notice: "Deployment \(deployment.name) is being deleted.")
            }
        }
        router.post("projects/:project_id/deployment-keys") { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                do {
                    let (key, secret) = try await operations.createKey(
                        projectID: project.id, name: try visit.form.required("name"), description: nil, expiresAt: nil)
                    return try await visit.redirect(
                        to: "/projects/\(project.id)/deployments",
                        newKey: ConsoleFlash.NewKey.apiKey(for: "deployments", keyID: key.name, secret: secret))
                } catch let error as SibylError where error.code == .invalidInput || error.code == .conflict {
                    return try await list(visit, project: project, error: error)
                }
            }
        }
        router.post("projects/:project_id/deployment-keys/:key_name/delete") { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                do {
                    try await operations.deleteKey(projectID: project.id, name: context.parameters.get("key_name"))
                } catch let error as SibylError where error.code == .conflict {
                    return try await list(visit, project: project, error: error)
                }
                return try await visit.redirect(to: "/projects/\(project.id)/deployments", notice: "Key deleted.")
            }
        }
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

    func list(_ visit: ConsoleVisit, project: Project, form: Form = Form(), error: SibylError? = nil) async throws -> Response {
        let deployments = try await console.store.deployments(projectID: project.id)
        let rows = deployments.map { deployment in
            let view = operations.view(deployment)
            return Row(
                projectID: project.id, name: deployment.name, image: deployment.spec.image, status: view.status.rawValue,
                ready: view.regions.values.map(\.ready).reduce(0, +), total: view.regions.values.map(\.total).reduce(0, +),
                address: console.platform.deploymentAddress(deployment, visit.request))
        }
        let keys = try await console.store.inferenceKeys(projectID: project.id).map { key in
            KeyRow(
                projectID: project.id, name: key.name,
                usedBy: deployments.filter { ($0.spec.apiKeys ?? []).contains(key.name) }.map(\.name).joined(separator: ", "),
                expires: key.expiresAt.map(ConsoleFormat.dateTime) ?? "never")
        }
        let flavors = console.platform.configuration.flavors
        let view = ListView(
            projectID: project.id, projectName: project.name, engine: operations.supervisor != nil, hasDeployments: !rows.isEmpty,
            deployments: rows,
            flavors: flavors.enumerated().map { FlavorOption(name: $1.name, description: $1.description, selected: $0 == 0) },
            hasKeys: !keys.isEmpty, keys: keys, form: form, deployError: error.map { ConsoleVisit.sentence($0.message) })
        return try await visit.page(
            "deployments", title: "Deployments", project: project, section: .deployments, body: view, status: error?.status ?? .ok)
    }

    func show(_ visit: ConsoleVisit, _ name: String?, whitelistError: SibylError? = nil) async throws -> Response {
        let project = try await visit.project()
        let deployment = try await operations.deployment(projectID: project.id, name: name)
        let entries = deployment.whitelist?.rules.map(\.description) ?? []
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
            locked: deployment.locked, whitelist: entries.joined(separator: ", "), whitelistLines: entries.joined(separator: "\n"),
            whitelistError: whitelistError.map { ConsoleVisit.sentence($0.message) },
            created: ConsoleFormat.dateTime(deployment.createdAt), regions: regions,
            canStart: deployment.stopped && !deployment.deleting, canStop: !deployment.stopped && !deployment.deleting,
            hasLogs: !logs.isEmpty,
            logs: logs.prefix(200).map { LogRow(time: $0.time, replica: $0.replica, message: $0.message) })
        return try await visit.page(
            "deployment", title: deployment.name, project: project, section: .deployments, body: detail,
            status: whitelistError?.status ?? .ok,
            refresh: whitelistError == nil && view.status != .active && view.status != .disabled ? 3 : nil)
    }
}
