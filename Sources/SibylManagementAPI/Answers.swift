import SibylApp
import SibylCore
import SibylHTTP

/// The JSON shapes of management answers (snake_case on the wire). None holds a secret or a hash, except
/// `IssuedKey` and `IssuedToken`, which are sent once, in the answer that creates them.
struct UserAnswer: Encodable {
    let userID: Int
    let name: String
    let role: String

    init(_ user: User) {
        userID = user.id
        name = user.name
        role = user.role.rawValue
    }
}

struct IssuedToken: Encodable {
    let tokenID: String
    let token: String
    let user: UserAnswer
    let description: String
    let expiresAt: String
}

/// An access token as listed: never its text or hash. `last_used_at` is absent until it is used (and is
/// noted at most once a minute); `current` marks the token the list was asked with.
struct TokenAnswer: Encodable {
    let tokenID: String
    let userID: Int
    let description: String
    let createdAt: String
    let expiresAt: String?
    let lastUsedAt: String?
    let current: Bool

    init(_ token: AccessToken, current: Bool) {
        tokenID = token.id
        userID = token.userID
        description = token.description
        createdAt = UTCDay.dateTime(fromEpochSeconds: token.createdAt)
        expiresAt = token.expiresAt.map(UTCDay.dateTime(fromEpochSeconds:))
        lastUsedAt = token.lastUsedAt.map(UTCDay.dateTime(fromEpochSeconds:))
        self.current = current
    }
}

struct ProjectAnswer: Encodable {
    let projectID: Int
    let name: String
    let members: [Int]
}

struct ModelAnswer: Encodable {
    /// A feature: `type` is `number` or `category`; a category's `categories` are the names it takes, in
    /// code order, empty where the model knows them by code only, absent where it takes any text (a
    /// CatBoost model keeps hashes of its categories, not names).
    struct Feature: Encodable {
        let name: String
        let type: String
        let categories: [String]?

        init(name: String, type: FeatureType) {
            self.name = name
            self.type = type.name
            categories = type.isCategory && type.takesAnyText != true ? type.categories : nil
        }
    }

    let modelID: String
    let projectID: Int
    let name: String
    let format: String
    let task: String
    let objective: String
    let features: [Feature]
    let classes: [String]
    let treeCount: Int
    let sha256: String
    let size: Int
    let createdAt: String

    init(_ model: Model) {
        modelID = model.id
        projectID = model.projectID
        name = model.name
        format = model.schema.format.rawValue
        task = model.schema.task.rawValue
        objective = model.schema.objective
        features = model.schema.featureNames.indices.map {
            Feature(name: model.schema.featureNames[$0], type: model.schema.type(ofFeature: $0))
        }
        classes = model.schema.classes
        treeCount = model.schema.treeCount
        sha256 = model.sha256
        size = model.size
        createdAt = UTCDay.dateTime(fromEpochSeconds: model.createdAt)
    }
}

/// A data-plane key as listed: `name` and `last_used_at` are null when there is none (last use is written
/// with the usage batches, so it lags a request by up to the flush interval).
struct KeyAnswer: Encodable {
    let keyID: String
    let name: String?
    let createdAt: String
    let lastUsedAt: String?

    init(_ key: APIKey) {
        keyID = key.id
        name = key.name
        createdAt = UTCDay.dateTime(fromEpochSeconds: key.createdAt)
        lastUsedAt = key.lastUsedAt.map(UTCDay.dateTime(fromEpochSeconds:))
    }

    enum CodingKeys: String, CodingKey {
        case keyID = "key_id", name, createdAt = "created_at", lastUsedAt = "last_used_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(keyID, forKey: .keyID)
        try container.encode(name, forKey: .name)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(lastUsedAt, forKey: .lastUsedAt)
    }
}

