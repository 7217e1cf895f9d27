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
    }

    static func captureView(_ api: PredictionAPI, error: String?) -> CaptureView {
        let rate = api.capture.rate
        return CaptureView(
            rate: rate.rounded() == rate ? String(Int(rate)) : String(rate), retentionDays: api.capture.retentionDays, on: rate > 0,
            error: error)
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
                    let settings = Self.captureView(changed.api, error: nil)
                    return try await visit.redirect(
                        to: path(project, api.id) + "#capture-title",
                        notice: settings.on
                            ? "\(settings.rate) % of answered requests are kept with their answers for \(settings.retentionDays) days."
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
