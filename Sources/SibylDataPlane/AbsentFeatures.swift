import HTTPTypes
import SibylCore
import SibylHTTP
import SibylRuntime

/// An API's rule on the features a prediction leaves out (`FeatureMatrix.absentColumns`): allowed, they are
/// missing values and the answer says how many (`Sibyl-Missing-Features`); refused, the request is a 422
/// naming them. Checked with the rest of the body, before a trial request is used.
enum AbsentFeatures {
    /// How many of the first absent features a refusal names.
    static let named = 5

    /// The number of absent features, for the answer's header; throws when the API refuses them.
    static func check(_ input: FeatureMatrix, _ model: CompiledModel, rule: PredictionAPI.MissingFeatures) throws(SibylError) -> Int {
        let absent = input.absentColumns
        guard !absent.isEmpty, rule == .refuse else { return absent.count }
        let names = model.features.names
        let listed = absent.prefix(named).map { "\"\(names[$0])\"" }.joined(separator: ", ")
        let more = absent.count > named ? " and \(absent.count - named) more" : ""
        throw SibylError(
            .missingFeatures,
            "the request leaves out \(absent.count) of the model's \(names.count) features (\(listed)\(more)); this API requires every feature: send null for a missing value")
    }
}

extension HTTPField.Name {
    /// On a prediction's answer: how many of the model's features the request left out (sent as missing).
    static let sibylMissingFeatures = Self("Sibyl-Missing-Features")!
}

extension HTTPFields {
    /// Sets `Sibyl-Missing-Features` when some features were absent.
    mutating func noteAbsent(_ count: Int) {
        if count > 0 { self[.sibylMissingFeatures] = String(count) }
    }
}