/// An API: `name` is null when it has none; `requests_left`, `request_limit` and `requests_used` are a trial
/// API's only; `exhausted` is always there (true only of a trial API with no request left).
struct APIAnswer: Encodable {
    let apiID: String
    let projectID: Int
    let name: String?
    let modelID: String
    let type: String
    let status: String
    let locked: Bool
    let url: String
    let ipWhitelist: [String]
    let ipRules: [RuleAnswer]
    let keys: [KeyAnswer]
    let createdAt: String
    let requestLimit: Int?
    let requestsUsed: Int?
    let requestsLeft: Int?
    let exhausted: Bool
    let missingFeatures: String
    let failureReason: String?
    let version: Int
    let traffic: TrafficAnswer?
    let shadow: Int?
    let capture: CaptureAnswer
    let versions: [VersionAnswer]
    var apiKey: IssuedKey?

    init(_ record: APIRecord, baseURL: String) {
        let api = record.api
        apiID = api.id
        projectID = api.projectID
        name = api.name
        modelID = api.modelID
        type = api.kind.rawValue
        status = api.status.rawValue
        locked = api.locked
        url = APIOperations.predictURL(apiID: api.id, baseURL: baseURL)
        ipWhitelist = record.whitelist.allowed.map(\.description)
        ipRules = RuleAnswer.list(record.whitelist)
        keys = record.keys.map(KeyAnswer.init)
        createdAt = UTCDay.dateTime(fromEpochSeconds: api.createdAt)
        requestLimit = api.requestLimit
        requestsUsed = api.requestLimit == nil ? nil : api.requestsUsed
        requestsLeft = api.requestsLeft
        exhausted = api.isExhausted
        missingFeatures = api.missingFeatures.rawValue
        failureReason = api.failureReason
        version = api.version
        traffic = api.traffic == nil ? nil : TrafficAnswer(api)
        shadow = api.shadow
        capture = CaptureAnswer(api.capture)
        versions = VersionAnswer.list(record)
    }

    enum CodingKeys: String, CodingKey {
        case apiID = "api_id", projectID = "project_id", name, modelID = "model_id", type, status, locked, url
        case ipWhitelist = "ip_whitelist", ipRules = "ip_rules", keys, createdAt = "created_at", requestLimit = "request_limit"
        case requestsUsed = "requests_used", requestsLeft = "requests_left", exhausted, missingFeatures = "missing_features"
        case failureReason = "failure_reason", apiKey = "api_key", version, traffic, shadow, capture, versions
    }

    /// Synthesized but for `name`, which is sent as null when absent rather than left out.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(apiID, forKey: .apiID)
        try container.encode(projectID, forKey: .projectID)
        try container.encode(name, forKey: .name)
        try container.encode(modelID, forKey: .modelID)
        try container.encode(type, forKey: .type)
        try container.encode(status, forKey: .status)
        try container.encode(locked, forKey: .locked)
        try container.encode(url, forKey: .url)
        try container.encode(ipWhitelist, forKey: .ipWhitelist)
        try container.encode(ipRules, forKey: .ipRules)
        try container.encode(keys, forKey: .keys)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encodeIfPresent(requestLimit, forKey: .requestLimit)
        try container.encodeIfPresent(requestsUsed, forKey: .requestsUsed)
        try container.encodeIfPresent(requestsLeft, forKey: .requestsLeft)
        try container.encode(exhausted, forKey: .exhausted)
        try container.encode(missingFeatures, forKey: .missingFeatures)
        try container.encodeIfPresent(failureReason, forKey: .failureReason)
        try container.encode(version, forKey: .version)
        try container.encode(traffic, forKey: .traffic)
        try container.encode(shadow, forKey: .shadow)
        try container.encode(capture, forKey: .capture)
        try container.encode(versions, forKey: .versions)
        try container.encodeIfPresent(apiKey, forKey: .apiKey)
    }
}

/// One of an API's versions: its model, whether it is current, and its share of the predictions now.
struct VersionAnswer: Encodable {
    let version: Int
    let modelID: String
    let createdAt: String
    let current: Bool
    let weight: Int
    let shadow: Bool

