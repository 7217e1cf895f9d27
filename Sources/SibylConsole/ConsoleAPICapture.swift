import Foundation
import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// The API page's captured requests: the rate and retention, and the last 24 hours' captures to download
/// (the first page of them; the CLI and the API page through all). Every action is the JSON API's operation.
extension ConsoleAPIPages {
    struct CaptureView: Sendable {
        let rate: String
        let retentionDays: Int
        let on: Bool
        let error: String?
        /// The versions a replay can run against, the API's latest replays, and why a replay was refused.
        let versions: [Int]
        let replays: [ReplayRow]
        let hasReplays: Bool
        let replayError: String?
    }

    /// Most replays the API page lists (the newest).
    static let replayRows = 5

    static func captureView(_ record: APIRecord, replays: [Replay], now: Int64, error: String?, replayError: String?) -> CaptureView {
        let rate = record.api.capture.rate
        return CaptureView(
            rate: rate.rounded() == rate ? String(Int(rate)) : String(rate), retentionDays: record.api.capture.retentionDays, on: rate > 0,
            error: error, versions: record.versions.map(\.number).reversed(),
            replays: replays.prefix(replayRows).map { replayRow($0, now: now) }, hasReplays: !replays.isEmpty, replayError: replayError)
    }

    func addCaptureRoutes(to router: Router<AppContext>) {
        let base = "projects/:project_id/apis/:api_id"
        router.post("\(base)/capture") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit, form: "capture", keeping: ["rate", "retention_days"]) { project, api in
                    let record = try await console.apis.record(projectID: project.id, id: api.id)
                    let rate = try Self.number(visit.form["rate"], "rate")
                    let days = try Self.number(visit.form["retention_days"], "retention_days").map { days throws(SibylError) in
                        guard let whole = Int(exactly: days) else { throw SibylError(.invalidInput, "retention_days: a whole number of days") }
                        return whole
                    }
                    let changed = try await console.apis.setCapture(record, rate: rate, retentionDays: days)
                    let settings = changed.api.capture
                    let kept = settings.rate.rounded() == settings.rate ? String(Int(settings.rate)) : String(settings.rate)
                    return try await visit.redirect(
                        to: path(project, api.id) + "#capture-title",
                        notice: settings.rate > 0
                            ? "\(kept) % of answered requests are kept with their answers for \(settings.retentionDays) days."
                            : "No request is kept any more; captures made so far stay for \(settings.retentionDays) days.")
                }
            }
        }
        for format in [CaptureExport.Format.ndjson, .csv] {
            router.get("\(base)/captures.\(format.rawValue)") { request, context in
                try await console.page(request, context) { visit in
                    let project = try await visit.project()
                    let api = try await console.apis.record(projectID: project.id, id: visit.context.parameters.get("api_id")).api
                    let page = try await console.apis.captures(api, from: nil, to: nil, after: nil, limit: nil)
                    var response = CaptureExport.response(page, format)
                    response.headers[.contentDisposition] = "attachment; filename=\"\(api.id)-captures.\(format.rawValue)\""
                    return response
                }
            }
        }
    }

    /// A form's number, nil when left blank.
    private static func number(_ text: String?, _ name: String) throws(SibylError) -> Double? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let number = Double(text) else { throw SibylError(.invalidInput, "\(name): expected a number") }
        return number
    }
}
