import NIOHTTP1
import SibylApp
import SibylServer

/// Sends a prediction input of any length as batches a node accepts, in order, each answer handed on as it
/// comes (so that the output streams).
///
/// A batch holds at most `rows` rows (the node's row limit, or the fewer it tells in `Sibyl-Max-Rows` for a
/// wide model) and at most `bytes` bytes of body (the node's body limit), both a node's defaults until it
/// says otherwise. A batch refused with 413 all the same (a node with lower limits) is sent again at the
/// row limit its answer tells, else at half its rows, down to one row; any other refusal ends the run.
struct PredictionBatches {
    var rows = ServerConfiguration().maxRowsPerRequest
    var bytes = ServerConfiguration().maxPredictBodyBytes

    /// `post` sends one body; `answered` gets each accepted answer and the rows sent so far.
    mutating func send(
        _ input: PredictionRows, _ post: ([UInt8]) async throws -> ServerAnswer,
        answered: (ServerAnswer, _ done: Int) throws -> Void
    ) async throws {
        var start = 0
        while start < input.count {
            let end = batchEnd(input, from: start)
            let answer = try await post(input.body(start..<end))
            let told = answer.headers.first(name: "Sibyl-Max-Rows").flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
            if let told { rows = told }
            if answer.status == 413, end - start > 1 {
                rows = min(rows, told.flatMap { $0 < end - start ? $0 : nil } ?? (end - start) / 2)
                continue
            }
            guard (200..<300).contains(answer.status) else { throw CLIError(answer) }
            try answered(answer, end)
            start = end
        }
    }

    /// The end of the batch from `start`: as many rows as both limits allow, and always at least one (a row
    /// too large alone is sent, for the node to refuse with its own error).
    func batchEnd(_ input: PredictionRows, from start: Int) -> Int {
        var end = start + 1
        var size = input.bodySize(start..<end)
        while end < input.count, end - start < rows {
            let next = size + input.growth(end)
            guard next <= bytes else { break }
            size = next
            end += 1
        }
        return end
    }
}
