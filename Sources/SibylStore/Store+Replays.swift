import Foundation
import SQLKit
import SibylCore

extension Store {
    /// What a replay's `result` column holds.
    private struct ReplayResult: Codable {
        var classifier: Bool
        var comparison: Comparison
        var differingRows: Int
        var differences: [ReplayDifference]
    }

    public func addReplay(_ replay: Replay) async throws(SibylError) {
        let result = try Self.result(replay)
        try await run { db in
            try await db.raw("""
                INSERT INTO replays (id, api_id, version, from_ms, to_ms, tolerance, state, total, processed, result, error,
                  created_at, updated_at)
                VALUES (\(bind: replay.id), \(bind: replay.apiID), \(bind: replay.version), \(bind: replay.from), \(bind: replay.to),
                  \(bind: replay.tolerance), \(bind: replay.state.rawValue), \(bind: replay.total), \(bind: replay.processed),
                  \(bind: result), \(bind: replay.error), \(bind: replay.createdAt), \(bind: replay.updatedAt))
                """).run()
        }
    }

    /// Writes a replay's progress; false when it is gone (deleted, with its API or by itself): its runner stops.
    public func saveReplay(_ replay: Replay) async throws(SibylError) -> Bool {
        let result = try Self.result(replay)
        return try await run { db in
            try await db.raw("""
                UPDATE replays SET state = \(bind: replay.state.rawValue), total = \(bind: replay.total),
                  processed = \(bind: replay.processed), result = \(bind: result), error = \(bind: replay.error),
                  updated_at = \(bind: replay.updatedAt)
                WHERE id = \(bind: replay.id) RETURNING id
                """).first() != nil
        }
    }

    public func replay(apiID: String, id: String) async throws(SibylError) -> Replay? {
        try await replays(apiID: apiID, id: id, limit: 1).first
    }

    /// An API's replays, newest first, at most `limit`.
    public func replays(apiID: String, limit: Int) async throws(SibylError) -> [Replay] {
        try await replays(apiID: apiID, id: nil, limit: limit)
    }

    private func replays(apiID: String, id: String?, limit: Int) async throws(SibylError) -> [Replay] {
        try await run { db in
            var query: SQLQueryString = "SELECT * FROM replays WHERE api_id = \(bind: apiID)"
            if let id { query += " AND id = \(bind: id)" }
            query += " ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)"
            return try await db.raw(query).all().map { row in
                var replay = Replay(
                    id: try row.decode(column: "id", as: String.self), apiID: apiID, version: try row.decode(column: "version", as: Int.self),
                    from: try row.decode(column: "from_ms", as: Int64.self), to: try row.decode(column: "to_ms", as: Int64.self),
                    tolerance: try row.decode(column: "tolerance", as: Double.self), classifier: true, total: try row.decode(column: "total", as: Int.self),
                    now: try row.decode(column: "created_at", as: Int64.self))
                replay.state = Replay.State(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed
                replay.processed = try row.decode(column: "processed", as: Int.self)
                replay.error = try row.decode(column: "error", as: String?.self)
                replay.updatedAt = try row.decode(column: "updated_at", as: Int64.self)
                let result = try JSONDecoder().decode(ReplayResult.self, from: Data(try row.decode(column: "result", as: String.self).utf8))
                replay.classifier = result.classifier
                replay.comparison = result.comparison
                replay.differingRows = result.differingRows
                replay.differences = result.differences
                return replay
            }
        }
    }

    /// Forgets a replay; false when there is none.
    public func deleteReplay(apiID: String, id: String) async throws(SibylError) -> Bool {
        try await run { db in
            try await db.raw("DELETE FROM replays WHERE api_id = \(bind: apiID) AND id = \(bind: id) RETURNING id").first() != nil
        }
    }

    private static func result(_ replay: Replay) throws(SibylError) -> String {
        let result = ReplayResult(classifier: replay.classifier, comparison: replay.comparison, differingRows: replay.differingRows, differences: replay.differences)
        do {
            return String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
        } catch {
            throw SibylError(.internalError, "replay not encoded: \(error)")
        }
    }
}
