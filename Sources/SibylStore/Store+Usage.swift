import SQLKit
import SibylCore

extension Store {
    /// How long the ids of added batches are kept: far longer than any node retries a batch.
    static let usageBatchMemorySeconds: Int64 = 7 * 86_400

    /// Adds a batch of counts to the stored ones, all in one transaction (an upsert-add per key), once per
    /// `batchID`: a batch sent again after its answer was lost (the commit may have happened) is not added
    /// twice. Returns false when the batch had been added already.
    @discardableResult
    public func addUsage(batchID: String, _ counts: [UsageKey: Int]) async throws(SibylError) -> Bool {
        guard !counts.isEmpty else { return true }
        let now = self.clock.now()
        return try await run(transaction: true) { db in
            guard try await db.raw("""
                INSERT INTO usage_batches (id, added_at) VALUES (\(bind: batchID), \(bind: now))
                ON CONFLICT (id) DO NOTHING RETURNING id
                """).first() != nil
            else { return false }
            try await db.raw("DELETE FROM usage_batches WHERE added_at < \(bind: now - Self.usageBatchMemorySeconds)").run()
            for (key, count) in counts {
                try await db.raw("""
                    INSERT INTO usage (api_id, day, status, count) VALUES (\(bind: key.apiID), \(bind: key.day), \(bind: key.status), \(bind: count))
                    ON CONFLICT (api_id, day, status) DO UPDATE SET count = usage.count + excluded.count
                    """).run()
            }
            return true
        }
    }

    /// Daily counts of an API between two `YYYY-MM-DD` dates, both included; days without requests are absent.
    public func usage(apiID: String, from: String, to: String) async throws(SibylError) -> [UsageDay] {
        try await run { db in
            var days: [String: UsageDay] = [:]
            for row in try await db.raw("""
                SELECT day, status, count FROM usage WHERE api_id = \(bind: apiID) AND day >= \(bind: from) AND day <= \(bind: to)
                """).all() {
                let day = try row.decode(column: "day", as: String.self)
                days[day, default: UsageDay(date: day)].byStatus[try row.decode(column: "status", as: Int.self)] =
                    try row.decode(column: "count", as: Int.self)
            }
            return days.values.sorted { $0.date < $1.date }
        }
    }
}
