#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One input's values summarised: the reference that drift compares a period's values with, or the counts
/// of that period in the reference's bins.
///
/// A number's bins are cut at the reference's deciles (`edges`; bin k holds the values above `edges[k-1]`
/// and at most `edges[k]`); a category's are its categories, as the model reads them (a name where the
/// model names its categories, else the code). Missing values are counted apart.
public struct FeatureProfile: Sendable, Equatable, Codable {
    public var name: String
    public var isCategory: Bool
    public var count = 0
    public var missing = 0
    public var edges: [Double] = []
    /// Counts per bin: `edges.count + 1` of them for a number.
    public var bins: [Int] = []
    /// Counts per category.
    public var categories: [String: Int] = [:]

    public init(name: String, isCategory: Bool) {
        self.name = name
        self.isCategory = isCategory
    }

    /// Most bins a number is cut into.
    public static let binCount = 10

    /// The reference profile of `values` (NaN is missing): deciles as edges, each value counted.
    public static func reference(name: String, type: FeatureType, values: [Float]) -> FeatureProfile {
        var profile = FeatureProfile(name: name, isCategory: type.isCategory)
        if !type.isCategory {
            let sorted = values.filter { !$0.isNaN }.sorted()
            if !sorted.isEmpty {
                let cuts = (1..<binCount).map { Double(sorted[($0 * (sorted.count - 1)) / binCount]) }
                profile.edges = cuts.enumerated().filter { $0.offset == 0 || $0.element != cuts[$0.offset - 1] }.map(\.element)
                // The largest value's own edge would leave the last bin empty for ever.
                if profile.edges.last == Double(sorted.last!) { profile.edges.removeLast() }
            }
        }
        profile.bins = Array(repeating: 0, count: type.isCategory ? 0 : profile.edges.count + 1)
        profile.count(values, type: type)
        return profile
    }

    /// An empty profile with `reference`'s bins, for counting a period's values into.
    public init(binsOf reference: FeatureProfile) {
        self.init(name: reference.name, isCategory: reference.isCategory)
        edges = reference.edges
        bins = Array(repeating: 0, count: reference.bins.count)
    }

    /// Counts values (NaN is missing) into this profile's bins.
    public mutating func count(_ values: some Sequence<Float>, type: FeatureType) {
        for value in values {
            count += 1
            guard !value.isNaN else {
                missing += 1
                continue
            }
            if isCategory {
                categories[Self.category(value, type), default: 0] += 1
            } else {
                var low = 0, high = edges.count
                while low < high {
                    let middle = (low + high) / 2
                    if Double(value) <= edges[middle] { high = middle } else { low = middle + 1 }
                }
                bins[low] += 1
            }
        }
    }

    /// A category's name where the model names it, else its code as a number.
    static func category(_ value: Float, _ type: FeatureType) -> String {
        if let code = Int(exactly: value), type.categories.indices.contains(code) { return type.categories[code] }
        return Int(exactly: value).map(String.init) ?? "\(value)"
    }

    public var missingRate: Double? { count > 0 ? Double(missing) / Double(count) : nil }

    /// The shares of the values present per bin or category (in `keys` order for categories).
    func shares(_ keys: [String]) -> [Double] {
        let present = Double(count - missing)
        guard present > 0 else { return [] }
        return isCategory ? keys.map { Double(categories[$0] ?? 0) / present } : bins.map { Double($0) / present }
    }
}

/// Every input of a model summarised (uploaded training rows, or a period's captures).
public struct InputProfile: Sendable, Equatable, Codable {
    public var rows: Int
    public var features: [FeatureProfile]

    public init(rows: Int, features: [FeatureProfile]) {
        self.rows = rows
        self.features = features
    }
}

/// How one input's values of a period differ from its reference.
public struct FeatureDrift: Sendable, Equatable {
    public var name: String
    /// The population stability index over the bins (or categories) of the values present; nil when either
    /// side has none.
    public var psi: Double?
    public var referenceMissingRate: Double?
    public var missingRate: Double?
    /// Categories of the period the reference never had.
    public var newCategories: [String]
    public var drifted = false
    /// The period's and the reference's shares per bin or category, for a chart.
    public var shares: [Double]
    public var referenceShares: [Double]
    public var binLabels: [String]

    /// The period's missing rate less the reference's; nil without values in the period.
    public var missingRateChange: Double? { missingRate.map { $0 - (referenceMissingRate ?? 0) } }

    /// A share of 0 stands for this much in the index's logarithm (the usual convention).
    public static let emptyShare = 1e-4

    /// Compares `current` with `reference`; drifted when the index reaches `threshold`, the missing rate moved
    /// by `missingThreshold` or more, or a category is new.
    public init(reference: FeatureProfile, current: FeatureProfile, threshold: Double, missingThreshold: Double) {
        name = reference.name
        let known = reference.categories.keys.sorted()
        newCategories = current.categories.keys.filter { reference.categories[$0] == nil }.sorted()
        let keys = known + newCategories
        shares = current.shares(keys)
        referenceShares = reference.shares(keys)
        binLabels = reference.isCategory ? keys : Self.labels(reference.edges)
        if !shares.isEmpty, !referenceShares.isEmpty {
            psi = zip(shares, referenceShares).reduce(0) { sum, pair in
                let (a, e) = (max(pair.0, Self.emptyShare), max(pair.1, Self.emptyShare))
                return sum + (a - e) * log(a / e)
            }
        }
        referenceMissingRate = reference.missingRate
        missingRate = current.missingRate
        drifted = (psi ?? 0) >= threshold || Swift.abs(missingRateChange ?? 0) >= missingThreshold || !newCategories.isEmpty
    }

    static func labels(_ edges: [Double]) -> [String] {
        guard !edges.isEmpty else { return ["all"] }
        let text = edges.map { "\(Float($0))" }
        return ["≤ " + text[0]] + zip(text, text.dropFirst()).map { "\($0) – \($1)" } + ["> " + text[text.count - 1]]
    }
}
