import Foundation
import SibylCore
import Testing

/// The arithmetic of drift where the HTTP tests' real data has no case: categories, missing values,
/// constant inputs.
@Suite struct DriftArithmeticTests {
    static let colour = FeatureType.category(["red", "green", "blue"])

    @Test func aCategoryTheReferenceNeverHadDriftsAndIsNamed() {
        let reference = FeatureProfile.reference(name: "colour", type: Self.colour, values: [0, 0, 1, 1])
        #expect(reference.categories == ["red": 2, "green": 2] && reference.bins.isEmpty)
        var current = FeatureProfile(binsOf: reference)
        current.count([0, 1, 0, 1] as [Float], type: Self.colour)
        let same = FeatureDrift(reference: reference, current: current, threshold: 0.2, missingThreshold: 0.1)
        #expect(same.psi == 0 && !same.drifted && same.newCategories.isEmpty)
        current.count([2, 7] as [Float], type: Self.colour)  // blue, and a code the model does not name
        let new = FeatureDrift(reference: reference, current: current, threshold: 0.2, missingThreshold: 0.1)
        #expect(new.newCategories == ["7", "blue"] && new.drifted && new.binLabels == ["green", "red", "7", "blue"])
        // Shares of 1e-4 stand for the reference's empty ones: 2 × (1/6 − 1e-4) × ln(1/6 ÷ 1e-4), plus 0 for red and green.
        let newShares: Double = 2 * (1.0 / 6 - 1e-4) * log((1.0 / 6) / 1e-4)
        let oldShares: Double = 2 * (1.0 / 3 - 0.5) * log((1.0 / 3) / 0.5)
        let expected = newShares + oldShares
        #expect(abs(new.psi! - expected) < 1e-12)
    }

    @Test func aMissingRateThatMovesDriftsWithoutAnyIndex() {
        let reference = FeatureProfile.reference(name: "x", type: .number, values: (0..<100).map(Float.init))
        #expect(reference.edges == [9, 19, 29, 39, 49, 59, 69, 79, 89] && reference.bins == Array(repeating: 10, count: 10))
        var current = FeatureProfile(binsOf: reference)
        current.count((0..<100).map { $0 % 5 == 0 ? Float.nan : Float($0) }, type: .number)
        let drift = FeatureDrift(reference: reference, current: current, threshold: 0.2, missingThreshold: 0.1)
        #expect(drift.missingRate == 0.2 && drift.referenceMissingRate == 0 && drift.missingRateChange == 0.2)
        #expect(drift.drifted && drift.psi! < 0.2)
        let loose = FeatureDrift(reference: reference, current: current, threshold: 0.2, missingThreshold: 0.25)
        #expect(!loose.drifted)
    }

    @Test func aConstantInputHasOneBinAndAnEmptyPeriodNoIndex() {
        let reference = FeatureProfile.reference(name: "k", type: .number, values: [3, 3, 3, .nan])
        #expect(reference.edges.isEmpty && reference.bins == [3] && reference.missing == 1)
        let empty = FeatureDrift(reference: reference, current: FeatureProfile(binsOf: reference), threshold: 0.2, missingThreshold: 0.1)
        #expect(empty.psi == nil && empty.missingRate == nil && !empty.drifted && empty.binLabels == ["all"])
    }
}
