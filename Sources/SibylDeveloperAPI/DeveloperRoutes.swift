import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// Prediction One's developer API, unchanged for its scripts: deploy keys from an account secret, classifiers
/// (Sibyl's prediction APIs) and models of the key's project, under `/v1/external`.
///
/// Every rule is `APIOperations`'s, as on Sibyl's own routes: a classifier is stopped only when unlocked,
/// deleted only when stopped, unlocked only by an admin. Every refusal answers 400 with code 4001000204 and
/// Sibyl's reason as the message; see `PredictionOneError.external`.
public struct DeveloperRoutes: Sendable {
    let credentials: DeveloperCredentials
    let operations: APIOperations
    let models: ModelOperations
    var limit: Int { operations.platform.configuration.maxManagementBodyBytes }

    static let defaultLimit = 30
    static let maxLimit = 1000

    public init(credentials: DeveloperCredentials, operations: APIOperations, models: ModelOperations) {
        self.credentials = credentials
        self.operations = operations
        self.models = models
    }

    public func add(to router: Router<AppContext>) {
        let external = router.group("v1/external")
        external.get("api-key") { request, _ in
            try await refusing {
                switch request.uri.queryParameters.get("credential_type") {
                case "deploy": break
                case nil, "": throw PredictionOneError.external("credential_type is required.")
                default: throw PredictionOneError.external("Sibyl issues deploy credentials only: credential_type=deploy.")
                }
                let issued = try await credentials.issueDeployKey(presented: request.headers[.xAPIKey])
                return JSONAnswer(
                    .ok, verbatim: ["api_key": issued.key, "end_date": UTCDay.dateTime(fromEpochSeconds: issued.expiresAt)])
            }
        }
        external.get("models") { request, _ in
            try await refusing { JSONAnswer(.ok, verbatim: try await models(request)) }
        }
        external.post("classifiers") { request, _ in
            try await refusing { try await create(request) }
        }
        external.get("classifiers") { request, _ in
            try await refusing {
                let (_, project) = try await credentials.caller(request)
                let numbers = try await models.numbers(projectID: project.id)
                let classifiers = try await operations.records(projectID: project.id).map {
                    ClassifierAnswer($0, modelNumbers: numbers, baseURL: operations.platform.baseURL(request))
                }
                return JSONAnswer(.ok, verbatim: ["classifiers": classifiers])
            }
        }
        external.patch("classifiers/:classifier_id") { request, context in
            try await refusing { try await patch(request, context) }
        }
        external.delete("classifiers/:classifier_id") { request, context in
            try await refusing {
                let (_, project) = try await credentials.caller(request)
                let record = try await record(project, context)
                try await operations.delete(record.api)
                return JSONAnswer(.ok, verbatim: [String: String]())
            }
        }
    }

    /// Runs a call, answering every error in the developer API's shape.
    private func refusing<Answer: ResponseGenerator>(_ call: () async throws -> Answer) async throws -> Answer {
        do {
            return try await call()
        } catch let error as SibylError {
            throw PredictionOneError(external: error)
        }
    }

    private func record(_ project: Project, _ context: AppContext) async throws -> APIRecord {
        guard let id = context.parameters.get("classifier_id"), let record = try await operations.find(projectID: project.id, id: id)
        else { throw PredictionOneError.external("Not found classifier.") }
        return record
    }

    private func answer(_ record: APIRecord, _ request: Request) async throws -> ClassifierAnswer {
        ClassifierAnswer(
            record, modelNumbers: try await models.numbers(projectID: record.api.projectID),
            baseURL: operations.platform.baseURL(request))
    }

