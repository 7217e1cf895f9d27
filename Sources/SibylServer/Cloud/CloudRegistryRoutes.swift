import Hummingbird
import SibylApp
import SibylCore
import SibylStore

/// Registry credentials (for pulling deployments' images) and secrets of the compatible API. Passwords
/// and secret values are sealed before they are stored and never come back in clear.
struct CloudRegistryRoutes {
    let operations: DeploymentOperations
    let auth: Authenticator
    var store: Store { operations.store }
    var limit: Int { operations.configuration.maxManagementBodyBytes }

    func add(to router: Router<AppContext>) {
        let credentials = router.group("cloud/v3/inference/:project_id/registry_credentials")
        credentials.post { request, context in
            let (_, project) = try await auth.project(request, context)
            let body = try await JSONBody.read(request, limit: limit, allowed: ["name", "username", "password", "registry_url"])
            let name = try body.requiredString("name")
            try Deployment.validateKeyName(name)
            let saved = try await save(body, name: name, projectID: project.id, replace: false)
            return JSONAnswer(.created, verbatim: CredentialsAnswer(saved))
        }
        credentials.get { request, context in
            let (_, project) = try await auth.project(request, context)
            return JSONAnswer(.ok, verbatim: try CloudPage(try await store.credentials(projectID: project.id).map(CredentialsAnswer.init), query: request))
        }
        credentials.get(":credential_name") { request, context in
            let (_, project) = try await auth.project(request, context)
            return JSONAnswer(.ok, verbatim: CredentialsAnswer(try await stored(project.id, context.parameters.get("credential_name"))))
        }
        credentials.put(":credential_name") { request, context in
            let (_, project) = try await auth.project(request, context)
            let current = try await stored(project.id, context.parameters.get("credential_name"))
            let body = try await JSONBody.read(request, limit: limit, allowed: ["username", "password", "registry_url"])
            return JSONAnswer(.ok, verbatim: CredentialsAnswer(try await save(body, name: current.name, projectID: project.id, replace: true)))
        }
        credentials.delete(":credential_name") { request, context in
            let (_, project) = try await auth.project(request, context)
            guard let name = context.parameters.get("credential_name"), try await store.deleteCredentials(projectID: project.id, name: name)
            else { throw SibylError(.notFound, "no such registry credentials") }
            return Response(status: .noContent)
        }

        let secrets = router.group("cloud/v3/inference/:project_id/secrets")
        secrets.post { request, context in
            let (_, project) = try await auth.project(request, context)
            let body = try await JSONBody.read(request, limit: limit, allowed: ["name", "type", "data"])
            let name = try body.requiredString("name")
            try Deployment.validateKeyName(name)
            return JSONAnswer(.created, verbatim: try await saveSecret(body, name: name, projectID: project.id, replace: false))
        }
        secrets.get { request, context in
            let (_, project) = try await auth.project(request, context)
            let all = try await store.secrets(projectID: project.id).map { try SecretAnswer($0, operations.sealer) }
            return JSONAnswer(.ok, verbatim: try CloudPage(all, query: request))
        }
        secrets.get(":secret_name") { request, context in
            let (_, project) = try await auth.project(request, context)
            return JSONAnswer(.ok, verbatim: try SecretAnswer(try await secret(project.id, context.parameters.get("secret_name")), operations.sealer))
        }
        secrets.put(":secret_name") { request, context in
            let (_, project) = try await auth.project(request, context)
            let current = try await secret(project.id, context.parameters.get("secret_name"))
            let body = try await JSONBody.read(request, limit: limit, allowed: ["type", "data"])
            return JSONAnswer(.ok, verbatim: try await saveSecret(body, name: current.name, projectID: project.id, replace: true))
        }
        secrets.delete(":secret_name") { request, context in
            let (_, project) = try await auth.project(request, context)
            guard let name = context.parameters.get("secret_name"), try await store.deleteSecret(projectID: project.id, name: name) else {
                throw SibylError(.notFound, "no such secret")
            }
            return Response(status: .noContent)
        }
    }

    private func stored(_ projectID: Int, _ name: String?) async throws(SibylError) -> Store.SealedCredentials {
        guard let found = try await store.credentials(projectID: projectID).first(where: { $0.name == name }) else {
            throw SibylError(.notFound, "no such registry credentials")
        }
        return found
    }

    private func secret(_ projectID: Int, _ name: String?) async throws(SibylError) -> Store.SealedSecret {
        guard let found = try await store.secrets(projectID: projectID).first(where: { $0.name == name }) else {
            throw SibylError(.notFound, "no such secret")
        }
        return found
    }

    private func save(_ body: JSONBody, name: String, projectID: Int, replace: Bool) async throws -> Store.SealedCredentials {
        let credentials = Store.SealedCredentials(
            projectID: projectID, name: name, registryURL: try body.requiredString("registry_url"),
            username: try body.requiredString("username"), sealedPassword: operations.sealer.seal(try body.requiredString("password")))
        try await store.saveCredentials(credentials, replace: replace)
        return credentials
    }

    private func saveSecret(_ body: JSONBody, name: String, projectID: Int, replace: Bool) async throws -> SecretAnswer {
        let type = try body.requiredString("type")
        guard type == "aws-iam" else { throw SibylError(.invalidInput, "type: the only type is aws-iam") }
        let data = try body.requiredObject("data", allowed: ["aws_access_key_id", "aws_secret_access_key"])
        let values = SecretAnswer.Data(
            awsAccessKeyID: try data.requiredString("aws_access_key_id"),
            awsSecretAccessKey: try data.requiredString("aws_secret_access_key"))
        let sealed = Store.SealedSecret(
            projectID: projectID, name: name, type: type, sealedData: operations.sealer.seal(values.awsAccessKeyID + "\n" + values.awsSecretAccessKey))
        try await store.saveSecret(sealed, replace: replace)
        return try SecretAnswer(sealed, operations.sealer)
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

    init(_ credentials: Store.SealedCredentials) {
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

    init(_ secret: Store.SealedSecret, _ sealer: Sealer) throws(SibylError) {
        name = secret.name
        type = secret.type
        let keyID = try sealer.open(secret.sealedData).split(separator: "\n").first.map(String.init) ?? ""
        data = Data(awsAccessKeyID: "****" + keyID.suffix(4), awsSecretAccessKey: "****")
    }
}
