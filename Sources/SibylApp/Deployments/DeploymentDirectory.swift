import Synchronization
import SibylCore
import SibylStore

/// The gateway's in-memory view of deployments and the keys that open them, so that a proxied request
/// makes no database round trip. Reloaded whole after every change (deployments and keys are few).
public final class DeploymentDirectory: Sendable {
    public struct Entry: Sendable {
        public let deployment: Deployment
        /// Each attached key, by the SHA-256 of its secret.
        public let keys: [String: InferenceKey]
    }

    private let entries = Mutex<[String: Entry]>([:])

    public func entry(projectID: Int, name: String) -> Entry? {
        entries.withLock { $0["\(projectID)/\(name)"] }
    }

    /// Reloads every deployment and key; returns the deployments.
    @discardableResult
    public func reload(from store: Store) async throws(SibylError) -> [Deployment] {
        let keys = try await store.inferenceKeys(projectID: nil)
        let deployments = try await store.deployments(projectID: nil)
        var fresh: [String: Entry] = [:]
        for deployment in deployments {
            let attached = Set(deployment.spec.apiKeys ?? [])
            let attachedKeys = keys.filter { $0.projectID == deployment.projectID && attached.contains($0.name) }
                .map { ($0.secretHash, $0) }
            fresh["\(deployment.projectID)/\(deployment.name)"] = Entry(
                deployment: deployment, keys: Dictionary(attachedKeys, uniquingKeysWith: { first, _ in first }))
        }
        entries.withLock { $0 = fresh }
        return deployments
    }
}
