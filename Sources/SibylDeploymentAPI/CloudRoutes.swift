import Hummingbird
import NIOCore
import SibylApp
import SibylContainers
import SibylCore
import SibylHTTP

/// The deployment API compatible with the vendor's (docs/gcore-inference-api.md): deployments, their
/// tasks, flavors, regions, capacity and keys at the vendor's paths, with the vendor's field names, so
/// that its clients drive Sibyl by changing only the base URL. Credentials as for the rest of the
/// management API: `Authorization: APIKey TOKEN` (any case) or `Bearer TOKEN`.
struct CloudRoutes: Sendable {
    let operations: DeploymentOperations
    let auth: Authenticator
    var configuration: ServerConfiguration { operations.configuration }

    func add(to router: Router<AppContext>) {
        addCatalog(to: router)
        addDeployments(to: router)
        addKeys(to: router)
        addTasks(to: router)
        addSibylExtras(to: router)
    }

    private func addCatalog(to router: Router<AppContext>) {
        let inference = router.callerGroup("cloud/v3/inference", auth)
        inference.get("flavors") { request, context in
            return JSONAnswer(.ok, verbatim: try CloudPage(configuration.flavors.map(FlavorAnswer.init), query: request))
        }
        inference.get("flavors/:flavor_name") { request, context in
            guard let flavor = configuration.flavors.first(where: { $0.name == context.parameters.get("flavor_name") }) else {
                throw SibylError(.notFound, "no such flavor")
            }
            return JSONAnswer(.ok, verbatim: FlavorAnswer(flavor))
        }
        inference.get("capacity") { request, context in
            return JSONAnswer(.ok, verbatim: CloudPage(all: regionIDs.map { CapacityAnswer(regionID: $0, flavors: configuration.flavors) }))
        }
        let regions = router.callerGroup("cloud/v1/regions", auth)
        regions.get { request, context in
            return JSONAnswer(.ok, verbatim: try CloudPage(regionIDs.map(RegionAnswer.init), query: request))
        }
        regions.get(":region_id") { request, context in
            guard let id = context.parameters.get("region_id").flatMap(Int.init), regionIDs.contains(id) else {
                throw SibylError(.notFound, "no such region")
            }
            return JSONAnswer(.ok, verbatim: RegionAnswer(id: id))
        }
    }

    private var regionIDs: [Int] { configuration.containerEngines.keys.sorted() }

    private func addDeployments(to router: Router<AppContext>) {
        let deployments = router.projectGroup("cloud/v3/inference/:project_id/deployments", auth)
        deployments.post { request, context in
            let user = context.user
            let project = context.project
            let body = try await JSONBody.collect(request, limit: configuration.maxManagementBodyBytes)
            let task = try await operations.create(projectID: project.id, by: user, body: Array(buffer: body))
            return JSONAnswer(.created, verbatim: TaskList(tasks: [task.id]))
        }
        deployments.get { request, context in
            let project = context.project
            let all = try await operations.deployments(projectID: project.id)
            let answers = all.map { DeploymentAnswer($0, view: operations.view($0), address: operations.platform.deploymentAddress($0, request)) }
            return JSONAnswer(.ok, verbatim: try CloudPage(answers, query: request))
        }
        deployments.get(":deployment_name") { request, context in
            let deployment = try await deployment(request, context)
            return JSONAnswer(
                .ok, verbatim: DeploymentAnswer(
                    deployment, view: operations.view(deployment), address: operations.platform.deploymentAddress(deployment, request)))
        }
        deployments.patch(":deployment_name") { request, context in
            let user = context.user
            let project = context.project
            let current = try await operations.deployment(projectID: project.id, name: context.parameters.get("deployment_name"))
            let body = try await JSONBody.collect(request, limit: configuration.maxManagementBodyBytes)
            let task = try await operations.update(current, by: user, body: Array(buffer: body))
            return JSONAnswer(.ok, verbatim: TaskList(tasks: [task.id]))
        }
        deployments.delete(":deployment_name") { request, context in
            let user = context.user
            let project = context.project
            let current = try await operations.deployment(projectID: project.id, name: context.parameters.get("deployment_name"))
            return JSONAnswer(.ok, verbatim: TaskList(tasks: [try await operations.delete(current, by: user).id]))
        }
        for (action, stopped) in [("start", false), ("stop", true)] {
            deployments.post(":deployment_name/\(action)") { request, context in
                try await operations.setStopped(try await deployment(request, context), stopped)
                return Response(status: .noContent)
            }
        }
        deployments.get(":deployment_name/logs") { request, context in
            let deployment = try await deployment(request, context)
            let query = request.uri.queryParameters
            let region = try query.get("region_id").map { text throws(SibylError) in
                guard let id = Int(text) else { throw SibylError(.invalidInput, "region_id: expected an integer") }
                return id
            }
            let order = query.get("order_by") ?? "time.desc"
            guard order == "time.asc" || order == "time.desc" else {
                throw SibylError(.invalidInput, "order_by: time.asc or time.desc")
            }
            let lines = try await operations.logs(deployment, regionID: region, newestFirst: order == "time.desc")
            return JSONAnswer(.ok, verbatim: try CloudPage(lines.map(LogAnswer.init), query: request))
        }
    }

