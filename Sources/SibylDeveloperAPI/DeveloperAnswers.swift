import SibylApp
import SibylCore
import SibylHTTP

/// A whitelist rule in Prediction One's words: `source` is the CIDR block, `order` allow or deny.
struct DeveloperRule: Encodable {
    let source: String
    let order: String
    let priority: Int

    static func list(_ whitelist: IPWhitelist) -> [DeveloperRule] {
        whitelist.rules.map { DeveloperRule(source: $0.cidr.description, order: $0.action.rawValue, priority: $0.priority) }
    }
}

/// A prediction API as Prediction One's developer API shows a classifier.
///
/// Its key is shown once, when the classifier is created (Sibyl keeps only a hash): `api_key` is null here.
struct ClassifierAnswer: Encodable {
    let classifierID: String
    let modelID: Int?
    let status: String
    let apiKey: String?
    let version: String
    let url: String?
    let active: Bool
    let isEditable: Bool
    let createDatetime: String
    let updateDatetime: String
    let rules: [DeveloperRule]
    /// Sibyl's additions: the API's type, and the trial requests left (null for an official API).
    let type: String
    let requestsLeft: Int?

    init(_ record: APIRecord, modelNumbers: [String: Int], baseURL: String) {
        let api = record.api
        classifierID = api.id
        modelID = modelNumbers[api.modelID]
        status = Self.status(api.status)
        apiKey = nil
        version = api.modelID
        url = APIOperations.predictionOneURL(projectID: api.projectID, apiID: api.id, baseURL: baseURL)
        active = api.isServing
        isEditable = !api.locked
        createDatetime = UTCDay.dateTime(fromEpochSeconds: api.createdAt)
        updateDatetime = UTCDay.dateTime(fromEpochSeconds: api.updatedAt)
        rules = DeveloperRule.list(record.whitelist)
        type = api.kind.rawValue
        requestsLeft = api.requestLimit.map { max(0, $0 - api.requestsUsed) }
    }

    /// Sibyl's lifecycle in Prediction One's statuses: a stopped API is `terminated`, one being deleted
    /// `terminating` (Sibyl stops at once, so a stop never shows `terminating`).
    static func status(_ status: PredictionAPI.Status) -> String {
        switch status {
        case .building: "building"
        case .operating: "running"
        case .updating: "updating"
        case .stopped: "terminated"
        case .deleting: "terminating"
        case .failed: "failed"
        }
    }

    enum CodingKeys: String, CodingKey {
        case classifierID = "classifier_id", modelID = "model_id", status, apiKey = "api_key", version, url, active
        case isEditable = "is_editable", createDatetime = "create_datetime", updateDatetime = "update_datetime", rules, type
        case requestsLeft = "requests_left"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(classifierID, forKey: .classifierID)
        // Nulls written, not left out: the reference lists every field.
        try container.encode(modelID, forKey: .modelID)
        try container.encode(status, forKey: .status)
        try container.encode(apiKey, forKey: .apiKey)
        try container.encode(version, forKey: .version)
        try container.encode(url, forKey: .url)
        try container.encode(active, forKey: .active)
        try container.encode(isEditable, forKey: .isEditable)
        try container.encode(createDatetime, forKey: .createDatetime)
        try container.encode(updateDatetime, forKey: .updateDatetime)
        try container.encode(rules, forKey: .rules)
        try container.encode(type, forKey: .type)
        try container.encode(requestsLeft, forKey: .requestsLeft)
    }
}

/// A model as the developer API lists it: Prediction One's integer id, and Sibyl's own beside it.
struct DeveloperModel: Encodable {
    let modelID: Int
    let sibylModelID: String
    let name: String
    let format: String
    let task: String
    let createDatetime: String

    enum CodingKeys: String, CodingKey {
        case modelID = "model_id", sibylModelID = "sibyl_model_id", name, format, task, createDatetime = "create_datetime"
    }
}

struct DeveloperModelPage: Encodable {
    struct Metadata: Encodable {
        let offset: Int
        let limit: Int
        let total: Int
    }

    let models: [DeveloperModel]
    let metadata: Metadata
}
