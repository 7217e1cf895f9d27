import Hummingbird
import SibylApp
import SibylHTTP

/// The deployment API compatible with the vendor's (docs/gcore-inference-api.md): flavors, regions,
/// deployments and their tasks and logs, deployment keys, registry credentials and secrets, and Sibyl's
/// additions under `/api/v1/projects/{id}/deployments` (usage, lock, whitelist). The gateway to the
/// replicas is `DeploymentProxy`, on a listener of its own when the node has one.
public struct DeploymentAPI: Sendable {
    let deployments: DeploymentOperations
    let registry: RegistryOperations
    let auth: Authenticator
    let limit: Int

    public init(deployments: DeploymentOperations, registry: RegistryOperations, auth: Authenticator, limit: Int) {
        self.deployments = deployments
        self.registry = registry
        self.auth = auth
        self.limit = limit
    }

    public func add(to router: Router<AppContext>) {
        CloudRoutes(operations: deployments, auth: auth).add(to: router)
        CloudRegistryRoutes(operations: registry, auth: auth, limit: limit).add(to: router)
    }
}
