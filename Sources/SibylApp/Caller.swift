import SibylCore
import SibylStore

/// Who made a request, and with which credential: what a password change made through it leaves working.
/// Every operation that depends on who asks takes the caller (or its user) and decides.
public struct Caller: Sendable {
    public let user: User
    public let credential: Credential
    /// When the credential stops working, when it is a token.
    public var expiresAt: Int64?

    public init(user: User, credential: Credential, expiresAt: Int64? = nil) {
        self.user = user
        self.credential = credential
        self.expiresAt = expiresAt
    }
}
