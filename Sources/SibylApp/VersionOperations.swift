import SibylCore
import SibylStore

/// An API's versions, its traffic split and its shadow, for every front end: each change is written, served
/// on this node (the versions' models compiled first) and told to the others.
extension APIOperations {
    /// Adds a model of the project as the API's next version without serving it: the traffic stays where it
    /// is until the version is given a share or made current. Answers the API with its versions.
    public func addVersion(_ api: PredictionAPI, modelID: String) async throws(SibylError) -> APIRecord {
        guard try await store.model(projectID: api.projectID, id: modelID) != nil else {
            throw SibylError(.invalidInput, "model_id: no such model in this project")
        }
        guard try await store.addVersion(projectID: api.projectID, apiID: api.id, modelID: modelID) != nil else {
            throw SibylError(.notFound, "no such API")
        }
        try await platform.apiChanged(projectID: api.projectID, apiID: api.id)
        return try await record(projectID: api.projectID, id: api.id)
    }

    /// Makes a version current again with all the traffic (a rollback); its model is compiled first.
    public func makeCurrent(_ record: APIRecord, version number: Int) async throws(SibylError) -> APIRecord {
        guard let version = record.version(number) else { throw SibylError(.notFound, "no such version") }
        try await compile(record, [number])
        return try await change(record.api) { try $0.rollingBack(to: version) }
    }

    /// Shares the predictions among versions, or (nil) gives them all back to the current version. Every
    /// version's model is compiled first, so the split serves at once on this node.
    public func split(_ record: APIRecord, _ split: TrafficSplit?) async throws(SibylError) -> APIRecord {
        let known = Set(record.versions.map(\.number))
        try await compile(record, (split?.versions ?? []).filter(known.contains))
        return try await change(record.api) { try $0.splitting(split, known: known) }
    }

    /// Gives a version a copy of every answered prediction, or (nil) ends the shadow; its model is compiled
    /// first.
    public func shadow(_ record: APIRecord, version: Int?) async throws(SibylError) -> APIRecord {
        let known = Set(record.versions.map(\.number))
        try await compile(record, version.map { known.contains($0) ? [$0] : [] } ?? [])
        return try await change(record.api) { try $0.shadowing(version, known: known) }
    }

    /// How the shadow's answers compared, per version and day, over a range of days (the last 30 by default).
    public struct ShadowReport: Sendable {
        public let apiID: String
        public let shadow: Int?
        public let from: String
        public let to: String
        public let classifier: Bool
        /// By version, then day; days without comparisons are left out.
        public let days: [(version: Int, day: ShadowDay)]
    }

    public func shadowReport(_ record: APIRecord, from: String?, to: String?) async throws -> ShadowReport {
        let range = try platform.dayRange(from: from, to: to)
        let days = try await platform.shadows.days(apiID: record.api.id, from: range.from, to: range.to)
            .sorted { ($0.key.version, $0.key.day) < ($1.key.version, $1.key.day) }.map { ($0.key.version, $0.value) }
        let model = try await store.model(projectID: record.api.projectID, id: record.api.modelID)
        return ShadowReport(
            apiID: record.api.id, shadow: record.api.shadow, from: range.from, to: range.to,
            classifier: model.map { $0.schema.task != .regression } ?? true, days: days)
    }

    /// Forgets a version that does not answer, so that its model can be deleted.
    public func deleteVersion(_ api: PredictionAPI, number: Int?) async throws(SibylError) {
        guard let number, try await store.deleteVersion(projectID: api.projectID, apiID: api.id, number: number) else {
            throw SibylError(.notFound, "no such version")
        }
        try await platform.apiChanged(projectID: api.projectID, apiID: api.id)
    }

    /// The versions' models, loaded and compiled (a node keeps them), before a change serves them.
    func compile(_ record: APIRecord, _ numbers: [Int]) async throws(SibylError) {
        for number in numbers {
            guard let version = record.version(number),
                let model = try await store.model(projectID: record.api.projectID, id: version.modelID)
            else { continue }
            _ = try await platform.models.model(model)
        }
    }

    /// Writes a change of the model or traffic, serves it here and on the other nodes, and builds what it
    /// rolls out.
    func change(_ current: PredictionAPI, _ rule: @escaping @Sendable (PredictionAPI) throws -> PredictionAPI)
        async throws(SibylError) -> APIRecord
    {
        guard let next = try await store.changeAPI(projectID: current.projectID, id: current.id, rule) else {
            throw SibylError(.notFound, "no such API")
        }
        try await platform.apiChanged(projectID: next.projectID, apiID: next.id)
        if next.status == .updating { builder.enqueue(projectID: next.projectID, apiID: next.id) }
        return try await record(projectID: next.projectID, id: next.id)
    }
}
