import HummingbirdBcrypt
import SibylCore
import SibylStore

/// The first start on an empty database: the admin, their token, project 1 and the license. Every start:
/// the license given in the configuration, and an expiry for tokens made before tokens expired.
public enum Bootstrap {
    public static let adminName = "admin"

    /// Nodes that start together on one empty database take turns: the first creates the admin, the others
    /// find it.
    public static func run(store: Store, configuration: ServerConfiguration) async throws -> BootstrapSecrets? {
        try await store.duringStart { try await setUp(store: store, configuration: configuration) }
    }

    private static func setUp(store: Store, configuration: ServerConfiguration) async throws -> BootstrapSecrets? {
        var secrets: BootstrapSecrets?
        if try await store.userCount() == 0 {
            let password = configuration.adminPassword ?? Secrets.make()
            let admin = try await store.createUser(
                name: adminName, passwordHash: Bcrypt.hash(password, cost: configuration.bcryptCost), role: .admin)
            // The first token expires like any other (`SIBYL_ADMIN_TOKEN` included): it is for setting up, and
            // the admin signs in (or makes tokens with it) for more.
            let token = try await AccountOperations.issueToken(
                for: admin, store: store, lifetimeSeconds: configuration.accessTokenLifetimeSeconds, description: "bootstrap",
                text: configuration.adminToken ?? "sibyl_" + Secrets.make())
            _ = try await store.createProject(name: "default", members: [admin.id])
            try await store.setLicense(License.initial)
            secrets = BootstrapSecrets(
                adminName: adminName, token: configuration.adminToken == nil ? token.text : nil,
                password: configuration.adminPassword == nil ? password : nil)
        }
        try await store.dateUndatedTokens(expiresAt: store.clock.now() + configuration.accessTokenLifetimeSeconds)
        if configuration.edition != nil || configuration.apiOptions != nil {
            var license = try await store.license()
            if let edition = configuration.edition { license.edition = edition }
            if let options = configuration.apiOptions {
                try License.validate(apiOptions: options)
                license.apiOptions = options
            }
            try await store.setLicense(license)
        }
        return secrets
    }
}

/// What a first start created and must be shown once: the admin's generated token and password.
public struct BootstrapSecrets: Sendable {
    public let adminName: String
    public let token: String?
    public let password: String?
}
