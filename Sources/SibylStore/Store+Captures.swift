import Foundation
import SQLKit
import SibylCore

extension Store {
    /// Rows of captures one INSERT writes: 10 values each stays under SQLite's oldest limit of 999 per statement.
    static let capturesPerInsert = 90

    /// Writes a node's captures in one transaction, ninety rows a statement (a node under load writes
    /// thousands a second); a capture written already (a batch sent again after its answer was lost) is not
    /// written twice: ids are unique.
    public func addCaptures(_ captures: [Capture]) async throws(SibylError) {
        guard !captures.isEmpty else { return }
        try await run(transaction: true) { db in
            for start in stride(from: 0, to: captures.count, by: Self.capturesPerInsert) {
                var query: SQLQueryString = "INSERT INTO captures (id, api_id, endpoint, captured_at, version, key_id, status, media_type, request, answer) VALUES "
                for (index, capture) in captures[start..<min(start + Self.capturesPerInsert, captures.count)].enumerated() {
                    if index > 0 { query += ", " }
                    query += """
                        (\(bind: capture.id), \(bind: capture.apiID), \(bind: capture.endpoint.rawValue), \(bind: capture.time), \(bind: capture.version), \(bind: capture.keyID),
                        \(bind: capture.status), \(bind: capture.mediaType), \(bind: Data(capture.request)), \(bind: Data(capture.answer)))
                        """
                }
                query += " ON CONFLICT (id) DO NOTHING"
                try await db.raw(query).run()
            }
        }
    }

    /// An API's captures from `from` to `to` (milliseconds, both included) after the one at `after` (a
    /// page's end), oldest first (by time, then id), at most `limit`.
    public func captures(apiID: String, from: Int64, to: Int64, after: CaptureCursor?, limit: Int) async throws(SibylError)
        -> [Capture]
    {
        let afterTime = after?.time ?? Int64.min
        let afterID = after?.id ?? ""
        return try await run { db in
            try await db.raw("""
                SELECT * FROM captures WHERE api_id = \(bind: apiID) AND captured_at >= \(bind: from) AND captured_at <= \(bind: to)
                  AND (captured_at > \(bind: afterTime) OR (captured_at = \(bind: afterTime) AND id > \(bind: afterID)))
                ORDER BY captured_at, id LIMIT \(bind: limit)
                """).all().map { row in
                Capture(
                    id: try row.decode(column: "id", as: String.self), apiID: apiID,
                    endpoint: Capture.Endpoint(rawValue: try row.decode(column: "endpoint", as: String.self)) ?? .predict,
                    time: try row.decode(column: "captured_at", as: Int64.self), version: try row.decode(column: "version", as: Int.self),
                    keyID: try row.decode(column: "key_id", as: String.self), status: try row.decode(column: "status", as: Int.self),
                    mediaType: try row.decode(column: "media_type", as: String.self),
                    request: [UInt8](try row.decode(column: "request", as: Data.self)),
                    answer: [UInt8](try row.decode(column: "answer", as: Data.self)))
            }
        }
    }

    /// The next captures after `after`, as `captures` reads them, at most `limit` and, past the first, no more
    /// than `byteLimit` of request bodies: what a replay or a drift report reads at once.
    public func capturePage(apiID: String, from: Int64, to: Int64, after: CaptureCursor?, limit: Int, byteLimit: Int)
        async throws(SibylError) -> [Capture]
    {
        let afterTime = after?.time ?? Int64.min
        let afterID = after?.id ?? ""
        let sizes = try await run { db in
            try await db.raw("""
                SELECT LENGTH(request) AS size FROM captures WHERE api_id = \(bind: apiID) AND captured_at >= \(bind: from)
                  AND captured_at <= \(bind: to)
                  AND (captured_at > \(bind: afterTime) OR (captured_at = \(bind: afterTime) AND id > \(bind: afterID)))
                ORDER BY captured_at, id LIMIT \(bind: limit)
                """).all().map { try $0.decode(column: "size", as: Int.self) }
        }
        guard !sizes.isEmpty else { return [] }
        var bytes = 0
        let count = max(1, sizes.prefix { size in
            bytes += size
            return bytes <= byteLimit
        }.count)
        return try await captures(apiID: apiID, from: from, to: to, after: after, limit: count)
    }

    /// Deletes an API's captures made before `before` (milliseconds): its retention.
    public func deleteCaptures(apiID: String, before: Int64) async throws(SibylError) {
        try await run { db in
            try await db.raw("DELETE FROM captures WHERE api_id = \(bind: apiID) AND captured_at < \(bind: before)").run()
        }
    }
}
