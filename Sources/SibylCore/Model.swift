/// An uploaded model artifact. Immutable once uploaded; its file lives under the node's data folder.
public struct Model: Sendable, Equatable, Codable {
    public var id: String
    public var projectID: Int
    public var name: String
    public var schema: ModelSchema
    /// SHA-256 of the file, hex; lets a node check the file it loads is the one uploaded.
    public var sha256: String
    public var size: Int
    public var createdAt: Int64

    public init(
        id: String, projectID: Int, name: String, schema: ModelSchema, sha256: String, size: Int, createdAt: Int64
    ) {
        self.id = id
        self.projectID = projectID
        self.name = name
        self.schema = schema
        self.sha256 = sha256
        self.size = size
        self.createdAt = createdAt
    }

    /// Names are labels for people: 1 to 128 printable characters.
    public static func validate(name: String) throws(SibylError) {
        guard (1...128).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw SibylError(.invalidInput, "name must be 1 to 128 printable characters") }
    }
}

/// A data-plane credential of one API. The secret is never stored, only its SHA-256.
public struct APIKey: Sendable, Equatable, Codable {
    public var id: String
    public var apiID: String
    /// SHA-256 of the secret, hex.
    public var secretHash: String
    public var createdAt: Int64
    /// A label for people (`PredictionAPI.validate(name:)`); nil for none.
    public var name: String?
    /// When it last opened a prediction call, as of the last usage batch written; nil when never.
    public var lastUsedAt: Int64?

    public init(id: String, apiID: String, secretHash: String, createdAt: Int64, name: String? = nil, lastUsedAt: Int64? = nil) {
        self.id = id
        self.apiID = apiID
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.name = name
        self.lastUsedAt = lastUsedAt
    }
}
