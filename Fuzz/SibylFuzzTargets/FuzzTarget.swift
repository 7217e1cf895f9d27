import SibylCore

/// A parser of untrusted bytes driven with arbitrary input, and the properties it must keep whatever the
/// input: it answers or refuses with a `SibylError` of the codes it documents, never traps, and what it
/// accepts is consistent. A broken property is a `fatalError`, which libFuzzer reports as a crash.
///
/// `scripts/fuzz.sh` runs each under libFuzzer (`Fuzz/SibylFuzz`); `swift test` runs each over its seeds
/// (`Fuzz/Corpus/<name>`) and over every input that once crashed it (`Fuzz/Crashes/<name>`).
public struct FuzzTarget: Sendable {
    public let name: String
    /// libFuzzer's `-max_len`: the longest input worth trying, large enough for the seeds that matter.
    public let maxLength: Int
    public let run: @Sendable ([UInt8]) -> Void

    public static let all: [FuzzTarget] = [
        FuzzTarget(name: "json", maxLength: 8_192, run: ReaderTargets.json),
        FuzzTarget(name: "xgboost-json", maxLength: 16_384, run: ModelTargets.xgboostJSON),
        FuzzTarget(name: "xgboost-ubj", maxLength: 16_384, run: ModelTargets.xgboostUBJ),
        FuzzTarget(name: "lightgbm", maxLength: 16_384, run: ModelTargets.lightGBM),
        FuzzTarget(name: "catboost", maxLength: 16_384, run: ModelTargets.catBoost),
        FuzzTarget(name: "onnx", maxLength: 16_384, run: ModelTargets.onnx),
        FuzzTarget(name: "csv", maxLength: 4_096, run: ReaderTargets.csv),
        FuzzTarget(name: "predict-json", maxLength: 4_096, run: ReaderTargets.predictJSON),
        FuzzTarget(name: "multipart", maxLength: 4_096, run: WireTargets.multipart),
        FuzzTarget(name: "v2", maxLength: 4_096, run: WireTargets.inference),
        FuzzTarget(name: "cidr", maxLength: 1_024, run: AddressTargets.rules),
        FuzzTarget(name: "prediction-one", maxLength: 4_096, run: WireTargets.predictionOne),
    ]

    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}

/// Stops the run with the property that broke; libFuzzer saves the input.
func require(_ condition: Bool, _ property: @autoclosure () -> String) {
    if !condition { fatalError("property broken: \(property())") }
}

/// A refusal must carry one of the codes the parser documents.
func requireCode(_ error: SibylError, in codes: [SibylError.Code]) {
    require(codes.contains(error.code), "refused with \(error.code), not one of \(codes): \(error.message)")
}
