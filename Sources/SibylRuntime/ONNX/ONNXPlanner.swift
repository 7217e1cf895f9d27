import Foundation
import SibylCore

/// Plans an `ONNXGraph`: finds the graph's prediction output, the nodes it needs, and compiles each with the
/// widths of its inputs, refusing with the node and the reason anything Sibyl cannot compute exactly.
struct ONNXPlanner {
    struct Plan {
        let graph: ONNXGraph
        let task: ModelTask
        let classes: [String]
        let objective: String
        let treeCount: Int
        let featureNames: [String]
        let featureTypes: [FeatureType]
    }

    /// What the graph reads (decided by `ONNXLoader`): one float tensor of rows `[N, width]`, the features
    /// `f0…`; one column per input, each a feature named as its input; or one map of texts to floats per
    /// row, which a `DictVectorizer` makes a row of `keys`, the features.
    enum Inputs {
        case rows(name: String, width: Int)
        case columns([Column])
        case map(name: String, keys: [String])
    }

    /// A one-column input of floats, (`text`) strings or (`integer`) int64s (a frame's integer column).
    struct Column {
        let name: String
        let text: Bool
        var integer = false
    }

    /// The operators that read integers (an int64 input, or a cast to an integer): those that move them,
    /// and those whose result on integers held as floats is onnxruntime's on the integers themselves (sums,
    /// products, comparisons, a cast, a one-hot encoder of numbers, a scaler, which reads them as floats).
    /// Sibyl holds integers as floats, so integer division, which truncates, is refused.
    static let integerReaders: Set = [
        "Cast", "OneHotEncoder", "Scaler", "Concat", "Identity", "Reshape", "Flatten", "Gather", "Slice", "Add", "Sub", "Mul", "Neg", "Abs",
        "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Equal",
    ]
    /// Of those, the operators whose result on integers is integers.
    static let keepsIntegers: Set = ["Concat", "Identity", "Reshape", "Flatten", "Gather", "Slice", "Add", "Sub", "Mul", "Neg", "Abs"]

    private let graph: Onnx_GraphProto
    let constants: ONNXConstants
    let inputs: Inputs

    init(_ graph: Onnx_GraphProto, _ constants: ONNXConstants, inputs: Inputs) {
        (self.graph, self.constants, self.inputs) = (graph, constants, inputs)
    }

