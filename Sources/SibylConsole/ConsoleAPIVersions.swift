import Foundation
import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// The API page's versions and traffic: add a model as a version, make one current (a rollback), forget
/// one, and split the predictions by a share per version. Every action is the JSON API's operation.
extension ConsoleAPIPages {
    struct VersionRow: Sendable {
        let number: Int
        let modelID: String
        let modelName: String
        let created: String
        let current: Bool
        let weight: Int
        /// The share typed into the split form: the split's weight, empty for none.
        let share: String
        /// Not already answering everything.
        let canMakeCurrent: Bool
        /// Answering nothing: neither current nor in the split (nor the shadow).
        let canForget: Bool
        let isShadow: Bool
        /// Not answering: a version that answers needs no shadow of itself.
        let canShadow: Bool
    }

    /// One day of the shadow's comparisons, as the console shows it.
    struct ShadowRow: Sendable {
        let date: String
        let version: Int
        let requests: Int
        let rows: Int
        let agreement: String
        let mean: String
        let maximum: String
        let failed: Int
        let skipped: Int
    }

    struct VersionsView: Sendable {
        let rows: [VersionRow]
        let summary: String
        let hasSplit: Bool
        let sticky: Bool
        let canSplit: Bool
        let error: String?
        let shadow: Int?
        let hasShadowDays: Bool
        let shadowDays: [ShadowRow]
    }

    static func versionsView(
        _ record: APIRecord, modelNames: [String: String], shadow report: APIOperations.ShadowReport, error: String?
    ) -> VersionsView {
        let api = record.api
        let served = Set(api.servedVersions)
        let answering = Set(api.answeringVersions)
        let rows = record.versions.reversed().map { version in
            let share = api.traffic?.shares.first { $0.version == version.number }?.weight
            return VersionRow(
                number: version.number, modelID: version.modelID, modelName: modelNames[version.modelID] ?? "",
                created: ConsoleFormat.dateTime(version.createdAt), current: version.number == api.version,
                weight: share ?? (api.traffic == nil && version.number == api.version ? 100 : 0), share: share.map(String.init) ?? "",
                canMakeCurrent: version.number != api.version || api.traffic != nil, canForget: !served.contains(version.number),
                isShadow: version.number == api.shadow, canShadow: version.number != api.shadow && !answering.contains(version.number))
        }
        let days = report.days.reversed().map { version, day in
            ShadowRow(
                date: day.date, version: version, requests: day.requests, rows: day.rows,
                agreement: day.labelAgreement(classifier: report.classifier).map { String(format: "%.2f %%", $0 * 100) } ?? "—",
                mean: day.meanAbsoluteDifference.map { String(format: "%.6f", $0) } ?? "—",
                maximum: day.maximumAbsoluteDifference.map { String(format: "%.6f", $0) } ?? "—", failed: day.failed, skipped: day.skipped)
        }
        let summary =
            if let split = api.traffic {
                "Split: " + split.shares.map { "v\($0.version) \($0.weight) %" }.joined(separator: ", ")
                    + (split.sticky ? ", each key always on one version." : ", drawn per request.")
            } else {
                "v\(api.version) answers every prediction."
            }
        return VersionsView(
            rows: rows, summary: summary, hasSplit: api.traffic != nil, sticky: api.traffic?.sticky ?? false,
            canSplit: record.versions.count > 1, error: error, shadow: api.shadow, hasShadowDays: !days.isEmpty, shadowDays: days)
    }

    /// The split form's shares: a whole percentage per version, blank or 0 for none.
    static func shares(_ form: ConsoleForm, _ record: APIRecord) throws(SibylError) -> [TrafficSplit.Share] {
        var shares: [TrafficSplit.Share] = []
        for version in record.versions {
            let text = (form["share_\(version.number)"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            guard let weight = Int(text) else { throw SibylError(.invalidInput, "v\(version.number): expected a whole percentage") }
            if weight != 0 { shares.append(TrafficSplit.Share(version: version.number, weight: weight)) }
        }
        return shares
    }

    func addVersionRoutes(to router: Router<AppContext>) {
        let base = "projects/:project_id/apis/:api_id"
        router.post("\(base)/versions") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit, form: "versions") { project, api in
                    let record = try await console.apis.addVersion(api, modelID: try visit.form.required("model_id"))
                    let number = record.versions.last?.number ?? 0
                    return try await visit.redirect(
                        to: path(project, api.id) + "#versions-title",
                        notice: "Model added as v\(number); it answers nothing until it is given a share or made current.")
                }
            }
        }
        router.post("\(base)/versions/:version/current") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit, form: "versions") { project, api in
                    let number = try Self.versionNumber(visit)
                    let record = try await console.apis.record(projectID: project.id, id: api.id)
                    _ = try await console.apis.makeCurrent(record, version: number)
                    return try await visit.redirect(
                        to: path(project, api.id) + "#versions-title", notice: "v\(number) answers every prediction, on every node.")
                }
            }
        }
        router.post("\(base)/versions/:version/forget") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit, form: "versions") { project, api in
                    let number = try Self.versionNumber(visit)
                    try await console.apis.deleteVersion(api, number: number)
                    return try await visit.redirect(
                        to: path(project, api.id) + "#versions-title", notice: "v\(number) forgotten: its model can be deleted.")
                }
            }
        }
        router.post("\(base)/shadow") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit, form: "versions") { project, api in
                    let record = try await console.apis.record(projectID: project.id, id: api.id)
                    let version = visit.form["end"] != nil ? nil : try Self.versionNumber(visit.form.required("version"))
                    _ = try await console.apis.shadow(record, version: version)
                    return try await visit.redirect(
                        to: path(project, api.id) + "#versions-title",
                        notice: version.map { "v\($0) shadows every answered prediction; it never answers." } ?? "The shadow ended.")
                }
            }
        }
        router.post("\(base)/traffic") { request, context in
            try await console.action(request, context) { visit in
                try await acting(visit, form: "versions") { project, api in
                    let record = try await console.apis.record(projectID: project.id, id: api.id)
                    let split =
                        visit.form["end"] != nil
                        ? nil : try TrafficSplit(shares: try Self.shares(visit.form, record), sticky: visit.form["sticky"] != nil)
                    _ = try await console.apis.split(record, split)
                    return try await visit.redirect(
                        to: path(project, api.id) + "#versions-title",
                        notice: split == nil ? "The split ended: the current version answers every prediction." : "Traffic split saved.")
                }
            }
        }
    }

    private static func versionNumber(_ visit: ConsoleVisit) throws(SibylError) -> Int {
        guard let number = visit.context.parameters.get("version").flatMap({ Int($0) }) else {
            throw SibylError(.notFound, "no such version")
        }
        return number
    }

    private static func versionNumber(_ text: String) throws(SibylError) -> Int {
        guard let number = Int(text) else { throw SibylError(.invalidInput, "version: expected a version's number") }
        return number
    }
}
