import Foundation
import SibylContainers
import SibylCore
import SibylStore

/// The rules of container deployments and their keys, shared by the compatible API (and the console):
/// every change is validated, stored with its task, then handed to the supervisor, which does the work
/// and finishes the task.
public struct DeploymentOperations: Sendable {
    public let platform: Platform
    /// Nil on a node with no container engine: deployments are then refused with 503.
    public let supervisor: Supervisor?
    public let sealer: Sealer

    public init(platform: Platform, supervisor: Supervisor?, sealer: Sealer) {
        self.platform = platform
        self.supervisor = supervisor
        self.sealer = sealer
    }
    public var store: Store { platform.store }
    public var configuration: ServerConfiguration { platform.configuration }

    private func running() throws(SibylError) -> Supervisor {
        guard let supervisor else {
            throw SibylError(.engineUnavailable, "this node runs no container engine: start it with --container-engine")
        }
        return supervisor
    }

    public func deployment(projectID: Int, name: String?) async throws(SibylError) -> Deployment {
        guard let name, let deployment = try await store.deployment(projectID: projectID, name: name) else {
            throw SibylError(.notFound, "no such deployment")
        }
        return deployment
    }

    /// The project's deployments, oldest first.
    public func deployments(projectID: Int) async throws(SibylError) -> [Deployment] {
        try await store.deployments(projectID: projectID)
    }

    /// A task of a project `user` may see; a task of another project is as unknown as one that never existed.
    public func task(id: String?, visibleTo user: User) async throws(SibylError) -> DeploymentTask {
        guard let id, let task = try await store.task(id: id), try await store.project(id: task.projectID, visibleTo: user) != nil
        else { throw SibylError(.notFound, "no such task") }
        return task
    }

    /// The tasks of every project `user` may see, in `states` (all when empty).
    public func tasks(visibleTo user: User, states: [DeploymentTask.State]) async throws(SibylError) -> [DeploymentTask] {
        try await store.tasks(projectIDs: try await store.projects(visibleTo: user).map(\.id), states: states)
    }

    public func view(_ deployment: Deployment) -> DeploymentView {
        supervisor?.view(deployment) ?? DeploymentView(status: deployment.stopped ? .disabled : .deploying, regions: [:])
    }

    public func logs(_ deployment: Deployment, regionID: Int?, newestFirst: Bool) async throws(SibylError) -> [DeploymentLogLine] {
        try await running().logs(deployment, regionID: regionID, newestFirst: newestFirst)
    }

    public func create(projectID: Int, by user: User, body: [UInt8]) async throws(SibylError) -> DeploymentTask {
        _ = try running()  // refused at once on a node without an engine
        let (name, spec) = try SpecBody.create(body)
        try Deployment.validateName(name)
        try await validate(spec, projectID: projectID)
        let deployment = Deployment(projectID: projectID, name: name, spec: spec, createdAt: store.clock.now())
        let task = newTask(.create, deployment, user)
        try await store.insertDeployment(deployment, task: task)
        try await changed(deployment, task: .create)
        return task
    }

    public func update(_ current: Deployment, by user: User, body: [UInt8]) async throws(SibylError) -> DeploymentTask {
        _ = try running()  // refused at once on a node without an engine
        try refuseWhileDeleting(current)
        var deployment = current
        deployment.spec = try SpecBody.update(current.spec, with: body)
        try await validate(deployment.spec, projectID: current.projectID)
        let task = newTask(.update, deployment, user)
        try await store.updateDeployment(deployment, task: task)
        try await changed(deployment, task: .update)
        return task
    }

    public func delete(_ current: Deployment, by user: User) async throws(SibylError) -> DeploymentTask {
        _ = try running()  // refused at once on a node without an engine
        try refuseWhileLocked(current, "deleted")
        var deployment = current
        deployment.deleting = true
        let task = newTask(.delete, deployment, user)
        try await store.updateDeployment(deployment, task: task)
        try await changed(deployment, task: .delete)
        return task
    }

    /// Stop (no replicas, no requests) and start (back to `scale.min`); both are idempotent.
    public func setStopped(_ current: Deployment, _ stopped: Bool) async throws(SibylError) {
        _ = try running()  // refused at once on a node without an engine
        try refuseWhileDeleting(current)
        guard current.stopped != stopped else { return }
        if stopped { try refuseWhileLocked(current, "stopped") }
        var deployment = current
        deployment.stopped = stopped
        try await store.updateDeployment(deployment, task: nil)
        try await changed(deployment)
    }

    /// Hands a stored change to the gateway's directory and the supervisor.
    private func changed(_ deployment: Deployment, task: DeploymentTask.Kind? = nil) async throws(SibylError) {
        try await platform.deploymentsChanged()
        supervisor?.apply(deployment, task: task)
    }

    /// Lock (anyone in the project) and unlock (admins only), as for prediction APIs.
    public func setLocked(_ current: Deployment, _ locked: Bool, by user: User) async throws(SibylError) -> Deployment {
        if !locked { _ = try AccountOperations.requireAdmin(user) }
        try refuseWhileDeleting(current)
        var deployment = current
        deployment.locked = locked
        try await store.updateDeployment(deployment, task: nil)
        try await changed(deployment)
        return deployment
    }

