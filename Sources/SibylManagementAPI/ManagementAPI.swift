import Hummingbird
import SibylApp
import SibylHTTP

/// The management API under `/api/v1`: users, tokens, projects, the license, models, APIs (lifecycle,
/// whitelist, keys, usage) and account secrets, each route on a group whose middleware gives it the caller.
public struct ManagementAPI: Sendable {
    let accounts: AccountOperations
    let models: ModelOperations
    let apis: APIOperations
    let secrets: AccountSecrets
    let auth: Authenticator

    public init(accounts: AccountOperations, models: ModelOperations, apis: APIOperations, secrets: AccountSecrets, auth: Authenticator) {
        self.accounts = accounts
        self.models = models
        self.apis = apis
        self.secrets = secrets
        self.auth = auth
    }

    public func add(to router: Router<AppContext>) {
        AccountRoutes(operations: accounts, auth: auth).add(to: router)
        ModelRoutes(operations: models, auth: auth).add(to: router)
        APIRoutes(operations: apis, auth: auth).add(to: router)
        AccountSecretRoutes(secrets: secrets, auth: auth).add(to: router)
    }
}
