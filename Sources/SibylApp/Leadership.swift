import Logging
import ServiceLifecycle
import SibylContainers
import SibylStore

/// Keeps this node's supervisor leading while it holds the database's leader lock, and following otherwise;
/// when the leader's connection ends (its node stopped or died), another node's next try takes the lock.
public final class Leadership: Service {
    private let store: Store
    private let supervisor: Supervisor
    private let logger: Logger

    public init(store: Store, supervisor: Supervisor, logger: Logger) {
        self.store = store
        self.supervisor = supervisor
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.store.lead { leading in self.supervisor.setLeading(leading) }
                } catch {
                    if Task.isCancelled { return }
                    self.logger.warning("leader lock connection lost; trying again", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        supervisor.setLeading(false)
    }
}
