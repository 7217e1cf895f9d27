import Foundation
import Hummingbird
import SibylCore
import SibylStore

/// The APIs pages: the list, creation from the "Start API creation" dialog, the building screen that becomes
/// the API page by itself, and the API page with its lifecycle buttons, keys, whitelist dialog, request graph
/// and example request. Every action is the JSON API's operation, with its rules and errors.
struct ConsoleAPIPages {
    let console: Console

    struct APIRow: Sendable {
        let id: String
        let name: String
        let modelID: String
        let modelName: String
        let type: String
        let status: String
        let locked: Bool
        let requestsLeft: String
        let created: String
    }

    struct APIsView: Sendable {
        let projectID: Int
        let projectName: String
        let hasAPIs: Bool
        let apis: [APIRow]
        let developerURL: String
        let hasSecrets: Bool
        let secrets: [SecretRow]
    }

    struct SecretRow: Sendable {
        let id: String
        let user: String
        let created: String
    }

    struct BuildingView: Sendable {
        let projectID: Int
        let id: String
        let heading: String
        let modelID: String
        let modelName: String
        let type: String
    }

    struct KeyRow: Sendable {
        let id: String
        let name: String
        let created: String
        /// When it last opened a call, or "never".
        let lastUsed: String

        init(_ key: APIKey) {
            id = key.id
            name = key.name ?? ""
            created = ConsoleFormat.dateTime(key.createdAt)
            lastUsed = key.lastUsedAt.map { ConsoleFormat.dateTime($0) + " UTC" } ?? "never"
        }
    }

    struct RuleRow: Sendable {
        let cidr: String
        let action: String
        let priority: Int

        init(_ rule: IPRule) {
            cidr = rule.cidr.description
            action = rule.action.rawValue
            priority = rule.priority
        }
    }

    struct StateRow: Sendable {
        let name: String
        let text: String
        let current: Bool
    }

    struct Preset: Sendable {
        let label: String
        let from: String
        let to: String
    }

    struct DayRow: Sendable {
        let date: String
        let ok: Int
        let errors: Int
    }

    struct UsageView: Sendable {
        let from: String
        let to: String
        let presets: [Preset]
        let error: String?
        let chart: String
        let total200: Int
        let totalErrors: Int
        let days: [DayRow]
    }

    struct APIView: Sendable {
        let projectID: Int
        let id: String
        let name: String
        /// The API's id again, for the key rows, inside which `id` is the key's.
        let apiID: String
        let status: String
        let locked: Bool
        let isFailed: Bool
        let failureReason: String
        let typeLabel: String
        let isOfficial: Bool
        let isTrial: Bool
        let modelID: String
        let modelName: String
        let url: String
        /// The same API through Prediction One's prediction call.
        let compatibleURL: String
        let keys: [KeyRow]
        let whitelist: [RuleRow]
        let created: String
        let requestLimit: Int
        let requestsLeft: Int
        let refusesMissingFeatures: Bool
        let canStop: Bool
        let canStart: Bool
        let canDelete: Bool
        let states: [StateRow]
        let usage: UsageView
        let example: ExampleRequest
        let whitelistOpen: Bool
        let deleteOpen: Bool
        let cidrInput: String
        let cidrError: String?
    }

    /// What went wrong with a form of the API page, shown on the page rendered in answer.
    struct Refusal {
        var error: SibylError?
        var cidr: (input: String, error: SibylError)?
    }