    func plan() throws(SibylError) -> Plan {
        let inputNames: Set<String> = switch inputs {
        case .rows(let name, _), .map(let name, _): [name]
        case .columns(let columns): Set(columns.map(\.name))
        }
        var producers: [String: Int] = [:]
        for (index, node) in graph.node.enumerated() {
            for output in node.output where !output.isEmpty {
                guard producers.updateValue(index, forKey: output) == nil, !inputNames.contains(output), !constants.contains(output) else {
                    throw SibylError(.invalidModel, "tensor \(output.prefix(64)) is produced twice")
                }
            }
        }
        // The prediction: the probabilities a ZipMap output reads, or else the one float tensor output.
        var result: String?
        var zipMapClasses: [String] = []
        var classifier = false
        for output in graph.output {
            if let producer = producers[output.name], graph.node[producer].opType == "ZipMap" {
                let zipMap = graph.node[producer]
                result = zipMap.input.first
                let attributes = try ONNXAttributes(zipMap, known: ["classlabels_int64s", "classlabels_strings"])
                let numbers = try attributes.ints("classlabels_int64s")
                zipMapClasses = numbers.isEmpty ? try attributes.strings("classlabels_strings") : numbers.map(String.init)
                classifier = true
            }
        }
        if result == nil {
            let floats = graph.output.filter { $0.type.tensorType.elemType == Onnx_TensorProto.DataType.float.rawValue }
            guard floats.count == 1 else {
                throw SibylError(.invalidModel, "the graph has \(floats.count) float outputs and no ZipMap; Sibyl serves graphs of one prediction output")
            }
            result = floats[0].name
            classifier = graph.output.count > 1
        }
        guard let result, !inputNames.contains(result) else { throw SibylError(.invalidModel, "the graph's prediction output is its input") }

        // The nodes the prediction needs, found backward from it.
        var needed = Set<Int>()
        var pending = [result]
        while let name = pending.popLast() {
            guard let producer = producers[name] else {
                guard inputNames.contains(name) || constants.contains(name) else {
                    throw SibylError(.invalidModel, "tensor \(name.prefix(64)) is read but neither computed, an input nor an initializer")
                }
                continue
            }
            guard needed.insert(producer).inserted else { continue }
            pending += graph.node[producer].input.filter { !$0.isEmpty }
        }

        // Slot 0 is the request's rows. One float input is those rows; several inputs are each a column of
        // them, taken by a step of its own (not in the objective); a text column holds its category's code.
        var slots: [String: (slot: Int, width: Int)] = [:]
        var steps: [ONNXGraph.Step] = []
        var kinds: [String] = []
        var textColumns: [Int: Int] = [:]
        // Slots of integers: an integer input's, and what only moves its values.
        var integerSlots = Set<Int>()
        var featureNames: [String] = []
        // Per slot, the input columns whose missing value may reach it as NaN: an imputer of NaN, a tree
        // ensemble (which branches on it) or an encoder (which encodes it as no category, or the default)
        // ends it; a step with no answer for it (a binarizer) refuses it; every other step passes it on
        // through its arithmetic.
        var missing: [IndexSet]
        var columns: [Column] = []
        switch inputs {
        case .rows(let name, let width):
            missing = [IndexSet(integersIn: 0..<width)]
            slots[name] = (0, width)
            featureNames = (0..<width).map { "f\($0)" }
        case .map(let name, let keys):
            // The map's slot is its DictVectorizer's row already: the vectorizer's step is a copy.
            missing = [IndexSet(integersIn: 0..<keys.count)]
            slots[name] = (0, keys.count)
            featureNames = keys
        case .columns(let all):
            columns = all
            missing = [IndexSet(integersIn: 0..<all.count)]
            for (column, input) in all.enumerated() {
                slots[input.name] = (steps.count + 1, 1)
                if input.text { textColumns[steps.count + 1] = column }
                if input.integer { integerSlots.insert(steps.count + 1) }
                missing.append(IndexSet(integer: column))
                steps.append(ONNXGraph.Step(operation: .select([column]), inputs: [0], output: steps.count + 1, width: 1))
                kinds.append("")
                featureNames.append(input.name)
            }
        }
        // The input columns whose missing value reaches a step that has no answer for it, whatever follows:
        // an integer has no missing value.
        var refused = IndexSet(columns.indices.filter { columns[$0].integer })
        var categories: [Int: [String]] = [:]
        var work = steps.count
        var treeCount = 0
        var classes: [Int: [String]] = [:]
        // The step each compiled node became, and the slots laid out other than as rows.
        var stepOfNode: [Int: Int] = [:]
        var layouts: [Int: Layout] = [:]
        for (index, node) in graph.node.enumerated() where needed.contains(index) {
            let computed = node.input.filter { !$0.isEmpty && !constants.contains($0) }
            var inputs: [(slot: Int, width: Int)] = []
            for name in computed {
                guard let slot = slots[name] else {
                    throw SibylError(.invalidModel, "\(node.opType) reads \(name.prefix(64)) before it is computed")
                }
                inputs.append(slot)
            }
            // Text is read by an encoder alone (one-hot or label), which gives the column its categories; on
            // the way, a node that hands the column on unchanged names the same slot.
            let texts = inputs.compactMap { textColumns[$0.slot] }
            if texts.count == 1, inputs.count == 1, inputs[0].width == 1, try keepsOneColumn(node) {
                guard let output = node.output.first, !output.isEmpty else { throw SibylError(.invalidModel, "\(node.opType) has no output") }
                slots[output] = inputs[0]
                continue
            }
            stepOfNode[index] = steps.count
            guard texts.isEmpty || ["OneHotEncoder", "LabelEncoder"].contains(node.opType) else {
                throw SibylError(.invalidModel, "\(node.opType) reads the text input \(featureNames[texts[0]].prefix(64)); Sibyl reads text through OneHotEncoder and LabelEncoder only")
            }
            let integers = inputs.filter { integerSlots.contains($0.slot) }
            guard integers.isEmpty || Self.integerReaders.contains(node.opType) else {
                throw SibylError(.invalidModel, "\(node.opType) reads integers, which Sibyl holds as floats; it runs only the operators whose answer on them is the integers' (not integer division)")
            }
            // A tensor's shape is read by ConstantOfShape alone, members of a mean by the Concat that stacks
            // them, and the stack by its ReduceMean.
            let layout = inputs.lazy.compactMap { layouts[$0.slot] }.first ?? .rows
            switch layout {
            case .rows: break
            case .shape:
                guard node.opType == "ConstantOfShape", inputs.count == 1 else {
                    throw SibylError(.invalidModel, "\(node.opType) reads a tensor's shape; Sibyl reads shapes only to fill a tensor (ConstantOfShape)")
                }
            case .stacked:
                guard node.opType == "Concat" else {
                    throw SibylError(.invalidModel, "\(node.opType) reads rows reshaped to [1, N, w]; Sibyl stacks them only to average them (Concat on axis 0)")
                }
                guard inputs.allSatisfy({ layouts[$0.slot] == .stacked }) else {
                    throw SibylError(.invalidModel, "\(node.opType) reads rows and a stack of them together")
                }
            case .stack:
                guard node.opType == "ReduceMean", inputs.count == 1 else {
                    throw SibylError(.invalidModel, "\(node.opType) reads a stack of rows; Sibyl only averages one (ReduceMean)")
                }
            }
            let compiled = try compile(node, inputs: inputs, text: !texts.isEmpty, layout: layout)
            if let names = compiled.categories, let column = texts.first {
                guard categories.updateValue(names, forKey: column) == nil else {
                    throw SibylError(.invalidModel, "the text input \(featureNames[column].prefix(64)) is read by two encoders; Sibyl reads each with one")
                }
            }
            guard compiled.width > 0, compiled.width <= ONNXGraph.maxWidth else {
                throw SibylError(.invalidModel, "\(node.opType) makes rows \(compiled.width) wide; Sibyl's limit is \(ONNXGraph.maxWidth)")
            }
            work += compiled.work
            guard work <= ONNXGraph.maxWorkPerRow else {
                throw SibylError(.invalidModel, "the graph costs more than \(ONNXGraph.maxWorkPerRow) operations a row")
            }
            // Classifiers' second output is the scores; their first, the label, gets no slot, so a node that
            // reads it on the prediction's way is refused as reading it before it is computed.
            let output = compiled.scoresSecond ? node.output.dropFirst().first ?? "" : node.output.first ?? ""
            guard !output.isEmpty else { throw SibylError(.invalidModel, "\(node.opType) has no output") }
            slots[output] = (steps.count + 1, compiled.width)
            if !integers.isEmpty, Self.keepsIntegers.contains(node.opType) {
                guard integers.count == inputs.count else { throw SibylError(.invalidModel, "\(node.opType) reads integers and floats together") }
                integerSlots.insert(steps.count + 1)
            }
            if case .unary(.truncate) = compiled.operation { integerSlots.insert(steps.count + 1) }
            if compiled.layout != .rows { layouts[steps.count + 1] = compiled.layout }
            let reaching = inputs.reduce(into: IndexSet()) { $0.formUnion(missing[$1.slot]) }
            if compiled.refusesMissing { refused.formUnion(reaching) }
            missing.append(compiled.endsMissing || compiled.refusesMissing ? IndexSet() : reaching)
            if let names = compiled.classes { classes[steps.count] = names }
            if case .trees(let model) = compiled.operation { treeCount += model.schema.treeCount }
            steps.append(ONNXGraph.Step(operation: compiled.operation, inputs: inputs.map(\.slot), output: steps.count + 1, width: compiled.width))
            kinds.append(node.opType)
        }
        guard let final = slots[result] else { throw SibylError(.invalidModel, "the prediction output \(result.prefix(64)) is never computed") }

        // The labels: those of the graph's own label output where it can be followed (to a classifier
        // operator's label, or to the first largest prediction), or else the classifier that made the
        // probabilities, through steps that keep their order.
        let traced = labelSource(producers: producers, result: result)
        var labeller: Int? = if case .classifier(let node)? = traced { stepOfNode[node] } else { nil }
        var step = traced == nil ? final.slot - 1 : -1
        while step >= 0 {
            if case .linearClassifier = steps[step].operation { labeller = step }
            if case .trees = steps[step].operation { labeller = step }
            if case .svm(let machine) = steps[step].operation, !machine.classes.isEmpty { labeller = step }
            let keepsOrder = switch steps[step].operation {
            case .copy, .normalizer: true
            default: false
            }
            guard labeller == nil, keepsOrder else { break }
            step = steps[step].inputs[0] - 1
        }
        // A linear classifier without a transform (LinearSVC) or an SVC without Platt pairs gives decision
        // values, not probabilities; a binary one's output may be its class 1 column alone.
        let scores = labeller.map { Self.givesDecisionValues(steps, from: $0, to: final.slot) } ?? false
        let task: ModelTask
        var names: [String] = []
        if classifier {
            names = labeller.flatMap { classes[$0] } ?? zipMapClasses
            guard names.count >= 2, names.count == final.width || (scores && names.count == 2 && final.width == 1) else {
                throw SibylError(.invalidModel, "the graph's probabilities are \(final.width) wide for \(names.count) classes")
            }
            task = names.count == 2 ? .binary : .multiclass
        } else {
            guard final.width == 1 else { throw SibylError(.invalidModel, "the graph's prediction is \(final.width) wide; a regressor's is 1") }
            task = .regression
        }
        let plan = ONNXGraph(
            steps: steps, inputWidth: featureNames.count, result: final.slot, labeller: labeller, scores: scores,
            columnsNeedingValues: missing[final.slot].union(refused), work: work)
        // A text input the prediction never reads takes any category's code.
        let types = columns.indices.map { column in
            columns[column].text ? FeatureType.category(categories[column] ?? []) : columns[column].integer ? .wholeNumbers : .number
        }
        return Plan(
            graph: plan, task: task, classes: names, objective: objective(steps, kinds), treeCount: treeCount,
            featureNames: featureNames, featureTypes: types)
    }

