import Foundation
import SibylCore
import SibylRuntime
import SibylWire

extension Capture {
    /// The captured request's rows as `model` reads them, decoded as the call it came through decoded it:
    /// what replays and drift reports read.
    func input(for model: CompiledModel, limits: InputLimits) throws(SibylError) -> FeatureMatrix {
        switch endpoint {
        case .predict:
            return try PredictionInput.decode(request, mediaType: mediaType, features: model.features, limits: limits)
        case .v2:
            return try InferenceRequest(
                body: request, headerLength: Self.headerLength(mediaType), schema: model.schema, features: model.features,
                limits: limits
            ).matrix
        case .predictionOne:
            let call = try PredictionOneRequest(request)
            return try PredictionInput.decode(call.csv, mediaType: "text/csv", features: model.features, limits: limits)
        }
    }

    /// The binary extension's JSON header length, as the v2 route wrote it into the media type; nil for JSON.
    static func headerLength(_ mediaType: String) throws(SibylError) -> Int? {
        let name = "inference-header-content-length="
        guard let range = mediaType.range(of: name) else { return nil }
        guard let length = Int(mediaType[range.upperBound...]) else { throw SibylError(.malformedBody, "no header length") }
        return length
    }
}
