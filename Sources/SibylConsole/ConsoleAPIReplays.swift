import Foundation
import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// Replays of an API's captures against a version (started from the API page, followed on a page of their
/// own that refreshes while running) and its input drift (a page with the chart, the inputs and the period
/// to compare). Every action is the JSON API's operation.
extension ConsoleAPIPages {
    struct ReplayRow: Sendable {
        let id: String
        let version: Int
        let period: String
        let state: String
        let progress: String
        let agreement: String
        let differingRows: Int
    }

    struct ReplayView: Sendable {
        let projectID: Int
        let apiID: String
        let apiName: String
        let replay: ReplayRow
        let running: Bool
        let compared: String
        let failed: Int
        let mean: String
        let maximum: String
        let error: String?
        let differences: [ReplayDifference]
        let hasDifferences: Bool
        let moreDifferences: Int
    }

    struct DriftRow: Sendable {
        let name: String
        let psi: String
        let missing: String
        let newCategories: String
        let drifted: Bool
    }

    struct DriftView: Sendable {
        let projectID: Int
        let apiID: String
        let apiName: String
        let from: String
        let to: String
        let referenceFrom: String
        let referenceTo: String
        let hasReport: Bool
        let chart: String
        let reference: String
        let read: String
        let drifted: String
        let rows: [DriftRow]
    }

    /// The most differing rows a replay's page lists (the API and the CLI give every one).
    static let replayPageRows = 100

    static func replayRow(_ replay: Replay, now: Int64) -> ReplayRow {
        ReplayRow(
            id: replay.id, version: replay.version,
            period: "\(ConsoleFormat.dateTime(replay.from / 1_000)) – \(ConsoleFormat.dateTime(replay.to / 1_000))",
            state: replay.state(at: now).rawValue, progress: "\(replay.processed) of \(replay.total)",
            agreement: replay.comparison.labelAgreement(classifier: replay.classifier).map { String(format: "%.2f %%", $0 * 100) } ?? "—",
            differingRows: replay.differingRows)
    }

    func addReplayRoutes(to router: Router<AppContext>) {
        let base = "projects/:project_id/apis/:api_id"
        router.post("\(base)/replays") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit, form: "replay", keeping: ["version", "from", "to"]) { project, api in
                    let record = try await console.apis.record(projectID: project.id, id: api.id)
                    let version = try visit.form.optional("version").map { text throws(SibylError) in
                        guard let number = Int(text) else { throw SibylError(.invalidInput, "version: choose one") }
                        return number
                    }
                    let replay = try await console.apis.startReplay(
                        record, version: version, from: visit.form.optional("from"), to: visit.form.optional("to"), tolerance: nil)
                    return try await visit.redirect(
                        to: path(project, api.id) + "/replays/\(replay.id)",
                        notice: "Replaying \(replay.total) captured requests against v\(replay.version).")
                }
            }
        }
        router.get("\(base)/replays/:replay_id") { request, context in
            try await console.page(request, context) { visit in
                let project = try await visit.project()
                let api = try await console.apis.record(projectID: project.id, id: context.parameters.get("api_id")).api
                let replay = try await console.apis.replay(api, id: context.parameters.get("replay_id"))
                let now = console.platform.clock.nowMilliseconds()
                let comparison = replay.comparison
                let view = ReplayView(
                    projectID: project.id, apiID: api.id, apiName: api.name ?? api.id, replay: Self.replayRow(replay, now: now),
                    running: replay.state(at: now) == .running, compared: "\(comparison.requests) requests, \(comparison.rows) rows",
                    failed: comparison.failed, mean: comparison.meanAbsoluteDifference.map { String(format: "%.6f", $0) } ?? "—",
                    maximum: comparison.maximumAbsoluteDifference.map { String(format: "%.6f", $0) } ?? "—", error: replay.error,
                    differences: Array(replay.differences.prefix(Self.replayPageRows)), hasDifferences: !replay.differences.isEmpty,
                    moreDifferences: max(0, replay.differingRows - Self.replayPageRows))
                return try await visit.page(
                    "replay", title: "Replay \(replay.id)", project: project, section: .apis, body: view, refresh: view.running ? 2 : nil)
            }
        }
        router.post("\(base)/replays/:replay_id/delete") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit) { project, api in
                    let id = context.parameters.get("replay_id")
                    try await console.apis.deleteReplay(api, id: id)
                    return try await visit.redirect(to: path(project, api.id) + "#capture-title", notice: "Replay \(id ?? "") deleted.")
                }
            }
        }
        router.get("\(base)/drift") { request, context in
            try await console.page(request, context) { visit in try await drift(visit) }
        }
    }

    /// The drift page: the period's inputs against the model's profile or an earlier period; a report that
    /// cannot be made (no reference yet, a bad date) says why on the page.
    private func drift(_ visit: ConsoleVisit) async throws -> Response {
        let project = try await visit.project()
        let record = try await console.apis.record(projectID: project.id, id: visit.context.parameters.get("api_id"))
        let query = visit.request.uri.queryParameters
        let given = { (name: String) -> String? in query.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        var report: APIOperations.DriftReport?
        var failure: SibylError?
        do {
            report = try await console.apis.drift(
                record, version: nil, from: given("from"), to: given("to"), referenceFrom: given("reference_from"),
                referenceTo: given("reference_to"), threshold: nil, missingThreshold: nil)
        } catch let error as SibylError {
            failure = error
        }
        let percent = { (rate: Double?) in rate.map { String(format: "%.1f %%", $0 * 100) } ?? "—" }
        let view = DriftView(
            projectID: project.id, apiID: record.api.id, apiName: record.api.name ?? record.api.id, from: given("from") ?? "",
            to: given("to") ?? "", referenceFrom: given("reference_from") ?? "", referenceTo: given("reference_to") ?? "",
            hasReport: report != nil, chart: report.map { DriftChart(report: $0).svg } ?? "",
            reference: report.map {
                $0.reference == "period"
                    ? "captures of \(UTCDay.dateTime(fromEpochMilliseconds: $0.referenceFrom ?? 0)) – \(UTCDay.dateTime(fromEpochMilliseconds: $0.referenceTo ?? 0))"
                    : "the profile of v\($0.version)'s model"
            } ?? "",
            read: report.map { "\($0.captures) captured requests, \($0.rows) rows" + ($0.truncated ? " (the period holds more)" : "") } ?? "",
            drifted: report.map { $0.drifted.isEmpty ? "none" : $0.drifted.joined(separator: ", ") } ?? "",
            rows: report?.features.map { feature in
                DriftRow(
                    name: feature.name, psi: feature.psi.map(DriftChart.number) ?? "—",
                    missing: "\(percent(feature.referenceMissingRate)) → \(percent(feature.missingRate))",
                    newCategories: feature.newCategories.joined(separator: ", "), drifted: feature.drifted)
            } ?? [])
        return try await visit.page(
            "drift", title: "Input drift of \(record.api.id)", project: project, section: .apis, body: view, status: failure?.status,
            error: failure?.message)
    }
}
