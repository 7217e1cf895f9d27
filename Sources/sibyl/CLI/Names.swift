import ArgumentParser
import NIOHTTP1
import SibylCore

/// Names wherever ids are. An argument with an id's form (`mdl_` and 16 base-32 characters; digits for
/// projects and users) is that id, sent as it is; anything else is a name, looked up in the list the server
/// answers. One match is its id; none, or several, is an error that says so (several: with their ids, one of
/// which to give instead). Names need not be unique, ids are.
struct Names {
    enum Kind {
        case model, api, key, project, user

        var noun: String {
            switch self {
            case .model: "model"
            case .api: "API"
            case .key: "key"
            case .project: "project"
            case .user: "user"
            }
        }

        var idField: String {
            switch self {
            case .model: "model_id"
            case .api: "api_id"
            case .key: "key_id"
            case .project: "project_id"
            case .user: "user_id"
            }
        }

        func isID(_ text: String) -> Bool {
            switch self {
            case .model: Identifier.isWellFormed(text, prefix: Identifier.model)
            case .api: Identifier.isWellFormed(text, prefix: Identifier.api)
            case .key: Identifier.isWellFormed(text, prefix: Identifier.key)
            case .project, .user: !text.isEmpty && text.allSatisfy(\.isASCII) && Int(text) != nil
            }
        }
    }

    let server: ServerClient

    /// The id `text` stands for, among the items `listPath` answers (`{"results": [...]}`).
    func id(_ text: String, _ kind: Kind, listedAt listPath: String) async throws -> String {
        if kind.isID(text) { return text }
        let items = try await server.call(.GET, listPath).object["results"] as? [[String: Any]] ?? []
        return try Self.match(text, kind, in: items)
    }

    static func match(_ text: String, _ kind: Kind, in items: [[String: Any]]) throws -> String {
        let ids = items.filter { $0["name"] as? String == text }.map { Output.text($0[kind.idField]) }
        switch ids.count {
        case 1: return ids[0]
        case 0: throw CLIError("not_found: no \(kind.noun) has the id or name \"\(text)\"")
        default:
            throw CLIError("\(ids.count) \(kind.noun)s are named \"\(text)\" (\(ids.joined(separator: ", "))): give one of these ids instead")
        }
    }

    func model(_ text: String, _ project: ProjectOptions) async throws -> String {
        try await id(text, .model, listedAt: "/api/v1/projects/\(project.project)/models")
    }

    func api(_ text: String, _ project: ProjectOptions) async throws -> String {
        try await id(text, .api, listedAt: APIs.path(project))
    }

    /// A key of the API whose id is `apiID`.
    func key(_ text: String, ofAPI apiID: String, _ project: ProjectOptions) async throws -> String {
        try await id(text, .key, listedAt: APIs.path(project, apiID) + "/keys")
    }

    /// A user: by name, from the users list (admins), else oneself, the only user a member may name.
    func user(_ text: String) async throws -> Int {
        if Kind.user.isID(text) { return Int(text)! }
        let answer = try await server.send(.GET, "/api/v1/users")
        if answer.status == 403 {
            let me = try await server.call(.GET, "/api/v1/me").object
            guard me["name"] as? String == text, let id = me["user_id"] as? Int else {
                throw CLIError("not_found: no user has the id or name \"\(text)\" that you may see")
            }
            return id
        }
        guard (200..<300).contains(answer.status) else { throw CLIError(answer) }
        return Int(try Self.match(text, .user, in: answer.object["results"] as? [[String: Any]] ?? []))!
    }

    func project(_ text: String) async throws -> Int {
        Int(try await id(text, .project, listedAt: "/api/v1/projects"))!
    }
}
