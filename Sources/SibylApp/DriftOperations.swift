import SibylCore
import SibylRuntime
import SibylStore

/// A model's input profile: its training rows (CSV, a header of feature names) summarised on upload, in one
/// of the node's upload slots, and not kept.
extension ModelOperations {
    public func setProfile(_ model: Model, reading read: () async throws -> [UInt8]) async throws -> InputProfile {
        try await uploads.run {
            let csv = try await read()
            let compiled = try await platform.models.model(model)
            let input = try PredictionInput.decode(
                csv, mediaType: "text/csv", features: compiled.features,
                limits: InputLimits(maxRows: .max, maxCells: platform.configuration.profileCells))
            guard input.rows > 0 else { throw SibylError(.invalidInput, "the file has no rows: a header of feature names, then a row a line") }
            let profile = InputProfile(reference: input, schema: model.schema)
            try await store.setProfile(modelID: model.id, profile)
            return profile
        }
    }

    public func profile(_ model: Model) async throws(SibylError) -> InputProfile {
        guard let profile = try await store.profile(modelID: model.id) else { throw SibylError(.notFound, "the model has no profile") }
        return profile
    }

    public func deleteProfile(_ model: Model) async throws(SibylError) {
        guard try await store.deleteProfile(modelID: model.id) else { throw SibylError(.notFound, "the model has no profile") }
    }
}

extension InputProfile {
    /// Every feature of `input` summarised as a reference (deciles of numbers, counts of categories).
    init(reference input: FeatureMatrix, schema: ModelSchema) {
        self.init(rows: input.rows, features: schema.featureNames.enumerated().map { column, name in
            FeatureProfile.reference(name: name, type: schema.type(ofFeature: column), values: input.column(column))
        })
    }
}

extension FeatureMatrix {
    func column(_ index: Int) -> [Float] {
        stride(from: index, to: values.count, by: columns).map { values[$0] }
    }
}

/// Input drift of an API: its captured inputs of a period against a reference, per feature.
extension APIOperations {
    public struct DriftReport: Sendable {
        public let apiID: String
        public let version: Int
        public let from: Int64
        public let to: Int64
        /// `profile` (the version's model's) or `period` (the API's captures from `referenceFrom` to `referenceTo`).
        public let reference: String
        public let referenceFrom: Int64?
        public let referenceTo: Int64?
        public let threshold: Double
        public let missingThreshold: Double
        /// Captured requests read, their rows, and whether the period held more than `driftCaptureLimit`.
        public let captures: Int
        public let rows: Int
        public let truncated: Bool
        public let features: [FeatureDrift]

        public var drifted: [String] { features.filter(\.drifted).map(\.name) }
    }

    /// The default drift threshold on the population stability index (0.2: the usual "significant shift"),
    /// and on a missing rate's change.
    public static let driftThreshold = 0.2
    public static let driftMissingThreshold = 0.1

    /// Compares the inputs captured from `from` to `to` (by default the last 24 hours), as `version` (by
    /// default the current one) reads them, with its model's profile, or with the captures from
    /// `referenceFrom` to `referenceTo` when given.
    public func drift(
        _ record: APIRecord, version: Int?, from: String?, to: String?, referenceFrom: String?, referenceTo: String?,
        threshold: Double?, missingThreshold: Double?
    ) async throws -> DriftReport {
        let number = version ?? record.api.version
        guard let chosen = record.version(number) else { throw SibylError(.invalidInput, "version: no such version of this API") }
        guard let model = try await store.model(projectID: record.api.projectID, id: chosen.modelID) else {
            throw SibylError(.invalidInput, "version: its model is gone")
        }
        let threshold = threshold ?? Self.driftThreshold
        let missingThreshold = missingThreshold ?? Self.driftMissingThreshold
        guard threshold.isFinite, threshold > 0 else { throw SibylError(.invalidInput, "threshold: a number above 0") }
        guard missingThreshold.isFinite, missingThreshold > 0 else { throw SibylError(.invalidInput, "missing_threshold: a number above 0") }
        let period = try period(from: from, to: to)
        let compiled = try await platform.models.model(model)
        await platform.captures.flush()
        let reference: InputProfile
        var referencePeriod: (Int64, Int64)?
        if referenceFrom != nil || referenceTo != nil {
            guard let referenceFrom, let referenceTo else { throw SibylError(.invalidInput, "reference_from and reference_to: both or neither") }
            let span = try self.period(from: referenceFrom, to: referenceTo, names: ("reference_from", "reference_to"))
            referencePeriod = span
            // Deciles need every value: kept up to `profileCells`, as an uploaded profile's are.
            var values: [Float] = []
            let cellLimit = platform.configuration.profileCells
            let read = try await readCaptures(record.api, compiled, span) { input in
                guard values.count + input.values.count <= cellLimit else { return false }
                values += input.values
                return true
            }
            guard read.rows > 0 else { throw SibylError(.invalidInput, "reference_from: the reference period has no captured rows") }
            let columns = compiled.features.names.count
            reference = InputProfile(reference: FeatureMatrix(rows: values.count / columns, columns: columns, values: values), schema: model.schema)
        } else {
            guard let profile = try await store.profile(modelID: model.id) else {
                throw SibylError(.conflict, "no reference: upload a profile of model \(model.id)'s training rows, or give reference_from and reference_to")
            }
            reference = profile
        }
        var current = reference.features.map(FeatureProfile.init(binsOf:))
        let read = try await readCaptures(record.api, compiled, period) { input in
            for column in current.indices { current[column].count(input.column(column), type: model.schema.type(ofFeature: column)) }
            return true
        }
        let features = zip(reference.features, current).map { profile, counted in
            FeatureDrift(reference: profile, current: counted, threshold: threshold, missingThreshold: missingThreshold)
        }
        let report = DriftReport(
            apiID: record.api.id, version: number, from: period.0, to: period.1, reference: referencePeriod == nil ? "profile" : "period",
            referenceFrom: referencePeriod?.0, referenceTo: referencePeriod?.1, threshold: threshold, missingThreshold: missingThreshold,
            captures: read.captures, rows: read.rows, truncated: read.truncated, features: features)
        platform.drift.record(report)
        return report
    }

    /// Hands `take` the answered captures of a period as `model` reads them, in order, until it answers
    /// false or `driftCaptureLimit` captures were read (`truncated` then says that more were left); a
    /// capture the model cannot read is skipped.
    private func readCaptures(_ api: PredictionAPI, _ model: CompiledModel, _ period: (Int64, Int64), _ take: (FeatureMatrix) -> Bool)
        async throws -> (captures: Int, rows: Int, truncated: Bool)
    {
        let limit = platform.configuration.driftCaptureLimit
        let limits = platform.configuration.inputLimits
        var rows = 0, read = 0
        var cursor: CaptureCursor?
        while true {
            let page = try await store.capturePage(
                apiID: api.id, from: period.0, to: period.1, after: cursor, limit: ReplayRunner.pageCaptures, byteLimit: ReplayRunner.pageBytes)
            guard let last = page.last else { return (read, rows, false) }
            cursor = CaptureCursor(last)
            for capture in page {
                guard read < limit else { return (read, rows, true) }
                read += 1
                guard capture.status == 200,
                    let input = try? capture.input(for: model, limits: limits)
                else { continue }
                guard take(input) else { return (read, rows, true) }
                rows += input.rows
            }
        }
    }
}
