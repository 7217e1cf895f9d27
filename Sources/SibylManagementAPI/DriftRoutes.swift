import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// A model's input profile (`…/models/{model_id}/profile`: its training rows as CSV, summarised and not
/// kept) and an API's input drift (`…/apis/{api_id}/drift`).
extension ModelRoutes {
    func addProfile(to models: RouterGroup<ProjectContext>) {
        models.put(":model_id/profile") { request, context in
            let model = try await model(request, context)
            let profile = try await operations.setProfile(model) {
                Array(buffer: try await JSONBody.collect(request, limit: operations.platform.configuration.maxProfileBytes))
            }
            return JSONAnswer(.ok, ProfileAnswer(modelID: model.id, profile))
        }
        models.get(":model_id/profile") { request, context in
            let model = try await model(request, context)
            return JSONAnswer(.ok, ProfileAnswer(modelID: model.id, try await operations.profile(model)))
        }
        models.delete(":model_id/profile") { request, context in
            try await operations.deleteProfile(try await model(request, context))
            return Response(status: .noContent)
        }
    }
}

extension APIRoutes {
    func addDrift(to apis: RouterGroup<ProjectContext>) {
        apis.get(":api_id/drift") { request, context in
            let query = request.uri.queryParameters
            let number = { (name: String) throws(SibylError) -> Double? in
                try query.get(name).map { text throws(SibylError) in
                    guard let value = Double(text) else { throw SibylError(.invalidInput, "\(name): expected a number") }
                    return value
                }
            }
            let version = try query.get("version").map { text throws(SibylError) in
                guard let version = Int(text) else { throw SibylError(.invalidInput, "version: expected a whole number") }
                return version
            }
            let report = try await operations.drift(
                try await record(request, context), version: version, from: query.get("from"), to: query.get("to"),
                referenceFrom: query.get("reference_from"), referenceTo: query.get("reference_to"), threshold: try number("threshold"),
                missingThreshold: try number("missing_threshold"))
            return JSONAnswer(.ok, DriftAnswer(report))
        }
    }
}

/// A model's inputs summarised: per feature, its values' count and missing rate, and a number's decile
/// edges or a category's counts.
struct ProfileAnswer: Encodable {
    struct Feature: Encodable {
        let name: String
        let type: String
        let count: Int
        let missingRate: Double
        let edges: [Double]?
        let bins: [Int]?
        let categories: [String: Int]?
    }

    let modelID: String
    let rows: Int
    let features: [Feature]

    init(modelID: String, _ profile: InputProfile) {
        self.modelID = modelID
        rows = profile.rows
        features = profile.features.map { feature in
            Feature(
                name: feature.name, type: feature.isCategory ? "category" : "number", count: feature.count,
                missingRate: feature.missingRate ?? 0, edges: feature.isCategory ? nil : feature.edges,
                bins: feature.isCategory ? nil : feature.bins, categories: feature.isCategory ? feature.categories : nil)
        }
    }
}

/// Input drift of a period against a reference, per feature, with the features that drifted.
struct DriftAnswer: Encodable {
    struct Feature: Encodable {
        let name: String
        let psi: Double?
        let referenceMissingRate: Double?
        let missingRate: Double?
        let newCategories: [String]
        let drifted: Bool
        let bins: [String]
        let shares: [Double]
        let referenceShares: [Double]
    }

    let apiID: String
    let version: Int
    let from: String
    let to: String
    let reference: String
    let referenceFrom: String?
    let referenceTo: String?
    let threshold: Double
    let missingThreshold: Double
    let captures: Int
    let rows: Int
    let truncated: Bool
    let drifted: [String]
    let features: [Feature]

    init(_ report: APIOperations.DriftReport) {
        apiID = report.apiID
        version = report.version
        from = UTCDay.dateTime(fromEpochMilliseconds: report.from)
        to = UTCDay.dateTime(fromEpochMilliseconds: report.to)
        reference = report.reference
        referenceFrom = report.referenceFrom.map(UTCDay.dateTime(fromEpochMilliseconds:))
        referenceTo = report.referenceTo.map(UTCDay.dateTime(fromEpochMilliseconds:))
        threshold = report.threshold
        missingThreshold = report.missingThreshold
        captures = report.captures
        rows = report.rows
        truncated = report.truncated
        drifted = report.drifted
        features = report.features.map { feature in
            Feature(
                name: feature.name, psi: feature.psi, referenceMissingRate: feature.referenceMissingRate, missingRate: feature.missingRate,
                newCategories: feature.newCategories, drifted: feature.drifted, bins: feature.binLabels, shares: feature.shares,
                referenceShares: feature.referenceShares)
        }
    }
}