    private func models(_ request: Request) async throws -> DeveloperModelPage {
        let (_, project) = try await credentials.caller(request)
        let query = request.uri.queryParameters
        let offset = try Self.integer(query.get("offset"), name: "offset", default: 0, range: 0...Int.max)
        let limit = try Self.integer(query.get("limit"), name: "limit", default: Self.defaultLimit, range: 1...Self.maxLimit)
        let numbers = try await models.numbers(projectID: project.id)
        let found = try await models.models(projectID: project.id).compactMap { model in
            numbers[model.id].map {
                DeveloperModel(
                    modelID: $0, sibylModelID: model.id, name: model.name, format: model.schema.format.rawValue,
                    task: model.schema.task.rawValue, createDatetime: UTCDay.dateTime(fromEpochSeconds: model.createdAt))
            }
        }.sorted { $0.modelID < $1.modelID }
        return DeveloperModelPage(
            models: Array(found.dropFirst(offset).prefix(limit)), metadata: .init(offset: offset, limit: limit, total: found.count))
    }

    private static func integer(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text, !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            let bound = range.upperBound == Int.max ? "\(range.lowerBound) or more" : "\(range.lowerBound) to \(range.upperBound)"
            throw PredictionOneError.external("\(name) must be a whole number, \(bound).")
        }
        return number
    }

    /// `{model_id, rules, type?}` → `{classifier_id, api_key, version}`. Without `type` (Sibyl's addition), an
    /// official API when the license allows official APIs, a trial one in the trial edition.
    private func create(_ request: Request) async throws -> JSONAnswer<[String: String]> {
        let (_, project) = try await credentials.caller(request)
        let body = try await JSONBody.read(request, limit: limit, allowed: ["model_id", "rules", "type"])
        guard let number = try body.int("model_id") else { throw PredictionOneError.external("Model id is required.") }
        guard let modelID = try await models.numbers(projectID: project.id).first(where: { $0.value == number })?.key else {
            throw PredictionOneError.external("This model may be deleted.")
        }
        let whitelist = try WhitelistBody.rules(body, key: "rules", fields: .predictionOne) ?? IPWhitelist()
        let kind: PredictionAPI.Kind
        if let type = try body.string("type") {
            kind = try APIOperations.kind(type)
        } else {
            kind = try await operations.platform.license().edition == .trial ? .trial : .official
        }
        let created = try await operations.create(projectID: project.id, modelID: modelID, kind: kind, whitelist: whitelist)
        return JSONAnswer(
            .ok, verbatim: ["classifier_id": created.record.api.id, "api_key": created.key.secret, "version": modelID])
    }

    /// `{rules?, active?, is_editable?}` → `{classifier}`. Every change is checked before any is made, in the
    /// order that lets one call unlock and stop, or stop and lock: unlock, rules, start or stop, lock.
    private func patch(_ request: Request, _ context: AppContext) async throws -> JSONAnswer<[String: ClassifierAnswer]> {
        let (user, project) = try await credentials.caller(request)
        let record = try await record(project, context)
        let body = try await JSONBody.read(request, limit: limit, allowed: ["rules", "active", "is_editable"])
        let whitelist = try WhitelistBody.rules(body, key: "rules", fields: .predictionOne)
        let active = try body.bool("active")
        let editable = try body.bool("is_editable")
        let api = record.api
        let unlocking = editable == true && api.locked
        let change: APIOperations.Action? =
            switch active {
            case true?: api.isServing ? nil : .start
            case false?: api.status == .stopped ? nil : .stop
            case nil: nil
            }
        let locking = editable == false && !api.locked
        var planned = api
        if unlocking { planned = try APIOperations.Action.unlock.apply(to: planned, by: user) }
        if let change { _ = try change.apply(to: planned, by: user) }
        let id = api.id
        if unlocking { _ = try await operations.perform(.unlock, projectID: project.id, id: id, by: user) }
        if let whitelist { _ = try await operations.editWhitelist(record) { $0 = whitelist } }
        if let change { _ = try await operations.perform(change, projectID: project.id, id: id, by: user) }
        if locking { _ = try await operations.perform(.lock, projectID: project.id, id: id, by: user) }
        let current = try await operations.record(projectID: project.id, id: id)
        return JSONAnswer(.ok, verbatim: ["classifier": try await answer(current, request)])
    }
}

extension DeveloperCredentials {
    /// The user and project of the deploy key in the request's `x-api-key`.
    func caller(_ request: Request) async throws(SibylError) -> (User, Project) {
        try await caller(presented: request.headers[.xAPIKey])
    }
}
