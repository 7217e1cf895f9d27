import PostgresNIO
import SQLKit
import SibylCore

/// Changes told between the nodes that share a database, as short texts on one PostgreSQL channel
/// (LISTEN/NOTIFY). A notification is a hint to reload from the store, never the data itself: a node that
/// misses one (while reconnecting) catches up with a full reload.
extension Store {
    static let changeChannel = "sibyl_changes"

    /// Whether other nodes may share this database and so need to hear of changes made here.
    public var isShared: Bool { backend is PostgresBackend }

    /// Tells every node listening (this one included) that `change` happened. A failure is logged, not
    /// thrown: the change itself is stored, and the nodes' periodic full reload picks it up.
    public func publish(_ change: String) async {
        guard isShared else { return }
        do {
            try await run { db in
                try await db.raw("SELECT pg_notify(\(bind: Self.changeChannel), \(bind: change))").run()
            }
        } catch {
            logger.warning("change not published; nodes will see it at their next full reload", metadata: ["change": "\(change)"])
        }
    }

    /// Listens for changes on one connection of the pool, calling `listening` once the subscription holds
    /// and then `onChange` for each change, until the connection fails (thrown) or the task is cancelled.
    /// Returns at once on a database no other node shares.
    public func listen(
        listening: @escaping @Sendable () async -> Void, onChange: @escaping @Sendable (String) async -> Void
    ) async throws {
        guard let backend = backend as? PostgresBackend else { return }
        try await backend.client.withConnection { connection in
            try await connection.listen(on: Self.changeChannel) { notifications in
                await listening()
                for try await notification in notifications { await onChange(notification.payload) }
            }
        }
    }
}
