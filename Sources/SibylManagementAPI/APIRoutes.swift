import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// Prediction APIs: create, information, lifecycle, keys, IP whitelist and usage, under
/// `/api/v1/projects/{project_id}/apis`. The rules live in `APIOperations`; this reads JSON and answers it.
struct APIRoutes: Sendable {
    let operations: APIOperations
    let auth: Authenticator
    var limit: Int { operations.platform.configuration.maxManagementBodyBytes }

    func add(to router: Router<AppContext>) {
        let apis = router.projectGroup("api/v1/projects/:project_id/apis", auth)
        apis.post { request, context in try await create(request, context) }
        apis.get { request, context in
            let project = context.project
            let records = try await operations.records(projectID: project.id)
            return JSONAnswer(.ok, ListAnswer(records.map { APIAnswer($0, baseURL: operations.platform.baseURL(request)) }))
        }
        apis.get(":api_id") { request, context in answer(try await record(request, context), request) }
        apis.patch(":api_id") { request, context in try await patch(request, context) }
        apis.delete(":api_id") { request, context in
            try await operations.delete(try await record(request, context).api)
            return Response(status: .noContent)
        }
        for action in APIOperations.Action.allCases {
            apis.post(":api_id/\(action.rawValue)") { request, context in
                let user = context.user
                let project = context.project
                let record = try await operations.perform(action, projectID: project.id, id: context.parameters.get("api_id"), by: user)
                return answer(record, request)
            }
        }
        apis.get(":api_id/ip_whitelist") { request, context in
            whitelistAnswer(try await record(request, context).whitelist)
        }
        apis.put(":api_id/ip_whitelist") { request, context in
            let record = try await record(request, context)
            let replacement = try WhitelistBody.replacement(try await JSONBody.read(request, limit: limit, allowed: ["cidrs", "rules"]))
            return whitelistAnswer(try await operations.editWhitelist(record) { $0 = replacement })
        }
        apis.post(":api_id/ip_whitelist") { request, context in
            let record = try await record(request, context)
            let rule = try WhitelistBody.rule(try await JSONBody.read(request, limit: limit, allowed: WhitelistBody.RuleFields.sibyl.all))
            return whitelistAnswer(try await operations.addToWhitelist(record, cidr: rule.cidr, action: rule.action, priority: rule.priority))
        }
        apis.delete(":api_id/ip_whitelist") { request, context in
            let record = try await record(request, context)
            guard let text = request.uri.queryParameters.get("cidr") else { throw SibylError(.invalidInput, "cidr: required") }
            return whitelistAnswer(try await operations.removeFromWhitelist(record, cidr: text))
        }
        apis.get(":api_id/keys") { request, context in
            JSONAnswer(.ok, ListAnswer(try await record(request, context).keys.map(KeyAnswer.init)))
        }
        apis.post(":api_id/keys") { request, context in
            let api = try await record(request, context).api
            let body = try await JSONBody.read(request, limit: limit, allowed: ["name"], optional: true)
            return JSONAnswer(.created, try await operations.issueKey(api, name: try APIOperations.name(try body.string("name"))))
        }
        apis.delete(":api_id/keys/:key_id") { request, context in
            try await operations.revokeKey(try await record(request, context).api, keyID: context.parameters.get("key_id"))
            return Response(status: .noContent)
        }
        apis.get(":api_id/versions") { request, context in
            JSONAnswer(.ok, ListAnswer(VersionAnswer.list(try await record(request, context))))
        }
        apis.post(":api_id/versions") { request, context in
            let api = try await record(request, context).api
            let body = try await JSONBody.read(request, limit: limit, allowed: ["model_id"])
            let record = try await operations.addVersion(api, modelID: try body.requiredString("model_id"))
            return JSONAnswer(.created, ListAnswer(VersionAnswer.list(record)))
        }
        apis.delete(":api_id/versions/:version") { request, context in
            let number = context.parameters.get("version").flatMap { Int($0) }
            try await operations.deleteVersion(try await record(request, context).api, number: number)
            return Response(status: .noContent)
        }
        apis.get(":api_id/traffic") { request, context in
            JSONAnswer(.ok, TrafficAnswer(try await record(request, context).api))
        }
        apis.put(":api_id/traffic") { request, context in
            let record = try await record(request, context)
            let body = try await JSONBody.read(request, limit: limit, allowed: ["split", "sticky"])
            let shares = try body.objects("split", allowed: ["version", "weight"]) ?? []
            let split = try TrafficSplit(
                shares: try shares.map { share throws(SibylError) in
                    guard let version = try share.int("version"), let weight = try share.int("weight") else {
                        throw SibylError(.invalidInput, "split: each share needs a version and a weight")
                    }
                    return TrafficSplit.Share(version: version, weight: weight)
                },
                sticky: try body.bool("sticky") ?? false)
            return JSONAnswer(.ok, TrafficAnswer(try await operations.split(record, split).api))
        }
        apis.delete(":api_id/traffic") { request, context in
            JSONAnswer(.ok, TrafficAnswer(try await operations.split(try await record(request, context), nil).api))
        }
        apis.get(":api_id/shadow") { request, context in
            let query = request.uri.queryParameters
            let report = try await operations.shadowReport(try await record(request, context), from: query.get("from"), to: query.get("to"))
            return JSONAnswer(.ok, ShadowAnswer(report))
        }
        apis.put(":api_id/shadow") { request, context in
            let record = try await record(request, context)
            let body = try await JSONBody.read(request, limit: limit, allowed: ["version"])
            guard let version = try body.int("version") else { throw SibylError(.invalidInput, "version: required") }
            let changed = try await operations.shadow(record, version: version)
            return JSONAnswer(.ok, ShadowAnswer(try await operations.shadowReport(changed, from: nil, to: nil)))
        }
        apis.delete(":api_id/shadow") { request, context in
            let changed = try await operations.shadow(try await record(request, context), version: nil)
            return JSONAnswer(.ok, ShadowAnswer(try await operations.shadowReport(changed, from: nil, to: nil)))
        }
        apis.get(":api_id/capture") { request, context in
            JSONAnswer(.ok, CaptureAnswer(try await record(request, context).api.capture))
        }
        apis.put(":api_id/capture") { request, context in
            let record = try await record(request, context)
            let body = try await JSONBody.read(request, limit: limit, allowed: ["rate", "retention_days"])
            let rate = try body.number("rate")
            let changed = try await operations.setCapture(record, rate: rate, retentionDays: try body.int("retention_days"))
            return JSONAnswer(.ok, CaptureAnswer(changed.api.capture))
        }
        apis.get(":api_id/captures") { request, context in
            let api = try await record(request, context).api
            let query = request.uri.queryParameters
            let format = try CaptureExport.Format(query.get("format"))
            let limit = try query.get("limit").map { text throws(SibylError) in
                guard let limit = Int(text) else { throw SibylError(.invalidInput, "limit: expected a whole number") }
                return limit
            }
            let page = try await operations.captures(
                api, from: query.get("from"), to: query.get("to"), after: query.get("after"), limit: limit)
            return CaptureExport.response(page, format)
        }
        addReplays(to: apis)
        addDrift(to: apis)
        apis.get(":api_id/usage") { request, context in
            let query = request.uri.queryParameters
            let report = try await operations.usage(try await record(request, context).api, from: query.get("from"), to: query.get("to"))
            return JSONAnswer(.ok, UsageAnswer(report))
        }
    }

