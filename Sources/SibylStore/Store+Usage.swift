import SQLKit
import SibylCore

/// Requests of one API on one UTC day answered with one status, not yet written.
public struct UsageKey: Hashable, Sendable {
    public var apiID: String
    public var day: String
    public var status: Int

    public init(apiID: String, day: String, status: Int) {
        self.apiID = apiID
        self.day = day
        self.status = status
    }
}

extension Store {
    /// Adds counts to the stored ones, all in one transaction (an upsert-add per key).
    public func addUsage(_ counts: [UsageKey: Int]) async throws(SibylError) {
        guard !counts.isEmpty else { return }
        try await run(transaction: true) { db in
            for (key, count) in counts {
                try await db.raw("""
                    INSERT INTO usage (api_id, day, status, count) VALUES (\(bind: key.apiID), \(bind: key.day), \(bind: key.status), \(bind: count))
                    ON CONFLICT (api_id, day, status) DO UPDATE SET count = usage.count + excluded.count
                    """).run()
            }
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
