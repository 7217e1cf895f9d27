import Foundation
import SibylCore
import Testing
@testable import SibylRuntime

/// Broken and hostile CatBoost files, each an edit of a real model (`cb_tiny`: two categorical features
/// with Borders and Counter CTRs): refused with `.invalidModel` and a reason naming the problem, never a crash.
@Suite struct CatBoostHostileTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Words the reason must contain.
        var reason: String
        var bytes: [UInt8]
        var testDescription: String { name }

        /// `cb_tiny` as `edit` leaves it.
        init(name: String, reason: String, edit: (inout [String: Any]) -> Void) {
            var document = try! CatBoostHostileTests.tiny()
            edit(&document)
            (self.name, self.reason, self.bytes) = (name, reason, try! CatBoostHostileTests.bytes(document))
        }
    }

    static func tiny() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(Fixtures.bytes("cb_tiny/model.json"))) as! [String: Any]
    }

    static func bytes(_ document: [String: Any]) throws -> [UInt8] {
        // Keys sorted, as CatBoost writes them (its files are recognised by their first key).
        Array(try JSONSerialization.data(withJSONObject: document, options: .sortedKeys))
    }

    /// Applies `change` to the member at `path` (keys, or indexes of arrays).
    static func at(_ path: [Any], _ document: inout [String: Any], _ change: (inout Any) -> Void) {
        func edit(_ value: inout Any, _ rest: ArraySlice<Any>) {
            guard let step = rest.first else { return change(&value) }
            if let key = step as? String, var object = value as? [String: Any] {
                var member: Any = object[key] ?? NSNull()
                edit(&member, rest.dropFirst())
                object[key] = member
                value = object
            } else if let index = step as? Int, var array = value as? [Any] {
                edit(&array[index], rest.dropFirst())
                value = array
            }
        }
        var root: Any = document
        edit(&root, path[...])
        document = root as! [String: Any]
    }

    static func set(_ name: String, _ reason: String, _ path: [Any], _ value: Any) -> Case {
        Case(name: name, reason: reason) { document in at(path, &document) { $0 = value } }
    }

    static var tree: [Any] { ["oblivious_trees", 0] }
    static var split: [Any] { tree + ["splits", 0] }
    static var info: [Any] { ["features_info"] }

    static let cases: [Case] = [
        set("leaf values for the wrong depth", "has 3 values for 4 leaves", tree + ["leaf_values"], [0.1, 0.2, 0.3]),
        set("a negative leaf weight", "leaf_weights must be 4 non-negative", tree + ["leaf_weights"], [1, -1, 1, 1]),
        set("an unknown split type", "unsupported split_type \"TextFeature\"", split + ["split_type"], "TextFeature"),
        set("a CTR split past every CTR border", "names no CTR border", split + ["split_index"], 99),
        set("a CTR split before the CTRs", "out of range", split + ["split_index"], -1),
        set("a CTR split whose border is not its CTR's", "is not border", split + ["border"], 2.5),
        set(
            "an unsupported CTR type", "unsupported ctr_type \"BinarizedTargetMeanValue\"", info + ["ctrs", 4, "ctr_type"],
            "BinarizedTargetMeanValue"),
        Case(name: "a combination of a feature with no CTR of its own", reason: "combines categorical feature 0 (city), which has no CTR of its own") { document in
            for ctr in 0...1 {
                at(info + ["ctrs", ctr, "elements"], &document) {
                    $0 = [
                        ["cat_feature_index": 1, "combination_element": "cat_feature_value"],
                        ["cat_feature_index": 0, "combination_element": "cat_feature_value"],
                    ]
                }
            }
        },
        set("an unknown combination element", "unsupported combination_element \"text_feature\"", info + ["ctrs", 0, "elements"], [
            ["cat_feature_index": 0, "combination_element": "cat_feature_value"], ["combination_element": "text_feature"],
        ]),
        set("a CTR over no category", "a CTR must be over at least one categorical feature", info + ["ctrs", 0, "elements"], [
            ["float_feature_index": 0, "border": 0.5, "combination_element": "float_feature"],
        ]),
        set("a combination of a float feature that is not there", "out of range", info + ["ctrs", 0, "elements"], [
            ["cat_feature_index": 0, "combination_element": "cat_feature_value"],
            ["float_feature_index": 3, "border": 0.5, "combination_element": "float_feature"],
        ]),
        set("a one-hot value of a combination past 32 bits", "out of range", info + ["ctrs", 0, "elements"], [
            ["cat_feature_index": 0, "combination_element": "cat_feature_value"],
            ["cat_feature_index": 1, "combination_element": "cat_feature_exact_value", "value": 1 << 40],
        ]),
        set("a CTR of a feature that is not there", "out of range", info + ["ctrs", 0, "elements", 0, "cat_feature_index"], 7),
        set("a CTR whose table is missing", "its table is missing from ctr_data", info + ["ctrs", 0, "identifier"], "nowhere"),
        set("an unsupported loss", "unsupported loss function \"YetiRank\"", ["model_info", "params", "loss_function", "type"], "YetiRank"),
        set("MultiClass with one output", "MultiClass needs 2...", ["model_info", "params", "loss_function", "type"], "MultiClass"),
        set("two outputs for a binary loss", "Logloss has one output, but scale_and_bias has 2", ["scale_and_bias"], [1, [0, 0]]),
        set("no scale", "expected [scale, [bias, …]]", ["scale_and_bias"], [1]),
        set("a column given twice", "flat_feature_index 1 is given twice", info + ["categorical_features", 1, "flat_feature_index"], 1),
        set("a feature out of its place", "feature_index must be 1", info + ["categorical_features", 1, "feature_index"], 0),
        set("a column past the limit", "out of range 0...1048575", info + ["float_features", 0, "flat_feature_index"], 1 << 40),
        set("text features", "text features are not supported", info + ["text_features"], [["feature_index": 0]]),
        set("an unknown missing-value rule", "unknown nan_value_treatment", info + ["float_features", 0, "nan_value_treatment"], "Sometimes"),
        set("a one-hot value past 32 bits", "is not a 32-bit category hash", info + ["categorical_features", 0, "values"], [1 << 40]),
        set("a one-hot split of no feature", "out of range", split, [
            "split_type": "OneHotFeature", "cat_feature_index": 5, "value": 3, "split_index": 0,
        ]),
        set("a float split of no feature", "out of range", split, [
            "split_type": "FloatFeature", "float_feature_index": 3, "border": 0.5, "split_index": 0,
        ]),
        Case(name: "a table key that is no number", reason: "expected a 64-bit hash") { document in
            at(["ctr_data"], &document) { data in
                var tables = data as! [String: Any]
                var table = tables.values.first as! [String: Any]
                var cells = table["hash_map"] as! [Any]
                cells[0] = "not a hash"
                table["hash_map"] = cells
                tables[tables.keys.first!] = table
                data = tables
            }
        },
        Case(name: "a table cut short", reason: "not a multiple of hash_stride") { document in
            at(["ctr_data"], &document) { data in
                var tables = data as! [String: Any]
                var table = tables.values.first as! [String: Any]
                table["hash_map"] = Array((table["hash_map"] as! [Any]).dropLast())
                tables[tables.keys.first!] = table
                data = tables
            }
        },
        Case(name: "a tree deeper than CatBoost's", reason: "is 17 splits deep") { document in
            at(tree + ["splits"], &document) { splits in
                splits = Array(repeating: (splits as! [Any])[0], count: 17)
            }
        },
        Case(name: "trees that would lay out too many leaves", reason: "more than 2097152 leaves") { document in
            let deep: [String: Any] = [
                "splits": Array(repeating: (((document["oblivious_trees"] as! [Any])[0] as! [String: Any])["splits"] as! [Any])[0], count: 16),
                "leaf_values": [0.0], "leaf_weights": [1.0],
            ]
            document["oblivious_trees"] = Array(repeating: deep, count: 33)
        },
    ]

    /// A combination of 65,536 elements (a category and 65,535 borders of x) is read; one more element is
    /// over `CatBoostCombinations.maxElements`, each of which costs every row a hash step.
    @Test(arguments: [CatBoostCombinations.maxElements, CatBoostCombinations.maxElements + 1])
    func combinationsAreBoundedInElements(count: Int) throws {
        var document = try Self.tiny()
        let borders = (1..<count).map { k -> [String: Any] in
            ["border": Double(k) / 1000, "combination_element": "float_feature", "float_feature_index": 0]
        }
        Self.at(Self.info + ["ctrs", 0, "elements"], &document) {
            $0 = [["cat_feature_index": 0, "combination_element": "cat_feature_value"]] + borders
        }
        let bytes = try Self.bytes(document)
        guard count > CatBoostCombinations.maxElements else {
            let model = try CompiledModel.load(bytes, format: .catboostJSON)
            #expect(model.predict(FeatureMatrix(rows: 1, columns: 3, values: [0.5, 0, 1])).rowCount == 1)
            return
        }
        #expect {
            try CompiledModel.load(bytes, format: .catboostJSON)
        } throws: { error in
            (error as? SibylError)?.message.contains("the model's combinations have more than 65536 elements") == true
        }
    }

    /// A CTR of 300,000 categories asked at 1,000 borders: 3·10^8 answers, over the limit of 2^28.
    @Test func tooManyCategoryAnswersAreRefused() throws {
        var document = try Self.tiny()
        let codes = 300_000, borders = 1_000
        let name = (((document["features_info"] as! [String: Any])["ctrs"] as! [Any])[0] as! [String: Any])["identifier"] as! String
        Self.at(["ctr_data"], &document) { data in
            var tables = data as! [String: Any]
            var table = tables[name] as! [String: Any]
            var cells: [Any] = []
            cells.reserveCapacity(codes * 3)
            // CatBoost's key of category hash k: CalcHash(0, k).
            let magic = CatBoostCategories.magic
            for k in 0..<codes { cells += [String(magic &* (magic &* UInt64(k))), 1, 2] }
            table["hash_map"] = cells
            tables[name] = table
            data = tables
        }
        Self.at(Self.info + ["ctrs", 0, "borders"], &document) { $0 = (0..<borders).map { Double($0) + 0.5 } }
        let ctrSplit = (((document["oblivious_trees"] as! [Any])[0] as! [String: Any])["splits"] as! [Any])[0] as! [String: Any]
        // x has no borders and no category is one-hot: CTR 0's borders are binary features 0, 1, ….
        document["oblivious_trees"] = (0..<borders).map { k -> [String: Any] in
            var split = ctrSplit
            split["split_index"] = k
            split["border"] = Double(k) + 0.5
            return ["splits": [split], "leaf_values": [0.0, 1.0], "leaf_weights": [1.0, 1.0]]
        }
        #expect {
            try CompiledModel.load(Self.bytes(document), format: .catboostJSON)
        } throws: { error in
            (error as? SibylError)?.message.contains("need more than 268435456 answers") == true
        }
    }

    @Test(arguments: cases)
    func isRefused(_ test: Case) {
        do {
            let model = try CompiledModel.load(test.bytes, format: .catboostJSON)
            Issue.record("loaded \(model.schema)")
        } catch {
            #expect(error.code == .invalidModel)
            #expect(error.message.contains(test.reason), "\(error.message)")
        }
    }

    @Test func theUneditedModelLoadsAndIsRecognised() throws {
        let model = try CompiledModel.load(Self.bytes(Self.tiny()), format: nil)
        #expect(model.schema.format == .catboostJSON)
        #expect(try CompiledModel.load(Self.bytes(Self.tiny()), format: .catboostJSON, maxFeatures: 3).schema.featureNames.count == 3)
        #expect {
            try CompiledModel.load(Self.bytes(Self.tiny()), format: .catboostJSON, maxFeatures: 2)
        } throws: { error in
            (error as? SibylError)?.message.contains("3 features (flat_feature_index), more than the limit of 2") == true
        }
    }

    @Test func everyPrefixIsRefused() throws {
        let bytes = try Fixtures.bytes("cb_tiny/model.json")
        for length in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: SibylError.self) { try CompiledModel.load(Array(bytes.prefix(length)), format: .catboostJSON) }
        }
    }

    /// Mutated files: refused with a reason, or loaded and then evaluated and explained without a crash.
    @Test func randomlyMutatedModelsNeverCrash() throws {
        var generator = DecimalNumberTests.Generator(state: 17)
        let valid = try Self.bytes(Self.tiny())
        let alphabet = Array(#"{}[]:,"-0123456789.eE tfnul\"#.utf8) + [0x00, 0xFF]
        let rows = FeatureMatrix(rows: 3, columns: 3, values: [1, 0, 5, .nan, -7, 3, 0.5, .nan, .nan])
        var loaded = 0
        for _ in 0..<2000 {
            var bytes = valid
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            do {
                let model = try CompiledModel.load(bytes, format: nil)
                guard model.schema.featureNames.count == 3 else { continue }
                _ = model.predict(rows)
                _ = model.explain(rows)
                loaded += 1
            } catch {
                #expect(error.code == .invalidModel)
            }
        }
        #expect(loaded > 0)
    }
}