    static func list(_ record: APIRecord) -> [VersionAnswer] {
        let api = record.api
        return record.versions.map { version in
            let weight = api.traffic.map { $0.shares.first { $0.version == version.number }?.weight ?? 0 }
                ?? (version.number == api.version ? 100 : 0)
            return VersionAnswer(
                version: version.number, modelID: version.modelID, createdAt: UTCDay.dateTime(fromEpochSeconds: version.createdAt),
                current: version.number == api.version, weight: weight, shadow: version.number == api.shadow)
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, modelID = "model_id", createdAt = "created_at", current, weight, shadow
    }
}

/// Which answered requests an API keeps with their answers, and for how long.
struct CaptureAnswer: Encodable {
    let rate: Double
    let retentionDays: Int

    init(_ settings: CaptureSettings) {
        rate = settings.rate
        retentionDays = settings.retentionDays
    }

    enum CodingKeys: String, CodingKey {
        case rate, retentionDays = "retention_days"
    }
}

/// The shadow version and how its answers compared with the answering versions', per version and day.
struct ShadowAnswer: Encodable {
    struct Day: Encodable {
        let date: String
        let version: Int
        let requests: Int
        let rows: Int
        let labelAgreement: Double?
        let meanAbsDifference: Double?
        let maxAbsDifference: Double?
        let failed: Int
        let skipped: Int

        enum CodingKeys: String, CodingKey {
            case date, version, requests, rows, labelAgreement = "label_agreement", meanAbsDifference = "mean_abs_difference"
            case maxAbsDifference = "max_abs_difference", failed, skipped
        }

        /// Synthesized but for the optional numbers, sent as null rather than left out.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(date, forKey: .date)
            try container.encode(version, forKey: .version)
            try container.encode(requests, forKey: .requests)
            try container.encode(rows, forKey: .rows)
            try container.encode(labelAgreement, forKey: .labelAgreement)
            try container.encode(meanAbsDifference, forKey: .meanAbsDifference)
            try container.encode(maxAbsDifference, forKey: .maxAbsDifference)
            try container.encode(failed, forKey: .failed)
            try container.encode(skipped, forKey: .skipped)
        }
    }

    let apiID: String
    let version: Int?
    let from: String
    let to: String
    let days: [Day]

    init(_ report: APIOperations.ShadowReport) {
        apiID = report.apiID
        version = report.shadow
        from = report.from
        to = report.to
        days = report.days.map { version, day in
            Day(
                date: day.date, version: version, requests: day.requests, rows: day.rows,
                labelAgreement: day.labelAgreement(classifier: report.classifier), meanAbsDifference: day.meanAbsoluteDifference,
                maxAbsDifference: day.maximumAbsoluteDifference, failed: day.failed, skipped: day.skipped)
        }
    }

    enum CodingKeys: String, CodingKey {
        case apiID = "api_id", version, from, to, days
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(apiID, forKey: .apiID)
        try container.encode(version, forKey: .version)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(days, forKey: .days)
    }
}

/// How the predictions are shared: by the split's weights, or (`split` empty) all by the current version.
struct TrafficAnswer: Encodable {
    struct Share: Encodable {
        let version: Int
        let weight: Int
    }

    let version: Int
    let split: [Share]
    let sticky: Bool

    init(_ api: PredictionAPI) {
        version = api.version
        split = api.traffic?.shares.map { Share(version: $0.version, weight: $0.weight) } ?? []
        sticky = api.traffic?.sticky ?? false
    }
}

/// A whitelist: `rules` in full, and `cidrs`, the blocks of its allow rules (the whole list when it denies none).
struct WhitelistAnswer: Encodable {
    let cidrs: [String]
    let rules: [RuleAnswer]

    init(_ whitelist: IPWhitelist) {
        cidrs = whitelist.allowed.map(\.description)
        rules = RuleAnswer.list(whitelist)
    }
}

struct ListAnswer<Item: Encodable>: Encodable {
    let count: Int
    let results: [Item]

    init(_ results: [Item]) {
        count = results.count
        self.results = results
    }
}