    func add(to router: Router<AppContext>) {
        router.get("projects/:project_id/apis") { request, context in
            try await console.page(request, context) { visit in try await list(visit) }
        }
        router.post("projects/:project_id/apis") { request, context in
            try await console.action(request, context) { visit in try await create(visit) }
        }
        router.get("projects/:project_id/apis/:api_id") { request, context in
            try await console.page(request, context) { visit in try await show(visit) }
        }
        for action in APIOperations.Action.allCases {
            router.post("projects/:project_id/apis/:api_id/\(action.rawValue)") { request, context in
                try await console.action(request, context) { visit in
                    try await acting(visit) { project, id in
                        let record = try await console.apis.perform(action, projectID: project.id, id: id, by: visit.user)
                        return try await visit.redirect(to: path(project, record.api.id), notice: Self.notice(action))
                    }
                }
            }
        }
        router.post("projects/:project_id/apis/:api_id/delete") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit) { project, id in
                    try await console.apis.delete(try await console.apis.record(projectID: project.id, id: id).api)
                    return try await visit.redirect(to: "/projects/\(project.id)/apis", notice: "API \(id ?? "") deleted.")
                }
            }
        }
        router.post("projects/:project_id/account-secrets") { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                let issued = try await AccountSecrets(store: console.store).create(projectID: project.id, by: visit.user)
                return try await visit.redirect(
                    to: "/projects/\(project.id)/apis",
                    newKey: ConsoleFlash.NewKey(heading: "New account secret", keyID: issued.secretID, secret: issued.secret))
            }
        }
        router.post("projects/:project_id/account-secrets/:secret_id/revoke") { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                let id = context.parameters.get("secret_id")
                try await AccountSecrets(store: console.store).revoke(projectID: project.id, id: id)
                return try await visit.redirect(to: "/projects/\(project.id)/apis", notice: "Account secret \(id ?? "") revoked.")
            }
        }
        router.post("projects/:project_id/apis/:api_id/whitelist") { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                let record = try await console.apis.record(projectID: project.id, id: context.parameters.get("api_id"))
                let text = (visit.form["cidr"] ?? "").trimmingCharacters(in: .whitespaces)
                let action = visit.form["action"].flatMap { $0.isEmpty ? nil : $0 }
                let priorityText = (visit.form["priority"] ?? "").trimmingCharacters(in: .whitespaces)
                do {
                    guard priorityText.isEmpty || Int(priorityText) != nil else {
                        throw SibylError(.invalidInput, "priority: expected a whole number")
                    }
                    _ = try await console.apis.addToWhitelist(record, cidr: text, action: action, priority: Int(priorityText))
                } catch let error as SibylError where error.code == .invalidInput || error.code == .conflict {
                    return try await show(visit, refusal: Refusal(cidr: (text, error)))
                }
                return try await visit.redirect(
                    to: path(project, record.api.id) + "?dialog=whitelist",
                    notice: "\(text) \(action == "deny" ? "denied on" : "added to") the IP whitelist.")
            }
        }
        router.post("projects/:project_id/apis/:api_id/whitelist/delete") { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                let record = try await console.apis.record(projectID: project.id, id: context.parameters.get("api_id"))
                let text = try visit.form.required("cidr")
                do {
                    _ = try await console.apis.removeFromWhitelist(record, cidr: text)
                } catch let error as SibylError where error.code == .conflict {
                    return try await show(visit, refusal: Refusal(error: error))
                }
                return try await visit.redirect(
                    to: path(project, record.api.id) + "?dialog=whitelist", notice: "\(text) removed from the IP whitelist.")
            }
        }
        router.post("projects/:project_id/apis/:api_id/settings") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit) { project, id in
                    let api = try await console.apis.record(projectID: project.id, id: id).api
                    let name = try APIOperations.name(visit.form["name"])
                    let rule = try APIOperations.missingFeatures(visit.form["missing_features"] ?? "")
                    _ = try await console.apis.edit(api, name: .some(name), missingFeatures: rule)
                    return try await visit.redirect(to: path(project, api.id), notice: "Settings saved.")
                }
            }
        }
        router.post("projects/:project_id/apis/:api_id/promote") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit) { project, id in
                    let api = try await console.apis.record(projectID: project.id, id: id).api
                    _ = try await console.apis.edit(api, kind: .official)
                    return try await visit.redirect(
                        to: path(project, api.id), notice: "API promoted to official: it has no request limit and uses one API option.")
                }
            }
        }
        router.post("projects/:project_id/apis/:api_id/keys") { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                let api = try await console.apis.record(projectID: project.id, id: context.parameters.get("api_id")).api
                let key: IssuedKey
                do {
                    key = try await console.apis.issueKey(api, name: try APIOperations.name(visit.form["name"]))
                } catch let error as SibylError where error.code == .conflict || error.code == .invalidInput {
                    return try await show(visit, refusal: Refusal(error: error))
                }
                return try await visit.redirect(
                    to: path(project, api.id), notice: "Key \(key.keyID) created.",
                    newKey: ConsoleFlash.NewKey.apiKey(for: api.id, keyID: key.keyID, secret: key.secret))
            }
        }
        router.post("projects/:project_id/apis/:api_id/keys/:key_id/revoke") { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                let api = try await console.apis.record(projectID: project.id, id: context.parameters.get("api_id")).api
                let keyID = context.parameters.get("key_id")
                try await console.apis.revokeKey(api, keyID: keyID)
                return try await visit.redirect(to: path(project, api.id), notice: "Key \(keyID ?? "") revoked: it no longer works.")
            }
        }
    }

    private func path(_ project: Project, _ apiID: String) -> String {
        "/projects/\(project.id)/apis/\(apiID)"
    }

    private static func notice(_ action: APIOperations.Action) -> String {
        switch action {
        case .stop: "API stopped: it answers 503 until it is started."
        case .start: "API started."
        case .lock: "API locked: it cannot be stopped or deleted until an admin unlocks it."
        case .unlock: "API unlocked."
        }
    }

    /// Runs a lifecycle action; a refusal (locked, not stopped, not an admin) is shown on the API page with
    /// the JSON API's status for it.
    private func acting(
        _ visit: ConsoleVisit, _ body: (Project, String?) async throws -> Response
    ) async throws -> Response {
        let project = try await visit.project()
        do {
            return try await body(project, visit.context.parameters.get("api_id"))
        } catch let error as SibylError where error.code == .conflict || error.code == .forbidden || error.code == .invalidInput {
            return try await show(visit, refusal: Refusal(error: error))
        }
    }

    private func list(_ visit: ConsoleVisit) async throws -> Response {
        let project = try await visit.project()
        let names = Dictionary(
            try await console.store.models(projectID: project.id).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let rows = try await console.store.apiRecords(projectID: project.id).reversed().map { record in
            let api = record.api
            return APIRow(
                id: api.id, name: api.name ?? "", modelID: api.modelID, modelName: names[api.modelID] ?? api.modelID, type: api.kind.rawValue,
                status: api.status.rawValue, locked: api.locked,
                requestsLeft: api.requestsLeft.map(String.init) ?? "—",
                created: ConsoleFormat.dateTime(api.createdAt))
        }
        let secrets = try await console.store.accountSecrets(projectID: project.id).map {
            SecretRow(id: $0.id, user: $0.userName, created: ConsoleFormat.dateTime($0.createdAt))
        }
        return try await visit.page(
            "apis", title: "APIs", project: project, section: .apis,
            body: APIsView(
                projectID: project.id, projectName: project.name, hasAPIs: !rows.isEmpty, apis: rows,
                developerURL: console.platform.baseURL(visit.request) + "/v1/external", hasSecrets: !secrets.isEmpty,
                secrets: secrets))
    }

    /// "Start" in the dialog: the API is created building, and the browser goes to its page, which shows the
    /// building screen and then the API with its first key. A refusal reopens the dialog with the reason.
    private func create(_ visit: ConsoleVisit) async throws -> Response {
        let project = try await visit.project()
        let modelID = try visit.form.required("model_id")
        _ = try await console.models.model(projectID: project.id, id: modelID)
        do {
            let kind = try APIOperations.kind(visit.form["type"] ?? "")
            let created = try await console.apis.create(
                projectID: project.id, name: try APIOperations.name(visit.form["name"]), modelID: modelID, kind: kind,
                whitelist: IPWhitelist())
            let key = created.key
            return try await visit.redirect(
                to: path(project, created.record.api.id),
                notice: "API created. Add your addresses to its IP whitelist, then call it with the key below.",
                newKey: ConsoleFlash.NewKey.apiKey(for: created.record.api.id, keyID: key.keyID, secret: key.secret))
        } catch let error as SibylError where error.code == .conflict || error.code == .invalidInput {
            return try await ConsoleModelPages(console: console).show(visit, modelID: modelID, createTab: true, launchError: error)
        }
    }

    /// The building screen while the API builds; the API page otherwise.
    private func show(_ visit: ConsoleVisit, refusal: Refusal = Refusal()) async throws -> Response {
        let project = try await visit.project()
        let record = try await console.apis.record(projectID: project.id, id: visit.context.parameters.get("api_id"))
        let api = record.api
        let model = try await console.store.model(projectID: project.id, id: api.modelID)
        if api.status == .building {
            // Not taking the flash: the new key waits for the page after the build.
            let view = BuildingView(
                projectID: project.id, id: api.id, heading: "Building API", modelID: api.modelID,
                modelName: model?.name ?? api.modelID, type: api.kind == .official ? "official API" : "trial API")
            return try await visit.page(
                "building", title: "Building API", project: project, section: .apis, body: view, refresh: 1, takeFlash: false)
        }
        let query = visit.request.uri.queryParameters
        var usageError: SibylError?
        let report: APIOperations.UsageReport
        do {
            report = try await console.apis.usage(api, from: query.get("from"), to: query.get("to"))
        } catch let error as SibylError where error.code == .invalidInput {
            usageError = error
            report = try await console.apis.usage(api, from: nil, to: nil)
        }
        let dialog = query.get("dialog")
        let view = APIView(
            projectID: project.id, id: api.id, name: api.name ?? "", apiID: api.id, status: api.status.rawValue, locked: api.locked,
            isFailed: api.status == .failed, failureReason: api.failureReason ?? "",
            typeLabel: api.kind == .official ? "Official API" : "Trial API",
            isOfficial: api.kind == .official, isTrial: api.kind == .trial, modelID: api.modelID, modelName: model?.name ?? "",
            url: APIOperations.predictURL(apiID: api.id, baseURL: console.platform.baseURL(visit.request)),
            compatibleURL: PredictionOneRoutes.url(
                projectID: project.id, apiID: api.id, baseURL: console.platform.baseURL(visit.request)),
            keys: record.keys.map(KeyRow.init),
            whitelist: record.whitelist.rules.map(RuleRow.init), created: ConsoleFormat.dateTime(api.createdAt),
            requestLimit: api.requestLimit ?? 0, requestsLeft: api.requestsLeft ?? 0,
            refusesMissingFeatures: api.missingFeatures == .refuse,
            canStop: [.operating, .updating, .failed].contains(api.status), canStart: api.status == .stopped,
            canDelete: api.status == .stopped && !api.locked, states: Self.states(api.status),
            usage: usageView(report, error: usageError), example: ExampleRequest(
                url: APIOperations.predictURL(apiID: api.id, baseURL: console.platform.baseURL(visit.request)),
                features: model?.schema.featureNames ?? []),
            whitelistOpen: dialog == "whitelist" || refusal.cidr != nil, deleteOpen: dialog == "delete",
            cidrInput: refusal.cidr?.input ?? "", cidrError: refusal.cidr.map { ConsoleVisit.sentence($0.error.message) })
        let status = (refusal.error ?? refusal.cidr?.error ?? usageError)?.status ?? .ok
        return try await visit.page(
            "api", title: "API \(api.id)", project: project, section: .apis, body: view, status: status,
            error: refusal.error?.message, refresh: api.status == .updating ? 2 : nil)
    }

    private func usageView(_ report: APIOperations.UsageReport, error: SibylError?) -> UsageView {
        let today = WallClock.now()
        let presets = [7, 30, 90].map { days in
            Preset(
                label: "\(days) days", from: UTCDay.string(fromEpochSeconds: today - Int64(days - 1) * 86_400),
                to: UTCDay.string(fromEpochSeconds: today))
        }
        return UsageView(
            from: report.from, to: report.to, presets: presets, error: error.map { ConsoleVisit.sentence($0.message) },
            chart: UsageChart(days: report.days).svg, total200: report.total200, totalErrors: report.total4xx5xx,
            days: report.days.reversed().map { DayRow(date: $0.date, ok: $0.status200, errors: $0.status4xx5xx) })
    }

    /// The states of seed 000's "API status", the current one marked.
    private static func states(_ current: PredictionAPI.Status) -> [StateRow] {
        var rows: [(PredictionAPI.Status, String, String)] = [
            (.building, "Building", "Building the API."),
            (.updating, "Updating", "Switching to another model; requests are still answered."),
            (.operating, "Operating", "The API is operating and answers requests."),
            (.stopped, "Stopped", "The API is stopped and answers 503."),
            (.deleting, "Deleting", "Deleting the API."),
        ]
        if current == .failed { rows.append((.failed, "Failed", "The build failed; delete the API and create it again.")) }
        return rows.map { StateRow(name: $0.1, text: $0.2, current: $0.0 == current) }
    }
}
