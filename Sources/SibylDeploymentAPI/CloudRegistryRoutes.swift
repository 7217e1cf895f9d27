import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// Registry credentials (for pulling deployments' images) and secrets of the compatible API; the rules are
/// `RegistryOperations`'s.
struct CloudRegistryRoutes: Sendable {
    let operations: RegistryOperations
    let auth: Authenticator
    let limit: Int

    func add(to router: Router<AppContext>) {
        let credentials = router.projectGroup("cloud/v3/inference/:project_id/registry_credentials", auth)
        credentials.post { request, context in
            let project = context.project
            let body = try await JSONBody.read(request, limit: limit, allowed: ["name", "username", "password", "registry_url"])
            let saved = try await save(body, name: try body.requiredString("name"), projectID: project.id, replace: false)
            return JSONAnswer(.created, verbatim: CredentialsAnswer(saved))
        }
        credentials.get { request, context in
            let project = context.project
            return JSONAnswer(.ok, verbatim: try CloudPage(try await operations.credentials(projectID: project.id).map(CredentialsAnswer.init), query: request))
        }
        credentials.get(":credential_name") { request, context in
            let project = context.project
            let found = try await operations.credentials(projectID: project.id, name: context.parameters.get("credential_name"))
            return JSONAnswer(.ok, verbatim: CredentialsAnswer(found))
        }
        credentials.put(":credential_name") { request, context in
            let project = context.project
            let current = try await operations.credentials(projectID: project.id, name: context.parameters.get("credential_name"))
            let body = try await JSONBody.read(request, limit: limit, allowed: ["username", "password", "registry_url"])
            return JSONAnswer(.ok, verbatim: CredentialsAnswer(try await save(body, name: current.name, projectID: project.id, replace: true)))
        }
        credentials.delete(":credential_name") { request, context in
            let project = context.project
            try await operations.deleteCredentials(projectID: project.id, name: context.parameters.get("credential_name"))
            return Response(status: .noContent)
        }

        let secrets = router.projectGroup("cloud/v3/inference/:project_id/secrets", auth)
        secrets.post { request, context in
            let project = context.project
            let body = try await JSONBody.read(request, limit: limit, allowed: ["name", "type", "data"])
            return JSONAnswer(.created, verbatim: try await saveSecret(body, name: try body.requiredString("name"), projectID: project.id, replace: false))
        }
        secrets.get { request, context in
            let project = context.project
            let all = try await operations.secrets(projectID: project.id).map { try SecretAnswer($0, maskedKeyID: try operations.maskedKeyID($0)) }
            return JSONAnswer(.ok, verbatim: try CloudPage(all, query: request))
        }
        secrets.get(":secret_name") { request, context in
            let project = context.project
            let found = try await operations.secret(projectID: project.id, name: context.parameters.get("secret_name"))
            return JSONAnswer(.ok, verbatim: SecretAnswer(found, maskedKeyID: try operations.maskedKeyID(found)))
        }
        secrets.put(":secret_name") { request, context in
            let project = context.project
            let current = try await operations.secret(projectID: project.id, name: context.parameters.get("secret_name"))
            let body = try await JSONBody.read(request, limit: limit, allowed: ["type", "data"])
            return JSONAnswer(.ok, verbatim: try await saveSecret(body, name: current.name, projectID: project.id, replace: true))
        }
        secrets.delete(":secret_name") { request, context in
            let project = context.project
            try await operations.deleteSecret(projectID: project.id, name: context.parameters.get("secret_name"))
            return Response(status: .noContent)
        }
    }

    private func save(_ body: JSONBody, name: String, projectID: Int, replace: Bool) async throws -> SealedCredentials {
        try await operations.saveCredentials(
            projectID: projectID, name: name, registryURL: try body.requiredString("registry_url"),
            username: try body.requiredString("username"), password: try body.requiredString("password"), replace: replace)
    }

    private func saveSecret(_ body: JSONBody, name: String, projectID: Int, replace: Bool) async throws -> SecretAnswer {
        let type = try body.requiredString("type")
        let data = try body.requiredObject("data", allowed: ["aws_access_key_id", "aws_secret_access_key"])
        let saved = try await operations.saveSecret(
            projectID: projectID, name: name, type: type, awsAccessKeyID: try data.requiredString("aws_access_key_id"),
            awsSecretAccessKey: try data.requiredString("aws_secret_access_key"), replace: replace)
        return SecretAnswer(saved, maskedKeyID: try operations.maskedKeyID(saved))
    }
}

struct CredentialsAnswer: Encodable {
    let name: String
    let projectID: Int
    let registryURL: String
    let username: String

    enum CodingKeys: String, CodingKey {
        case name, username
        case projectID = "project_id", registryURL = "registry_url"
    }

    init(_ credentials: SealedCredentials) {
        name = credentials.name
        projectID = credentials.projectID
        registryURL = credentials.registryURL
        username = credentials.username
    }
}

/// A secret with its values masked: the key id shows its last four characters, the secret key nothing.
struct SecretAnswer: Encodable {
    struct Data: Encodable {
        let awsAccessKeyID: String
        let awsSecretAccessKey: String
        enum CodingKeys: String, CodingKey {
            case awsAccessKeyID = "aws_access_key_id", awsSecretAccessKey = "aws_secret_access_key"
        }
    }

    let name: String
    let type: String
    let data: Data

    init(_ secret: SealedSecret, maskedKeyID: String) {
        name = secret.name
        type = secret.type
        data = Data(awsAccessKeyID: maskedKeyID, awsSecretAccessKey: "****")
    }
}