    enum LabelSource: Equatable {
        /// The label output of the classifier operator `graph.node[node]`.
        case classifier(node: Int)
        /// The first largest value of the prediction (an `ArgMax` of it).
        case firstLargest
    }

    /// Where the graph's label output comes from, followed back through the nodes that only carry it
    /// (`Cast`, `Reshape`, `Identity`, `Flatten`, and an `ArrayFeatureExtractor` of the constant class list):
    /// a classifier operator's label, or an `ArgMax` of the prediction; nil where it leads elsewhere, or
    /// the graph has no such output.
    private func labelSource(producers: [String: Int], result: String) -> LabelSource? {
        let outputs = graph.output.map(\.name).filter { name in
            guard let producer = producers[name] else { return false }
            return graph.node[producer].opType != "ZipMap" && name != result
        }
        guard outputs.count == 1 else { return nil }
        var name = outputs[0]
        for _ in 0..<graph.node.count {
            guard let producer = producers[name] else { return nil }
            let node = graph.node[producer]
            switch node.opType {
            case "TreeEnsembleClassifier", "LinearClassifier", "SVMClassifier":
                return node.output.first == name ? .classifier(node: producer) : nil
            case "ArgMax":
                return node.input.first == result ? .firstLargest : nil
            case "Cast", "Reshape", "Identity", "Flatten":
                name = node.input.first ?? ""
            case "ArrayFeatureExtractor" where node.input.count == 2 && constants.contains(node.input[0]):
                name = node.input[1]
            default:
                return nil
            }
        }
        return nil
    }