    /// Sibyl's own additions under its API: a deployment's daily request counts, its lock and its IP
    /// whitelist, as for a prediction API.
    private func addSibylExtras(to router: Router<AppContext>) {
        let deployment = router.projectGroup("api/v1/projects/:project_id/deployments/:deployment_name", auth)
        deployment.get("usage") { request, context in
            let found = try await self.deployment(request, context)
            let query = request.uri.queryParameters
            let report = try await operations.platform.usageReport(
                key: DeploymentProxy.usageKey(found), from: query.get("from"), to: query.get("to"))
            return JSONAnswer(.ok, UsageAnswer(report))
        }
        for (action, locked) in [("lock", true), ("unlock", false)] {
            deployment.post(RouterPath(action)) { request, context in
                let user = context.user
                let project = context.project
                let found = try await operations.deployment(projectID: project.id, name: context.parameters.get("deployment_name"))
                return JSONAnswer(.ok, GuardAnswer(try await operations.setLocked(found, locked, by: user)))
            }
        }
        deployment.get("ip_whitelist") { request, context in
            JSONAnswer(.ok, GuardAnswer(try await self.deployment(request, context)))
        }
        deployment.put("ip_whitelist") { request, context in
            let found = try await self.deployment(request, context)
            let whitelist = try WhitelistBody.replacement(
                try await JSONBody.read(request, limit: configuration.maxManagementBodyBytes, allowed: ["cidrs", "rules"]))
            return JSONAnswer(.ok, GuardAnswer(try await operations.editWhitelist(found) { _ in whitelist }))
        }
        deployment.post("ip_whitelist") { request, context in
            let found = try await self.deployment(request, context)
            let rule = try WhitelistBody.rule(
                try await JSONBody.read(request, limit: configuration.maxManagementBodyBytes, allowed: WhitelistBody.RuleFields.sibyl.all))
            return JSONAnswer(
                .ok,
                GuardAnswer(
                    try await operations.editWhitelist(found) { stored in
                        var whitelist = stored ?? IPWhitelist()
                        try whitelist.set(cidr: rule.cidr, action: rule.action, priority: rule.priority)
                        return whitelist
                    }))
        }
        deployment.delete("ip_whitelist") { request, context in
            let found = try await self.deployment(request, context)
            // With ?cidr=, that block's rule; without, the whole whitelist.
            guard let text = request.uri.queryParameters.get("cidr") else {
                return JSONAnswer(.ok, GuardAnswer(try await operations.editWhitelist(found) { _ in nil }))
            }
            return JSONAnswer(
                .ok,
                GuardAnswer(
                    try await operations.editWhitelist(found) { stored in
                        var whitelist = stored ?? IPWhitelist()
                        try whitelist.remove(cidr: text)
                        return whitelist
                    }))
        }
    }

    private func deployment(_ request: Request, _ context: ProjectContext) async throws -> Deployment {
        let project = context.project
        return try await operations.deployment(projectID: project.id, name: context.parameters.get("deployment_name"))
    }

    private func addKeys(to router: Router<AppContext>) {
        let keys = router.projectGroup("cloud/v3/inference/:project_id/api_keys", auth)
        let limit = configuration.maxManagementBodyBytes
        keys.post { request, context in
            let project = context.project
            let body = try await JSONBody.read(request, limit: limit, allowed: ["name", "description", "expires_at"])
            let (key, secret) = try await operations.createKey(
                projectID: project.id, name: try body.requiredString("name"), description: try body.string("description"),
                expiresAt: try body.string("expires_at"))
            return JSONAnswer(.created, verbatim: InferenceKeyAnswer(key, deployments: [], secret: secret))
        }
        keys.get { request, context in
            let project = context.project
            let deployments = try await operations.deployments(projectID: project.id)
            let all = try await operations.keys(projectID: project.id)
            return JSONAnswer(.ok, verbatim: try CloudPage(all.map { InferenceKeyAnswer($0, deployments: deployments) }, query: request))
        }
        keys.get(":api_key_name") { request, context in
            let project = context.project
            let key = try await operations.key(projectID: project.id, name: context.parameters.get("api_key_name"))
            return JSONAnswer(.ok, verbatim: InferenceKeyAnswer(key, deployments: try await operations.deployments(projectID: project.id)))
        }
        keys.patch(":api_key_name") { request, context in
            let project = context.project
            let key = try await operations.key(projectID: project.id, name: context.parameters.get("api_key_name"))
            let body = try await JSONBody.read(request, limit: limit, allowed: ["description"])
            let updated = try await operations.describeKey(key, description: try body.string("description"))
            return JSONAnswer(.ok, verbatim: InferenceKeyAnswer(updated, deployments: try await operations.deployments(projectID: project.id)))
        }
        keys.delete(":api_key_name") { request, context in
            let project = context.project
            try await operations.deleteKey(projectID: project.id, name: context.parameters.get("api_key_name"))
            return Response(status: .noContent)
        }
    }

    private func addTasks(to router: Router<AppContext>) {
        let tasks = router.callerGroup("cloud/v1/tasks", auth)
        tasks.get(":task_id") { request, context in
            let task = try await operations.task(id: context.parameters.get("task_id"), visibleTo: context.user)
            return JSONAnswer(.ok, verbatim: TaskAnswer(task))
        }
        tasks.get { request, context in
            let user = context.user
            let states = try request.uri.queryParameters.getAll("state").map { text throws(SibylError) in
                guard let state = DeploymentTask.State(rawValue: text) else {
                    throw SibylError(.invalidInput, "state: NEW, RUNNING, FINISHED or ERROR")
                }
                return state
            }
            let found = try await operations.tasks(visibleTo: user, states: states)
            return JSONAnswer(.ok, verbatim: try CloudPage(found.map(TaskAnswer.init), query: request))
        }
    }
}
