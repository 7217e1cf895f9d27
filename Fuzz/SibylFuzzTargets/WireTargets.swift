import SibylCore
import SibylRuntime
import SibylWire

/// The request readers of SibylWire: multipart forms, v2 `infer` bodies (JSON and binary tensors) and
/// Prediction One's body.
enum WireTargets {
    /// The first line is the Content-Type, the rest the body.
    static func multipart(_ bytes: [UInt8]) {
        let newline = bytes.firstIndex(of: 10) ?? bytes.count
        let contentType = String(decoding: bytes[..<newline], as: UTF8.self)
        let body = Array(bytes[min(newline + 1, bytes.count)...])
        guard let boundary = Multipart.boundary(ofContentType: contentType) else { return }
        do {
            let parts = try Multipart.parts(body, boundary: boundary)
            require(parts.values.reduce(0) { $0 + $1.count } <= body.count, "parts larger than the body")
            require(boundary.utf8.count <= Multipart.maxBoundaryLength, "a boundary of \(boundary.utf8.count) bytes was accepted")
        } catch {
            requireCode(error, in: [.malformedBody])
        }
    }

    /// The first byte chooses the model (bits 0–1: regressor, binary or multiclass; bit 2: one feature or
    /// four) and the framing (bit 3: binary tensors, the header's length in the next two bytes, little-endian).
    static func inference(_ bytes: [UInt8]) {
        guard let mode = bytes.first else { return }
        let task = [ModelTask.regression, .binary, .multiclass, .multiclass][Int(mode & 3)]
        let featureNames = mode & 4 == 0 ? ["f0", "f1", "f2", "f3"] : ["f0"]
        let classes = task == .regression ? [] : task == .binary ? ["0", "1"] : ["a", "b", "c"]
        let schema = ModelSchema(
            format: .xgboostJSON, task: task, objective: "fuzz", featureNames: featureNames, classes: classes, treeCount: 1)
        var body = Array(bytes.dropFirst())
        var headerLength: Int?
        if mode & 8 != 0 {
            guard body.count >= 2 else { return }
            headerLength = Int(body[0]) | Int(body[1]) << 8
            body.removeFirst(2)
        }
        let maxRows = 1_000
        do {
            let request = try InferenceRequest(
                body: body, headerLength: headerLength, schema: schema, features: FeatureIndex(names: featureNames), limits: InputLimits(maxRows: maxRows, maxCells: 1 << 22))
            let matrix = request.matrix
            require(matrix.columns == featureNames.count, "\(matrix.columns) columns for \(featureNames.count) features")
            require((1...maxRows).contains(matrix.rows), "\(matrix.rows) rows accepted")
            require(matrix.values.count == matrix.rows * matrix.columns, "\(matrix.values.count) values for \(matrix.rows) rows")
            let names = request.outputs.map(\.name)
            require(Set(names).count == names.count, "an output asked twice was accepted: \(names)")
            require(Set(names).isSubset(of: InferenceRequest.outputNames(for: task)), "outputs \(names) for a \(task) model")
        } catch {
            requireCode(error, in: [.malformedBody, .invalidInput, .tooManyRows])
        }
    }

    /// Prediction One's body, then the CSV it carries as the call reads it: decoded for the model and, once
    /// accepted, read again as text cells that its answer indexes by row and header column.
    static func predictionOne(_ bytes: [UInt8]) {
        let request: PredictionOneRequest
        do {
            request = try PredictionOneRequest(bytes)
        } catch {
            requireCode(error, in: [.malformedBody, .invalidInput])
            return
        }
        ReaderTargets.csv(request.csv)
        guard
            let matrix = try? PredictionInput.decode(
                request.csv, mediaType: "text/csv", features: ReaderTargets.features, limits: ReaderTargets.limits)
        else { return }
        let records = try? CSVRecords.read(request.csv)
        require(records != nil, "an accepted CSV cannot be read as cells")
        require(records?.count == matrix.rows + 1, "\(records?.count ?? 0) records for a header and \(matrix.rows) rows")
        require(records?.allSatisfy { $0.count == records?.first?.count } == true, "records of different lengths")
    }
}
