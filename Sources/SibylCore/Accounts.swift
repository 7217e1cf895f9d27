/// What a user may do beyond the projects they are a member of.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Manages users, roles and the license, sees every project, unlocks APIs.
    case admin
    /// Works inside the projects they are a member of.
    case member
}

/// A person or script that signs in to Sibyl.
public struct User: Sendable, Equatable, Codable {
    public var id: Int
    public var name: String
    public var role: Role

    public init(id: Int, name: String, role: Role) {
        self.id = id
        self.name = name
        self.role = role
    }

    /// Names are what people type to sign in: 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
    public static func validate(name: String) throws(SibylError) {
        let allowed = name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-_@".unicodeScalars.contains($0))
        }
        guard (1...64).contains(name.count), allowed else {
            throw SibylError(.invalidInput, "name must be 1 to 64 letters, digits, '.', '_', '-' or '@'")
        }
    }

    /// Passwords are 8 to 72 bytes (bcrypt reads no further than 72).
    public static func validate(password: String) throws(SibylError) {
        guard (8...72).contains(password.utf8.count) else {
            throw SibylError(.invalidInput, "password must be 8 to 72 bytes long")
        }
    }
}

/// A group of models and APIs, and the users who work on them.
public struct Project: Sendable, Equatable, Codable {
    public var id: Int
    public var name: String

    public init(id: Int, name: String) {
        self.id = id
        self.name = name
    }
}

/// The node's license: which edition runs and how many official APIs may exist at once.
public struct License: Sendable, Equatable, Codable {
    public enum Edition: String, Sendable, Codable, CaseIterable {
        /// Only trial APIs may be created.
        case trial
        /// Official APIs may be created, up to `apiOptions` at once.
        case licensed
    }

    public var edition: Edition
    public var apiOptions: Int

    public init(edition: Edition, apiOptions: Int) {
        self.edition = edition
        self.apiOptions = apiOptions
    }

    /// A fresh install: licensed, with one API option, so that a newcomer can create an official API.
    public static let initial = License(edition: .licensed, apiOptions: 1)

    /// Why one more official API may not be created while `inUse` exist, or nil when it may.
    public func refusalOfOfficialAPI(inUse: Int) -> String? {
        guard edition == .licensed else { return "the trial edition can create trial APIs only" }
        guard inUse < apiOptions else {
            return "no API option is free (\(inUse) of \(apiOptions) in use): delete an official API or add options"
        }
        return nil
    }

    /// Why this license may not replace the one in force while `inUse` official APIs exist, or nil when it
    /// may: a license below what is in use is refused, never saved to leave APIs over it.
    public func refusal(officialAPIsInUse inUse: Int) -> String? {
        guard inUse > 0 else { return nil }
        let exist = inUse == 1 ? "1 official API exists" : "\(inUse) official APIs exist"
        if edition == .trial {
            return "\(exist); the trial edition allows none: delete \(inUse == 1 ? "it" : "them") first"
        }
        guard inUse <= apiOptions else {
            return "\(exist); the license would allow \(apiOptions): delete official APIs first, or keep more options"
        }
        return nil
    }

    public static func validate(apiOptions: Int) throws(SibylError) {
        guard (0...100_000).contains(apiOptions) else {
            throw SibylError(.invalidInput, "api_options must be between 0 and 100000")
        }
    }
}
