import Hummingbird
import SibylCore
import SibylStore

/// Prediction APIs: create, information, lifecycle, keys, IP whitelist and usage, under
/// `/api/v1/projects/{project_id}/apis`.
struct APIRoutes {
    let platform: Platform
    let auth: Authenticator
    let builder: APIBuilder
    var store: Store { platform.store }
    var limit: Int { platform.configuration.maxManagementBodyBytes }

    func add(to router: Router<AppContext>) {
        let apis = router.group("api/v1/projects/:project_id/apis")
        apis.post { request, context in try await create(request, context) }
        apis.get { request, context in
            let (_, project) = try await auth.project(request, context)
            let records = try await store.apiRecords(projectID: project.id)
            return JSONAnswer(.ok, ListAnswer(records.map { APIAnswer($0, baseURL: baseURL(request)) }))
        }
        apis.get(":api_id") { request, context in
            JSONAnswer(.ok, APIAnswer(try await record(request, context), baseURL: baseURL(request)))
        }
        apis.patch(":api_id") { request, context in try await changeModel(request, context) }
        apis.delete(":api_id") { request, context in
            let record = try await record(request, context)
            let api = record.api
            _ = try await store.changeAPI(projectID: api.projectID, id: api.id) { try $0.deleting() }
            routesRemove(api.id)
            try await store.deleteAPI(id: api.id)
            return Response(status: .noContent)
        }
        apis.post(":api_id/stop") { request, context in try await change(request, context) { api, _ in try api.stopped() } }
        apis.post(":api_id/start") { request, context in try await change(request, context) { api, _ in try api.started() } }
        apis.post(":api_id/lock") { request, context in try await change(request, context) { api, _ in api.lockedByMember() } }
        apis.post(":api_id/unlock") { request, context in
            try await change(request, context) { api, user in try api.unlocked(by: user.role) }
        }
        apis.get(":api_id/ip_whitelist") { request, context in
            JSONAnswer(.ok, WhitelistAnswer(cidrs: try await record(request, context).whitelist.entries.map(\.description)))
        }
        apis.put(":api_id/ip_whitelist") { request, context in
            try await editWhitelist(request, context) { whitelist, request in
                let body = try await JSONBody.read(request, limit: limit, allowed: ["cidrs"])
                guard let cidrs = try body.strings("cidrs") else { throw SibylError(.invalidInput, "cidrs: required") }
                whitelist = try IPWhitelist(parsing: cidrs)
            }
        }
        apis.post(":api_id/ip_whitelist") { request, context in
            try await editWhitelist(request, context) { whitelist, request in
                let body = try await JSONBody.read(request, limit: limit, allowed: ["cidr"])
                whitelist.add(try CIDR(try body.requiredString("cidr")))
            }
        }
        apis.delete(":api_id/ip_whitelist") { request, context in
            try await editWhitelist(request, context) { whitelist, request in
                guard let text = request.uri.queryParameters.get("cidr") else { throw SibylError(.invalidInput, "cidr: required") }
                guard whitelist.remove(try CIDR(text)) else {
                    throw SibylError(.notFound, "\(text) is not on the whitelist")
                }
            }
        }
        apis.get(":api_id/keys") { request, context in
            JSONAnswer(.ok, ListAnswer(try await record(request, context).keys.map(KeyAnswer.init)))
        }
        apis.post(":api_id/keys") { request, context in
            let api = try await record(request, context).api
            let key = PresentedKey.issue(apiID: api.id)
            try await store.insertKey(key.record)
            try await platform.refreshRoute(projectID: api.projectID, apiID: api.id)
            return JSONAnswer(
                .created,
                IssuedKey(keyID: key.record.id, secret: key.text, createdAt: UTCDay.dateTime(fromEpochSeconds: key.record.createdAt)))
        }
        apis.delete(":api_id/keys/:key_id") { request, context in
            let api = try await record(request, context).api
            guard let keyID = context.parameters.get("key_id"), try await store.deleteKey(apiID: api.id, id: keyID) else {
                throw SibylError(.notFound, "no such key")
            }
            try await platform.refreshRoute(projectID: api.projectID, apiID: api.id)
            return Response(status: .noContent)
        }
        apis.get(":api_id/usage") { request, context in try await usage(request, context) }
    }

    private func routesRemove(_ apiID: String) {
        platform.routes.remove(apiID)
        platform.usage.discard(apiID: apiID)
    }

    /// The base of the URLs Sibyl hands out: the address the caller used to reach this node.
    private func baseURL(_ request: Request) -> String {
        let host = request.head.authority ?? "\(platform.configuration.host):\(platform.configuration.port)"
        return "http://" + host
    }

    private func record(_ request: Request, _ context: AppContext) async throws -> APIRecord {
        let (_, project) = try await auth.project(request, context)
        guard let id = context.parameters.get("api_id"), let record = try await store.apiRecord(projectID: project.id, id: id) else {
            throw SibylError(.notFound, "no such API")
        }
        return record
    }

