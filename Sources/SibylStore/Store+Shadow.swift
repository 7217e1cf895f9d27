import SQLKit
import SibylCore

extension Store {
    /// Adds a node's shadow tallies to the stored ones, in one transaction: sums add, maxima keep the larger.
    public func addShadowDays(_ tallies: [ShadowKey: ShadowDay]) async throws(SibylError) {
        guard !tallies.isEmpty else { return }
        try await run(transaction: true) { db in
            for (key, day) in tallies {
                try await db.raw("""
                    INSERT INTO shadow_days (api_id, version, day, requests, rows_compared, agreed_rows, values_compared,
                      sum_abs_difference, max_abs_difference, failed, skipped)
                    VALUES (\(bind: key.apiID), \(bind: key.version), \(bind: key.day), \(bind: day.requests), \(bind: day.rows),
                      \(bind: day.agreedRows), \(bind: day.values), \(bind: day.sumAbsoluteDifference), \(bind: day.maxAbsoluteDifference),
                      \(bind: day.failed), \(bind: day.skipped))
                    ON CONFLICT (api_id, version, day) DO UPDATE SET requests = shadow_days.requests + excluded.requests,
                      rows_compared = shadow_days.rows_compared + excluded.rows_compared,
                      agreed_rows = shadow_days.agreed_rows + excluded.agreed_rows,
                      values_compared = shadow_days.values_compared + excluded.values_compared,
                      sum_abs_difference = shadow_days.sum_abs_difference + excluded.sum_abs_difference,
                      max_abs_difference = CASE WHEN excluded.max_abs_difference > shadow_days.max_abs_difference
                        THEN excluded.max_abs_difference ELSE shadow_days.max_abs_difference END,
                      failed = shadow_days.failed + excluded.failed, skipped = shadow_days.skipped + excluded.skipped
                    """).run()
            }
        }
    }

    /// An API's shadow comparisons between two `YYYY-MM-DD` dates, by version then day; days without any are
    /// absent.
    public func shadowDays(apiID: String, from: String, to: String) async throws(SibylError) -> [(version: Int, day: ShadowDay)] {
        try await run { db in
            try await db.raw("""
                SELECT * FROM shadow_days WHERE api_id = \(bind: apiID) AND day >= \(bind: from) AND day <= \(bind: to)
                ORDER BY version, day
                """).all().map { row in
                var day = ShadowDay(date: try row.decode(column: "day", as: String.self))
                day.requests = try row.decode(column: "requests", as: Int.self)
                day.rows = try row.decode(column: "rows_compared", as: Int.self)
                day.agreedRows = try row.decode(column: "agreed_rows", as: Int.self)
                day.values = try row.decode(column: "values_compared", as: Int.self)
                day.sumAbsoluteDifference = try row.decode(column: "sum_abs_difference", as: Double.self)
                day.maxAbsoluteDifference = try row.decode(column: "max_abs_difference", as: Double.self)
                day.failed = try row.decode(column: "failed", as: Int.self)
                day.skipped = try row.decode(column: "skipped", as: Int.self)
                return (try row.decode(column: "version", as: Int.self), day)
            }
        }
    }
}
