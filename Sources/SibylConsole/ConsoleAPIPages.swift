import Foundation
import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

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
        let badge: StatusBadge
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
        let hasModels: Bool
        let models: [ModelOption]
        let createOpen: Bool
        let createError: String?
        let officialChecked: Bool
        /// Why an official API cannot be made now (no option free, trial edition), said before anyone tries.
        let officialRefusal: String?
        let trialLimit = PredictionAPI.trialRequestLimit
    }

    /// A model to choose in a form, the one already chosen marked.
    struct ModelOption: Sendable {
        let id: String
        let name: String
        let selected: Bool
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
        /// The range shown now.
        let current: Bool
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
        /// Nil when the API has none, which the page says.
        let name: String?
        /// The API's id again, for the key rows, inside which `id` is the key's.
        let apiID: String
        let badge: StatusBadge
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
        let hasKeys: Bool
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
        let denyChosen: Bool
        let priorityInput: String
        let cidrError: String?
        /// The caller's address as Sibyl sees it (behind a trusted proxy, the client's), for "Add my address".
        let myAddress: String
        let myCIDR: String
        let models: [ModelOption]
        let hasOtherModels: Bool
        let modelError: String?
        let versions: VersionsView
        let capture: CaptureView
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
                    try await acting(visit) { project, api in
                        _ = try await console.apis.perform(action, projectID: project.id, id: api.id, by: visit.user)
                        return try await visit.redirect(to: path(project, api.id), notice: Self.notice(action))
                    }
                }
            }
        }
        router.post("projects/:project_id/apis/:api_id/delete") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit) { project, api in
                    try await console.apis.delete(api)
                    return try await visit.redirect(to: "/projects/\(project.id)/apis", notice: "API \(api.id) deleted.")
                }
            }
        }
        router.post("projects/:project_id/apis/:api_id/model") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit, form: "model", keeping: ["model_id"]) { project, api in
                    let record = try await console.apis.changeModel(api, to: try visit.form.required("model_id"))
                    let name = try await console.models.find(projectID: project.id, id: record.api.modelID)?.name ?? record.api.modelID
                    return try await visit.redirect(
                        to: path(project, api.id),
                        notice: "The API now serves model \(name); requests are answered throughout the switch.")
                }
            }
        }
        addVersionRoutes(to: router)
        addCaptureRoutes(to: router)
        addReplayRoutes(to: router)
        router.post("projects/:project_id/account-secrets") { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                let issued = try await console.secrets.create(projectID: project.id, by: visit.user)
                return try await visit.redirect(
                    to: "/projects/\(project.id)/apis",
                    newKey: ConsoleFlash.NewKey(heading: "New account secret", keyID: issued.secretID, secret: issued.secret))
            }
        }
        router.post("projects/:project_id/account-secrets/:secret_id/revoke") { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                let id = context.parameters.get("secret_id")
                return try await visit.refusing(to: "/projects/\(project.id)/apis") {
                    try await console.secrets.revoke(projectID: project.id, id: id)
                    return try await visit.redirect(to: "/projects/\(project.id)/apis", notice: "Account secret \(id ?? "") revoked.")
                }
            }
        }
        router.post("projects/:project_id/apis/:api_id/whitelist") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit, form: "whitelist", keeping: ["cidr", "action", "priority"]) { project, api in
                    try await addRule(visit, project: project, api: api)
                }
            }
        }
        router.post("projects/:project_id/apis/:api_id/whitelist/delete") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit, form: "whitelist") { project, api in
                    let text = try visit.form.required("cidr")
                    let record = try await console.apis.record(projectID: project.id, id: api.id)
                    _ = try await console.apis.removeFromWhitelist(record, cidr: text)
                    return try await visit.redirect(
                        to: path(project, api.id), notice: "\(text) removed from the IP whitelist.", dialog: "whitelist")
                }
            }
        }
        router.post("projects/:project_id/apis/:api_id/settings") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit) { project, api in
                    let name = try APIOperations.name(visit.form["name"])
                    let rule = try APIOperations.missingFeatures(visit.form["missing_features"] ?? "")
                    _ = try await console.apis.edit(api, name: .some(name), missingFeatures: rule)
                    return try await visit.redirect(to: path(project, api.id), notice: "Settings saved.")
                }
            }
        }
        router.post("projects/:project_id/apis/:api_id/promote") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit) { project, api in
                    _ = try await console.apis.edit(api, kind: .official)
                    return try await visit.redirect(
                        to: path(project, api.id), notice: "API promoted to official: it has no request limit and uses one API option.")
                }
            }
        }
        router.post("projects/:project_id/apis/:api_id/keys") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit) { project, api in
                    let key = try await console.apis.issueKey(api, name: try APIOperations.name(visit.form["name"]))
                    return try await visit.redirect(
                        to: path(project, api.id), notice: "Key \(key.keyID) created.",
                        newKey: ConsoleFlash.NewKey.apiKey(for: api.id, keyID: key.keyID, secret: key.secret))
                }
            }
        }
        router.post("projects/:project_id/apis/:api_id/keys/:key_id/revoke") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit) { project, api in
                    let keyID = context.parameters.get("key_id")
                    try await console.apis.revokeKey(api, keyID: keyID)
                    return try await visit.redirect(to: path(project, api.id), notice: "Key \(keyID ?? "") revoked: it no longer works.")
                }
            }
        }
    }

    /// Adds or changes one rule; a rule already there is said to be, rather than "added" again.
    private func addRule(_ visit: ConsoleVisit, project: Project, api: PredictionAPI) async throws -> Response {
        let record = try await console.apis.record(projectID: project.id, id: api.id)
        let text = (visit.form["cidr"] ?? "").trimmingCharacters(in: .whitespaces)
        let action = visit.form.optional("action")
        let priorityText = (visit.form["priority"] ?? "").trimmingCharacters(in: .whitespaces)
        guard priorityText.isEmpty || Int(priorityText) != nil else {
            throw SibylError(.invalidInput, "priority: expected a whole number")
        }
        let after = try await console.apis.addToWhitelist(record, cidr: text, action: action, priority: Int(priorityText))
        let cidr = try CIDR(text)
        let notice =
            if after == record.whitelist {
                "\(cidr) is already on the IP whitelist, as it was: nothing changed."
            } else if record.whitelist.rules.contains(where: { $0.cidr == cidr }) {
                "The rule for \(cidr) is changed."
            } else {
                "\(cidr) \(action == "deny" ? "denied on" : "added to") the IP whitelist."
            }
        return try await visit.redirect(to: path(project, api.id), notice: notice, dialog: "whitelist")
    }

    func path(_ project: Project, _ apiID: String) -> String {
        "/projects/\(project.id)/apis/\(apiID)"
    }

    private static func notice(_ action: APIOperations.Action) -> String {
        switch action {
        case .stop: "API stopped: it answers 503 until it is started."
        case .start: "API started."
        case .lock: "API locked: it cannot be stopped, deleted or changed until an admin unlocks it; its keys can still be revoked."
        case .unlock: "API unlocked."
        }
    }

    /// Runs an action on an API; a refusal (locked, not stopped, not an admin, bad input) goes back to the
    /// API page, next to `form` when the action has one. A missing API is a page of its own.
    func acting(
        _ visit: ConsoleVisit, form: String? = nil, keeping names: [String] = [],
        _ body: (Project, PredictionAPI) async throws -> Response
    ) async throws -> Response {
        let project = try await visit.project()
        let api = try await console.apis.record(projectID: project.id, id: visit.context.parameters.get("api_id")).api
        return try await visit.refusing(to: path(project, api.id), form: form, keeping: names) { try await body(project, api) }
    }

    private func list(_ visit: ConsoleVisit) async throws -> Response {
        let project = try await visit.project()
        let models = try await console.models.models(projectID: project.id)
        let names = Dictionary(models.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let rows = try await console.apis.records(projectID: project.id).reversed().map { record in
            let api = record.api
            return APIRow(
                id: api.id, name: api.name ?? "", modelID: api.modelID, modelName: names[api.modelID] ?? api.modelID,
                type: api.kind.rawValue, badge: StatusBadge.api(api), locked: api.locked,
                requestsLeft: api.requestsLeft.map(String.init) ?? "—",
                created: ConsoleFormat.dateTime(api.createdAt))
        }
        let secrets = try await console.secrets.all(projectID: project.id).map {
            SecretRow(id: $0.id, user: $0.userName, created: ConsoleFormat.dateTime($0.createdAt))
        }
        let refused = visit.flash.refused("create")
        let officialRefusal = try await console.accounts.officialAPIRefusal()
        let chosen = visit.flash.field("model_id", of: "create")
        return try await visit.page(
            "apis", title: "APIs", project: project, section: .apis,
            body: APIsView(
                projectID: project.id, projectName: project.name, hasAPIs: !rows.isEmpty, apis: rows,
                developerURL: console.platform.baseURL(visit.request) + "/v1/external", hasSecrets: !secrets.isEmpty,
                secrets: secrets, hasModels: !models.isEmpty,
                models: models.reversed().map { ModelOption(id: $0.id, name: $0.name, selected: $0.id == chosen) },
                createOpen: refused != nil, createError: refused?.message,
                officialChecked: officialRefusal == nil && visit.flash.field("type", of: "create") == "official",
                officialRefusal: officialRefusal))
    }

    /// "Start" in a model's dialog, or "Create from a model" on the list: the API is created building, and the
    /// browser goes to its page, which shows the building screen and then the API with its first key. A
    /// refusal goes back to the form it came from with the reason. Trial unless official is asked for.
    private func create(_ visit: ConsoleVisit) async throws -> Response {
        let project = try await visit.project()
        let fromList = visit.form["from"] == "apis"
        var back = "/projects/\(project.id)/apis"
        if !fromList {
            let model = try await console.models.model(projectID: project.id, id: try visit.form.required("model_id"))
            back = "/projects/\(project.id)/models/\(model.id)/create-api"
        }
        return try await visit.refusing(to: back, form: fromList ? "create" : "launch", keeping: ["model_id", "type", "name"]) {
            let modelID = try visit.form.required("model_id")
            let kind = try APIOperations.kind(visit.form.optional("type") ?? PredictionAPI.Kind.trial.rawValue)
            let created = try await console.apis.create(
                projectID: project.id, name: try APIOperations.name(visit.form["name"]), modelID: modelID, kind: kind,
                whitelist: IPWhitelist())
            let key = created.key
            return try await visit.redirect(
                to: path(project, created.record.api.id),
                notice: "API created. Add your addresses to its IP whitelist, then call it with the key below.",
                newKey: ConsoleFlash.NewKey.apiKey(for: created.record.api.id, keyID: key.keyID, secret: key.secret))
        }
    }

    /// The building screen while the API builds; the API page otherwise.
    private func show(_ visit: ConsoleVisit) async throws -> Response {
        let project = try await visit.project()
        let record = try await console.apis.record(projectID: project.id, id: visit.context.parameters.get("api_id"))
        let api = record.api
        let model = try await console.models.find(projectID: project.id, id: api.modelID)
        if api.status == .building {
            // The new key waits for the page after the build.
            try await visit.keepFlash()
            let view = BuildingView(
                projectID: project.id, id: api.id, heading: "Building API", modelID: api.modelID,
                modelName: model?.name ?? api.modelID, type: api.kind == .official ? "official API" : "trial API")
            return try await visit.page(
                "building", title: "Building API", project: project, section: .apis, body: view, refresh: 1, showFlash: false)
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
        let flash = visit.flash
        let address = console.resolver.resolve(peer: visit.context.peer, forwardedFor: visit.request.headers[values: .xForwardedFor])
        let myCIDR = address.map { address in
            switch address {
            case .v4: "\(address)/32"
            case .v6: "\(address)/128"
            }
        }
        let chosenModel = flash.field("model_id", of: "model", or: api.modelID)
        let projectModels = try await console.models.models(projectID: project.id)
        let models = projectModels.reversed().map { ModelOption(id: $0.id, name: $0.name, selected: $0.id == chosenModel) }
        let modelNames = Dictionary(projectModels.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let baseURL = console.platform.baseURL(visit.request)
        let view = APIView(
            projectID: project.id, id: api.id, name: api.name, apiID: api.id, badge: StatusBadge.api(api), locked: api.locked,
            isFailed: api.status == .failed, failureReason: api.failureReason ?? "",
            typeLabel: api.kind == .official ? "Official API" : "Trial API",
            isOfficial: api.kind == .official, isTrial: api.kind == .trial, modelID: api.modelID, modelName: model?.name ?? "",
            url: APIOperations.predictURL(apiID: api.id, baseURL: baseURL),
            compatibleURL: APIOperations.predictionOneURL(projectID: project.id, apiID: api.id, baseURL: baseURL),
            keys: record.keys.map(KeyRow.init), hasKeys: !record.keys.isEmpty,
            whitelist: record.whitelist.rules.map(RuleRow.init), created: ConsoleFormat.dateTime(api.createdAt),
            requestLimit: api.requestLimit ?? 0, requestsLeft: api.requestsLeft ?? 0,
            refusesMissingFeatures: api.missingFeatures == .refuse,
            canStop: [.operating, .updating, .failed].contains(api.status), canStart: api.status == .stopped,
            canDelete: api.status == .stopped && !api.locked, states: Self.states(api.status),
            usage: usageView(report, error: usageError), example: ExampleRequest(
                url: APIOperations.predictURL(apiID: api.id, baseURL: baseURL), features: model?.schema.featureNames ?? [],
                types: model?.schema.featureTypes ?? []),
            whitelistOpen: query.get("dialog") == "whitelist" || flash.dialog == "whitelist" || flash.refused("whitelist") != nil,
            deleteOpen: query.get("dialog") == "delete",
            cidrInput: flash.field("cidr", of: "whitelist"), denyChosen: flash.field("action", of: "whitelist") == "deny",
            priorityInput: flash.field("priority", of: "whitelist"), cidrError: flash.refused("whitelist")?.message,
            myAddress: address.map { "\($0)" } ?? "", myCIDR: myCIDR ?? "", models: models, hasOtherModels: models.count > 1,
            modelError: flash.refused("model")?.message,
            versions: Self.versionsView(
                record, modelNames: modelNames, shadow: try await console.apis.shadowReport(record, from: nil, to: nil),
                error: flash.refused("versions")?.message),
            capture: Self.captureView(
                record, replays: try await console.apis.replays(api), now: console.platform.clock.nowMilliseconds(),
                error: flash.refused("capture")?.message, replayError: flash.refused("replay")?.message))
        return try await visit.page(
            "api", title: "API \(api.id)", project: project, section: .apis, body: view, status: usageError?.status,
            refresh: api.status == .updating ? 2 : nil)
    }

    private func usageView(_ report: APIOperations.UsageReport, error: SibylError?) -> UsageView {
        let today = console.platform.clock.now()
        let presets = [7, 30, 90].map { days in
            let from = UTCDay.string(fromEpochSeconds: today - Int64(days - 1) * 86_400)
            let to = UTCDay.string(fromEpochSeconds: today)
            return Preset(label: "\(days) days", from: from, to: to, current: from == report.from && to == report.to)
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
