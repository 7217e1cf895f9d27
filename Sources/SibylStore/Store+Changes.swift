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

/// One leader among the nodes sharing a database, for the work only one may do (running containers): the
/// holder of a PostgreSQL advisory lock, which the server releases when the holder's connection ends.
extension Store {
    static let leaderLock: Int64 = 0x5_1B71_0003
    static let heartbeat: Duration = .seconds(1)

    /// Tries to lead every `heartbeat` and, once leading, checks the connection as often: `changed(true)`
    /// when the lock is taken, `changed(false)` before returning or throwing (the connection failed: the
    /// server has released, or will release, the lock for another node to take). Runs until cancelled.
    /// On a database no other node shares, this node leads at once.
    public func lead(_ changed: @escaping @Sendable (Bool) async -> Void) async throws {
        guard let backend = backend as? PostgresBackend else {
            await changed(true)
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3_600)) }
            return
        }
        let leading = try await backend.client.withConnection { connection in
            let db = OpenConnection(connection: connection)
            var leading = false
            do {
                while !Task.isCancelled {
                    if leading {
                        try await db.raw("SELECT 1").run()
                    } else if try await db.raw("SELECT pg_try_advisory_lock(\(bind: Self.leaderLock)) AS held").first()?
                        .decode(column: "held", as: Bool.self) == true
                    {
                        leading = true
                        await changed(true)
                    }
                    try? await Task.sleep(for: Self.heartbeat)
                }
            } catch {
                if leading { await changed(false) }
                throw error
            }
            if leading { try? await db.raw("SELECT pg_advisory_unlock(\(bind: Self.leaderLock))").run() }
            return leading
        }
        if leading { await changed(false) }
    }
}
