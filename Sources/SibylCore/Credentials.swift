// Who holds a credential and how a request was made, as the store keeps them: access tokens, console
// sessions and the credentials of Prediction One's developer API. None holds a secret's text.

/// The credential a request was made with: what a password change made through it leaves working.
public enum Credential: Sendable, Equatable {
    case token(id: String)
    /// The SHA-256 of a console session's id.
    case consoleSession(idHash: String)
}

/// An access token as listed: never its text or hash.
public struct AccessToken: Sendable, Equatable {
    public let id: String
    public let userID: Int
    public let description: String
    public let createdAt: Int64
    /// Nil only for a token made before tokens expired, until the node's start dates it.
    public let expiresAt: Int64?
    public let lastUsedAt: Int64?

    public init(id: String, userID: Int, description: String, createdAt: Int64, expiresAt: Int64?, lastUsedAt: Int64?) {
        self.id = id
        self.userID = userID
        self.description = description
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }
}

/// The token an `Authorization` header names, and its holder as stored now.
public struct TokenHolder: Sendable, Equatable {
    public let user: User
    public let storedHash: String
    public let tokenID: String
    public let expiresAt: Int64?
    public let lastUsedAt: Int64?

    public init(user: User, storedHash: String, tokenID: String, expiresAt: Int64?, lastUsedAt: Int64?) {
        self.user = user
        self.storedHash = storedHash
        self.tokenID = tokenID
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }
}

/// A signed-in console session as stored: the hash of its id, its user (with the role as it is now) and its
/// CSRF token.
public struct ConsoleSessionRecord: Sendable, Equatable {
    public let idHash: String
    public let user: User
    public let csrfToken: String

    public init(idHash: String, user: User, csrfToken: String) {
        self.idHash = idHash
        self.user = user
        self.csrfToken = csrfToken
    }
}

/// A console session as its user sees it in their list: a handle to end it by, not the hash it is found by.
public struct ConsoleSessionSummary: Sendable, Equatable {
    /// The first 16 hex digits of the session's id hash: enough to tell a user's sessions apart, and no use
    /// for finding one (a session is found by the whole hash of its secret id).
    public let handle: String
    public let idHash: String
    public let createdAt: Int64
    public let expiresAt: Int64

    public init(idHash: String, createdAt: Int64, expiresAt: Int64) {
        handle = String(idHash.prefix(16))
        self.idHash = idHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public static func isWellFormed(handle: String) -> Bool {
        handle.utf8.count == 16
            && handle.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}

/// A user's secret for one project, from which Prediction One's developer API keys are issued. Only its
/// SHA-256 is stored.
public struct AccountSecret: Sendable, Equatable {
    public var id: String
    public var projectID: Int
    public var userID: Int
    public var userName: String
    public var createdAt: Int64

    public init(id: String, projectID: Int, userID: Int, userName: String, createdAt: Int64) {
        self.id = id
        self.projectID = projectID
        self.userID = userID
        self.userName = userName
        self.createdAt = createdAt
    }
}

/// Who holds a credential of the developer API, with the stored hash for a constant-time check.
public struct CredentialHolder: Sendable {
    public var secretID: String
    public var projectID: Int
    public var user: User
    public var storedHash: String
    /// When the credential stops working, seconds since 1970; nil for an account secret (until revoked).
    public var expiresAt: Int64?

    public init(secretID: String, projectID: Int, user: User, storedHash: String, expiresAt: Int64?) {
        self.secretID = secretID
        self.projectID = projectID
        self.user = user
        self.storedHash = storedHash
        self.expiresAt = expiresAt
    }
}