    /// Replaces the whitelist with what `edit` makes of the stored one (nil: none, every address may call).
    public func editWhitelist(_ current: Deployment, _ edit: @escaping @Sendable (IPWhitelist?) throws -> IPWhitelist?) async throws(SibylError)
        -> Deployment
    {
        let deployment = try await store.changeDeploymentWhitelist(projectID: current.projectID, name: current.name) { stored in
            guard !stored.deleting else { throw Self.beingDeleted }
            return try edit(stored.whitelist)
        }
        try await changed(deployment)
        return deployment
    }

    private func refuseWhileLocked(_ deployment: Deployment, _ what: String) throws(SibylError) {
        guard !deployment.locked else {
            throw SibylError(.conflict, "the deployment is locked and cannot be \(what): an admin must unlock it first")
        }
    }

    private func refuseWhileDeleting(_ deployment: Deployment) throws(SibylError) {
        guard !deployment.deleting else { throw Self.beingDeleted }
    }

    private static let beingDeleted = SibylError(.conflict, "the deployment is being deleted")

    /// Besides the spec's own rules: the image comes from an allowed registry, and named credentials are
    /// the project's and are for the image's registry (a pull hands them to that host, and only to it).
    private func validate(_ spec: DeploymentSpec, projectID: Int) async throws(SibylError) {
        try spec.validate(flavors: configuration.flavors, regions: Set(configuration.containerEngines.keys))
        let image = try ImageReference(spec.image)
        let allowed = configuration.allowedRegistries
        guard allowed.isEmpty || image.isLocal || allowed.contains(image.host) else {
            throw SibylError(
                .invalidInput, "image: registry \(image.host) is not allowed on this node (allowed: \(allowed.joined(separator: ", ")))")
        }
        guard let name = spec.credentialsName else { return }
        guard let credentials = try await store.credentials(projectID: projectID).first(where: { $0.name == name }) else {
            throw SibylError(.invalidInput, "credentials_name: no registry credentials named \(name) in this project")
        }
        let host = ImageReference.registryHost(credentials.registryURL)
        guard host == image.host else {
            throw SibylError(
                .invalidInput,
                "credentials_name: the registry credentials \(name) are for \(host), but the image is on \(image.host): name credentials for the image's registry")
        }
    }

    private func newTask(_ kind: DeploymentTask.Kind, _ deployment: Deployment, _ user: User) -> DeploymentTask {
        DeploymentTask(
            id: UUID().uuidString.lowercased(), projectID: deployment.projectID, userID: user.id, kind: kind, state: .running,
            deploymentName: deployment.name, createdAt: store.clock.now())
    }

    // MARK: Keys

    /// A new key; its secret is in the answer and nowhere else.
    public func createKey(projectID: Int, name: String, description: String?, expiresAt: String?) async throws(SibylError) -> (InferenceKey, String) {
        try Deployment.validateKeyName(name)
        let secret = "sbk_" + Secrets.make()
        let key = InferenceKey(
            projectID: projectID, name: name, description: description, expiresAt: try expiresAt.map(Self.epochSeconds),
            createdAt: store.clock.now(), secretHash: Secrets.sha256Hex(secret))
        try await store.insertInferenceKey(key)
        try await platform.deploymentsChanged()
        return (key, secret)
    }

    public func key(projectID: Int, name: String?) async throws(SibylError) -> InferenceKey {
        guard let name, let key = try await keys(projectID: projectID).first(where: { $0.name == name }) else {
            throw SibylError(.notFound, "no such API key")
        }
        return key
    }

    /// The project's inference keys.
    public func keys(projectID: Int) async throws(SibylError) -> [InferenceKey] {
        try await store.inferenceKeys(projectID: projectID)
    }

    /// Changes a key's description (nil removes it); answers the key as it is afterwards.
    public func describeKey(_ key: InferenceKey, description: String?) async throws(SibylError) -> InferenceKey {
        try await store.updateInferenceKey(projectID: key.projectID, name: key.name, description: description) ?? key
    }

    public func deleteKey(projectID: Int, name: String?) async throws(SibylError) {
        guard let name, try await store.deleteInferenceKey(projectID: projectID, name: name) else {
            throw SibylError(.notFound, "no such API key")
        }
        try await platform.deploymentsChanged()
    }

    /// The registry login a deployment's image is pulled with, opened from its sealed form.
    public static func registryAuth(_ deployment: Deployment, store: Store, sealer: Sealer) async -> RegistryAuth? {
        guard let name = deployment.spec.credentialsName,
            let credentials = try? await store.credentials(projectID: deployment.projectID).first(where: { $0.name == name }),
            let password = try? sealer.open(credentials.sealedPassword)
        else { return nil }
        return RegistryAuth(username: credentials.username, password: password, serverAddress: credentials.registryURL)
    }

    public static func epochSeconds(_ text: String) throws(SibylError) -> Int64 {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text) else {
            throw SibylError(.invalidInput, "expires_at: expected an ISO 8601 date and time, e.g. 2027-01-31T12:00:00Z")
        }
        return Int64(date.timeIntervalSince1970)
    }
}