    func record(_ request: Request, _ context: ProjectContext) async throws -> APIRecord {
        let project = context.project
        return try await operations.record(projectID: project.id, id: context.parameters.get("api_id"))
    }

    private func answer(_ record: APIRecord, _ request: Request) -> JSONAnswer<APIAnswer> {
        JSONAnswer(.ok, APIAnswer(record, baseURL: operations.platform.baseURL(request)))
    }

    private func whitelistAnswer(_ whitelist: IPWhitelist) -> JSONAnswer<WhitelistAnswer> {
        JSONAnswer(.ok, WhitelistAnswer(whitelist))
    }

    private func create(_ request: Request, _ context: ProjectContext) async throws -> JSONAnswer<APIAnswer> {
        let project = context.project
        let body = try await JSONBody.read(
            request, limit: limit, allowed: ["model_id", "type", "name", "missing_features", "ip_whitelist", "ip_rules"])
        let modelID = try body.requiredString("model_id")
        // Trial unless asked: a first API should not take an API option by surprise.
        let kind = try APIOperations.kind(try body.string("type") ?? PredictionAPI.Kind.trial.rawValue)
        let name = try APIOperations.name(try body.string("name"))
        let missingFeatures = try APIOperations.missingFeatures(try body.string("missing_features") ?? "allow")
        let whitelist = try WhitelistBody.whitelist(body, cidrsKey: "ip_whitelist", rulesKey: "ip_rules") ?? IPWhitelist()
        let created = try await operations.create(
            projectID: project.id, name: name, modelID: modelID, kind: kind, missingFeatures: missingFeatures, whitelist: whitelist)
        var answer = APIAnswer(created.record, baseURL: operations.platform.baseURL(request))
        answer.apiKey = created.key
        return JSONAnswer(.accepted, answer)
    }

    /// `{model_id?, version?, name?, missing_features?, type?}`, as `APIOperations.update` takes them.
    private func patch(_ request: Request, _ context: ProjectContext) async throws -> JSONAnswer<APIAnswer> {
        let current = try await record(request, context)
        let fields: Set<String> = ["model_id", "version", "name", "missing_features", "type"]
        let body = try await JSONBody.read(request, limit: limit, allowed: fields)
        let modelID = try body.string("model_id")
        let version = try body.int("version")
        let name: String?? = body.isNull("name") ? .some(nil) : try body.string("name").map { try APIOperations.name($0) }
        let missingFeatures = try body.string("missing_features").map { try APIOperations.missingFeatures($0) }
        let kind = try body.string("type").map { try APIOperations.kind($0) }
        let updated = try await operations.update(current, name: name, missingFeatures: missingFeatures, kind: kind, modelID: modelID, version: version)
        return answer(updated, request)
    }
}