    /// Whether the prediction is decision values, not probabilities: the labeller's (a linear classifier
    /// without a transform, an SVC without Platt pairs), made one per class or not, unless a step on their
    /// way to the prediction makes probabilities of them (a sigmoid, a softmax, an exponential, a
    /// normalizer: a calibration).
    private static func givesDecisionValues(_ steps: [ONNXGraph.Step], from labeller: Int, to result: Int) -> Bool {
        switch steps[labeller].operation {
        case .linearClassifier(_, _, .none): break
        case .svm(let machine) where !machine.probabilities: break
        default: return false
        }
        // The steps the prediction reads, back from it.
        var read = Set<Int>()
        var pending = [result - 1]
        while let step = pending.popLast() {
            guard step >= 0, read.insert(step).inserted else { continue }
            pending += steps[step].inputs.map { $0 - 1 }
        }
        // Those of them the labeller's output reaches.
        var reached: Set = [steps[labeller].output]
        for step in labeller + 1..<max(labeller + 1, result) where steps[step].inputs.contains(where: reached.contains) {
            reached.insert(steps[step].output)
            guard read.contains(step) else { continue }
            switch steps[step].operation {
            case .sigmoid, .softmax, .unary(.exp), .normalizer, .trees: return false
            case .linearClassifier(_, _, let transform) where transform != .none: return false
            case .svm(let machine) where machine.probabilities: return false
            default: continue
            }
        }
        return true
    }

    /// The schema's objective: the operators in order, a tree ensemble's described as by itself.
    private func objective(_ steps: [ONNXGraph.Step], _ kinds: [String]) -> String {
        zip(steps, kinds).filter { !$1.isEmpty }.map { step, kind in
            if case .trees(let model) = step.operation { return model.finish.objective }
            return kind
        }.joined(separator: " → ")
    }
}
