import Foundation
import SibylCore
import SibylStore

/// What can be done to a prediction API, with its rules and errors, for every front end: the JSON routes
/// and the console call these and only translate their inputs and answers.
///
/// Callers have already found the project, visible to the user (`Identity.project`); an API of
/// another project is "not found" here, as everywhere.
public struct APIOperations: Sendable {
    public let platform: Platform
    public let builder: APIBuilder

    public init(platform: Platform, builder: APIBuilder) {
        self.platform = platform
        self.builder = builder
    }
    public var store: Store { platform.store }

    /// The lifecycle actions a user asks for by name (`POST …/apis/{api_id}/stop` and the console's buttons).
    public enum Action: String, Sendable, CaseIterable {
        case stop, start, lock, unlock

        public func apply(to api: PredictionAPI, by user: User) throws(SibylError) -> PredictionAPI {
            switch self {
            case .stop: try api.stopped()
            case .start: try api.started()
            case .lock: api.lockedByMember()
            case .unlock: try api.unlocked(by: user.role)
            }
        }
    }

    /// Daily counts of an API over a range of UTC days, every day listed, zeros included.
    public struct UsageReport: Sendable {
        public let apiID: String
        public let from: String
        public let to: String
        public let days: [UsageDay]
        public var total200: Int { days.map(\.status200).reduce(0, +) }
        public var total4xx5xx: Int { days.map(\.status4xx5xx).reduce(0, +) }
    }

    /// The base of the URLs Sibyl hands out: the address the caller used to reach this node.
    public static func predictURL(apiID: String, baseURL: String) -> String {
        baseURL + "/apis/" + apiID + "/predict"
    }

    /// Prediction One's compatible call's address for an API, beside Sibyl's own (`predictURL`).
    public static func predictionOneURL(projectID: Int, apiID: String, baseURL: String) -> String {
        baseURL + "/v1/groups/\(projectID)/classifiers/" + apiID + "/inference"
    }

    /// The API type named in a request.
    public static func kind(_ text: String) throws(SibylError) -> PredictionAPI.Kind {
        guard let kind = PredictionAPI.Kind(rawValue: text) else {
            throw SibylError(.invalidInput, "type: expected \"official\" or \"trial\"")
        }
        return kind
    }

    /// The missing-features rule named in a request.
    public static func missingFeatures(_ text: String) throws(SibylError) -> PredictionAPI.MissingFeatures {
        guard let rule = PredictionAPI.MissingFeatures(rawValue: text) else {
            throw SibylError(.invalidInput, "missing_features: expected \"allow\" or \"refuse\"")
        }
        return rule
    }

