import Hummingbird
import SibylApp
import SibylCore

/// The URLs answers give, from the host the request came to.
extension Platform {
    public func baseURL(_ request: Request) -> String { baseURL(authority: request.head.authority) }

    public func deploymentAddress(_ deployment: Deployment, _ request: Request) -> String {
        deploymentAddress(deployment, authority: request.head.authority)
    }
}
