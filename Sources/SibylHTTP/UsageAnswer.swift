import SibylApp
import SibylCore

/// Daily counts of an API or a deployment, as the management API and the deployment API answer them.
public struct UsageAnswer: Encodable {
    public struct Day: Encodable {
        let date: String
        let status200: Int
        let status4xx5xx: Int
        let byStatus: [String: Int]

        enum CodingKeys: String, CodingKey {
            case date, status200 = "status_200", status4xx5xx = "status_4xx_5xx", byStatus = "by_status"
        }
    }

    let apiID: String
    let from: String
    let to: String
    let days: [Day]
    let total200: Int
    let total4xx5xx: Int

    public init(_ report: APIOperations.UsageReport) {
        apiID = report.apiID
        from = report.from
        to = report.to
        days = report.days.map { day in
            Day(
                date: day.date, status200: day.status200, status4xx5xx: day.status4xx5xx,
                byStatus: Dictionary(uniqueKeysWithValues: day.byStatus.map { (String($0.key), $0.value) }))
        }
        total200 = report.total200
        total4xx5xx = report.total4xx5xx
    }

    enum CodingKeys: String, CodingKey {
        case apiID = "api_id", from, to, days, total200 = "total_200", total4xx5xx = "total_4xx_5xx"
    }
}