    /// A name as given for an API or a key: trimmed; empty is none.
    public static func name(_ text: String?) throws(SibylError) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
        try PredictionAPI.validate(name: trimmed)
        return trimmed
    }

    public func record(projectID: Int, id: String?) async throws(SibylError) -> APIRecord {
        guard let id, let record = try await find(projectID: projectID, id: id) else { throw SibylError(.notFound, "no such API") }
        return record
    }

    /// The API, or nil when the project has none with this id.
    public func find(projectID: Int, id: String) async throws(SibylError) -> APIRecord? {
        try await store.apiRecord(projectID: projectID, id: id)
    }

    /// The project's APIs, oldest first.
    public func records(projectID: Int) async throws(SibylError) -> [APIRecord] {
        try await store.apiRecords(projectID: projectID)
    }

    /// Creates an API in `building` with its first key and starts its build; the key's secret is in the
    /// answer and nowhere else.
    public func create(
        projectID: Int, name: String? = nil, modelID: String, kind: PredictionAPI.Kind,
        missingFeatures: PredictionAPI.MissingFeatures = .allow, whitelist: IPWhitelist
    ) async throws(SibylError) -> (record: APIRecord, key: IssuedKey) {
        guard try await store.model(projectID: projectID, id: modelID) != nil else {
            throw SibylError(.invalidInput, "model_id: no such model in this project")
        }
        let now = store.clock.now()
        let api = PredictionAPI(
            id: Identifier.make(Identifier.api), projectID: projectID, name: name, modelID: modelID, kind: kind,
            createdAt: now, missingFeatures: missingFeatures)
        let key = PresentedKey.issue(apiID: api.id, createdAt: now)
        let record = APIRecord(api: api, keys: [key.record], whitelist: whitelist)
        try await store.createAPI(record)
        try await platform.apiChanged(projectID: projectID, apiID: api.id)
        builder.enqueue(projectID: projectID, apiID: api.id)
        return (record, Self.issued(key))
    }

    /// Stop, start, lock or unlock; answers the API as it is afterwards.
    public func perform(_ action: Action, projectID: Int, id: String?, by user: User) async throws(SibylError) -> APIRecord {
        guard let id, try await store.changeAPI(projectID: projectID, id: id, { try action.apply(to: $0, by: user) }) != nil
        else { throw SibylError(.notFound, "no such API") }
        try await platform.apiChanged(projectID: projectID, apiID: id)
        return try await record(projectID: projectID, id: id)
    }

    /// Deletes a stopped, unlocked API with its keys, whitelist and usage; its API option is free at once.
    public func delete(_ api: PredictionAPI) async throws(SibylError) {
        _ = try await store.changeAPI(projectID: api.projectID, id: api.id) { try $0.deleting() }
        platform.routes.remove(api.id)
        platform.usage.discard(apiID: api.id)
        try await store.deleteAPI(id: api.id)
        try await platform.apiChanged(projectID: api.projectID, apiID: api.id)
    }

    /// Renames, sets the missing-features rule or promotes a trial API to official (which needs a free API
    /// option); nil leaves a field as it is, and `name: .some(nil)` removes the name.
    public func edit(
        _ current: PredictionAPI, name: String?? = nil, missingFeatures: PredictionAPI.MissingFeatures? = nil,
        kind: PredictionAPI.Kind? = nil
    ) async throws(SibylError) -> APIRecord {
        guard
            let next = try await store.changeAPI(projectID: current.projectID, id: current.id, {
                try $0.edited(name: name, missingFeatures: missingFeatures, kind: kind)
            })
        else { throw SibylError(.notFound, "no such API") }
        try await platform.apiChanged(projectID: next.projectID, apiID: next.id)
        return try await record(projectID: next.projectID, id: next.id)
    }

    /// The management API's `PATCH`: every field checked, and the model or version found, before any change
    /// is made; the edits first, then the model or version (which may roll out as `updating`). Nil leaves a
    /// field as it is.
    public func update(
        _ current: APIRecord, name: String?? = nil, missingFeatures: PredictionAPI.MissingFeatures? = nil,
        kind: PredictionAPI.Kind? = nil, modelID: String? = nil, version: Int? = nil
    ) async throws(SibylError) -> APIRecord {
        guard modelID != nil || version != nil || name != nil || missingFeatures != nil || kind != nil else {
            throw SibylError(.invalidInput, "the body must have at least one of model_id, version, name, missing_features, type")
        }
        guard modelID == nil || version == nil else {
            throw SibylError(.invalidInput, "give model_id (a new version) or version (an existing one), not both")
        }
        if let modelID, try await store.model(projectID: current.api.projectID, id: modelID) == nil {
            throw SibylError(.invalidInput, "model_id: no such model in this project")
        }
        if let version, current.version(version) == nil {
            throw SibylError(.invalidInput, "version: the API has no version \(version)")
        }
        var edited: APIRecord?
        if name != nil || missingFeatures != nil || kind != nil {
            edited = try await edit(current.api, name: name, missingFeatures: missingFeatures, kind: kind)
        }
        if let modelID { return try await changeModel(edited?.api ?? current.api, to: modelID) }
        if let version { return try await makeCurrent(edited ?? current, version: version) }
        if let edited { return edited }
        return try await record(projectID: current.api.projectID, id: current.api.id)
    }

    /// Serves another model of the project as the API's next version, with all the traffic. The new model is
    /// compiled before the switch, so no request fails.
    public func changeModel(_ current: PredictionAPI, to modelID: String) async throws(SibylError) -> APIRecord {
        guard let model = try await store.model(projectID: current.projectID, id: modelID) else {
            throw SibylError(.invalidInput, "model_id: no such model in this project")
        }
        _ = try await platform.models.model(model)
        return try await change(current) { try $0.changingModel(to: modelID) }
    }

    /// Applies `edit` to the whitelist as stored (not as `record` read it) and serves the result; answers the
    /// whitelist as stored.
    public func editWhitelist(_ record: APIRecord, _ edit: @escaping @Sendable (inout IPWhitelist) throws -> Void) async throws
        -> IPWhitelist
    {
        let whitelist = try await store.changeWhitelist(apiID: record.api.id, edit)
        try await platform.apiChanged(projectID: record.api.projectID, apiID: record.api.id)
        return whitelist
    }

    /// Sets one block's rule (`IPWhitelist.set(cidr:action:priority:)`).
    public func addToWhitelist(_ record: APIRecord, cidr: String, action: String? = nil, priority: Int? = nil) async throws -> IPWhitelist {
        try await editWhitelist(record) { whitelist in try whitelist.set(cidr: cidr, action: action, priority: priority) }
    }

    public func removeFromWhitelist(_ record: APIRecord, cidr text: String) async throws -> IPWhitelist {
        try await editWhitelist(record) { whitelist in try whitelist.remove(cidr: text) }
    }

    /// A new key for the API, working at once; its secret is in the answer and nowhere else.
    public func issueKey(_ api: PredictionAPI, name: String? = nil) async throws(SibylError) -> IssuedKey {
        var key = PresentedKey.issue(apiID: api.id, createdAt: store.clock.now())
        key.record.name = name
        try await store.insertKey(key.record)
        try await platform.apiChanged(projectID: api.projectID, apiID: api.id)
        return Self.issued(key)
    }

    /// Revokes a key; the next request with it is refused. Allowed on a locked API: a leaked key must stay
    /// revocable whoever holds the lock.
    public func revokeKey(_ api: PredictionAPI, keyID: String?) async throws(SibylError) {
        guard let keyID, try await store.deleteKey(apiID: api.id, id: keyID) else { throw SibylError(.notFound, "no such key") }
        try await platform.apiChanged(projectID: api.projectID, apiID: api.id)
    }

    /// Daily counts between `from` and `to` (default: the last 30 days), at most 367 days.
    public func usage(_ api: PredictionAPI, from: String?, to: String?) async throws -> UsageReport {
        try await platform.usageReport(key: api.id, from: from, to: to)
    }

    private static func issued(_ key: (text: String, record: APIKey)) -> IssuedKey {
        IssuedKey(
            keyID: key.record.id, name: key.record.name, secret: key.text,
            createdAt: UTCDay.dateTime(fromEpochSeconds: key.record.createdAt))
    }
}

/// A new data-plane key: `secret` is the whole text to send, shown in this answer only.
public struct IssuedKey: Encodable {
    public let keyID: String
    public let name: String?
    public let secret: String
    public let createdAt: String

    public enum CodingKeys: String, CodingKey {
        case keyID = "key_id", name, secret, createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(keyID, forKey: .keyID)
        try container.encode(name, forKey: .name)
        try container.encode(secret, forKey: .secret)
        try container.encode(createdAt, forKey: .createdAt)
    }
}