    private func create(_ request: Request, _ context: AppContext) async throws -> JSONAnswer<APIAnswer> {
        let (_, project) = try await auth.project(request, context)
        let body = try await JSONBody.read(request, limit: limit, allowed: ["model_id", "type", "ip_whitelist"])
        let modelID = try body.requiredString("model_id")
        guard let kind = PredictionAPI.Kind(rawValue: try body.requiredString("type")) else {
            throw SibylError(.invalidInput, "type: expected \"official\" or \"trial\"")
        }
        let whitelist = try IPWhitelist(parsing: try body.strings("ip_whitelist") ?? [])
        guard try await store.model(projectID: project.id, id: modelID) != nil else {
            throw SibylError(.invalidInput, "model_id: no such model in this project")
        }
        let api = PredictionAPI(
            id: Identifier.make(Identifier.api), projectID: project.id, modelID: modelID, kind: kind, createdAt: WallClock.now())
        let key = PresentedKey.issue(apiID: api.id)
        let record = APIRecord(api: api, keys: [key.record], whitelist: whitelist)
        try await store.createAPI(record)
        try await platform.refreshRoute(projectID: project.id, apiID: api.id)
        builder.enqueue(projectID: project.id, apiID: api.id)
        var answer = APIAnswer(record, baseURL: baseURL(request))
        answer.apiKey = IssuedKey(keyID: key.record.id, secret: key.text, createdAt: UTCDay.dateTime(fromEpochSeconds: key.record.createdAt))
        return JSONAnswer(.accepted, answer)
    }

    private func change(
        _ request: Request, _ context: AppContext,
        _ transition: @escaping @Sendable (PredictionAPI, User) throws -> PredictionAPI
    ) async throws -> JSONAnswer<APIAnswer> {
        let (user, project) = try await auth.project(request, context)
        guard let id = context.parameters.get("api_id"),
            try await store.changeAPI(projectID: project.id, id: id, { try transition($0, user) }) != nil
        else { throw SibylError(.notFound, "no such API") }
        try await platform.refreshRoute(projectID: project.id, apiID: id)
        return JSONAnswer(.ok, APIAnswer(try await record(request, context), baseURL: baseURL(request)))
    }

    /// Serves another model of the project. The new model is compiled before the switch, so no request fails.
    private func changeModel(_ request: Request, _ context: AppContext) async throws -> JSONAnswer<APIAnswer> {
        let current = try await record(request, context).api
        let body = try await JSONBody.read(request, limit: limit, allowed: ["model_id"])
        let modelID = try body.requiredString("model_id")
        guard let model = try await store.model(projectID: current.projectID, id: modelID) else {
            throw SibylError(.invalidInput, "model_id: no such model in this project")
        }
        _ = try await platform.models.model(model)
        guard let next = try await store.changeAPI(projectID: current.projectID, id: current.id, { try $0.changingModel(to: modelID) })
        else { throw SibylError(.notFound, "no such API") }
        try await platform.refreshRoute(projectID: next.projectID, apiID: next.id)
        if next.status == .updating { builder.enqueue(projectID: next.projectID, apiID: next.id) }
        return JSONAnswer(.ok, APIAnswer(try await record(request, context), baseURL: baseURL(request)))
    }

    private func editWhitelist(
        _ request: Request, _ context: AppContext,
        _ edit: (inout IPWhitelist, Request) async throws -> Void
    ) async throws -> JSONAnswer<WhitelistAnswer> {
        let record = try await record(request, context)
        var whitelist = record.whitelist
        try await edit(&whitelist, request)
        try await store.setWhitelist(apiID: record.api.id, whitelist)
        try await platform.refreshRoute(projectID: record.api.projectID, apiID: record.api.id)
        return JSONAnswer(.ok, WhitelistAnswer(cidrs: whitelist.entries.map(\.description)))
    }

    /// Daily counts between `from` and `to` (default: the last 30 days), every day listed, zeros included.
    private func usage(_ request: Request, _ context: AppContext) async throws -> JSONAnswer<UsageAnswer> {
        let api = try await record(request, context).api
        let today = WallClock.now()
        let query = request.uri.queryParameters
        let to = query.get("to") ?? UTCDay.string(fromEpochSeconds: today)
        let from = query.get("from") ?? UTCDay.string(fromEpochSeconds: today - 29 * 86_400)
        guard let start = UTCDay.epochSeconds(of: from) else { throw SibylError(.invalidInput, "from: expected YYYY-MM-DD") }
        guard let end = UTCDay.epochSeconds(of: to) else { throw SibylError(.invalidInput, "to: expected YYYY-MM-DD") }
        guard start <= end, end - start <= 366 * 86_400 else {
            throw SibylError(.invalidInput, "from must not be after to, and the range must be at most 367 days")
        }
        let stored = try await platform.usage.days(apiID: api.id, from: from, to: to)
        let days = stride(from: start, through: end, by: 86_400).map { seconds in
            let date = UTCDay.string(fromEpochSeconds: seconds)
            let day = stored[date] ?? UsageDay(date: date)
            return UsageAnswer.Day(
                date: date, status200: day.status200, status4xx5xx: day.status4xx5xx,
                byStatus: Dictionary(uniqueKeysWithValues: day.byStatus.map { (String($0.key), $0.value) }))
        }
        return JSONAnswer(
            .ok,
            UsageAnswer(
                apiID: api.id, from: from, to: to, days: days, total200: days.map(\.status200).reduce(0, +),
                total4xx5xx: days.map(\.status4xx5xx).reduce(0, +)))
    }
}
