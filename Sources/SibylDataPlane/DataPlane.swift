import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// The data plane: an API's predictions on `/apis/{id}/predict`, the Open Inference Protocol v2 and
/// Prediction One's call, all through one gateway, so that every route checks the same things in the same
/// order (the API, its address whitelist, its key, its state, a trial's requests).
public struct DataPlane: Sendable {
    let gateway: Gateway
    let evaluator: Evaluator

    public init(platform: Platform, resolver: ClientAddressResolver, evaluator: Evaluator) {
        gateway = Gateway(platform: platform, resolver: resolver)
        self.evaluator = evaluator
    }

    public func add(to router: Router<AppContext>) {
        PredictRoutes(gateway: gateway, evaluator: evaluator).add(to: router)
        InferenceRoutes(gateway: gateway, evaluator: evaluator).add(to: router)
        PredictionOneRoutes(gateway: gateway, evaluator: evaluator).add(to: router)
    }
}
