import Logging
import NIOPosix
import SibylCore
import SibylRuntime
import SibylStore
import Synchronization

/// Model upload, lookup and delete, with their rules and errors, for the JSON routes and the console alike.
public struct ModelOperations: Sendable {
    public let platform: Platform
    /// The uploads this node is reading and compiling.
    public let uploads: UploadSlots
    public var store: Store { platform.store }

    public init(platform: Platform) {
        self.platform = platform
        uploads = UploadSlots(limit: platform.configuration.modelUploadConcurrency)
    }

    public func model(projectID: Int, id: String?) async throws(SibylError) -> Model {
        guard let id, let model = try await store.model(projectID: projectID, id: id) else {
            throw SibylError(.notFound, "no such model")
        }
        return model
    }

    /// The model, or nil when the project has none with this id (an API's model that was deleted since).
    public func find(projectID: Int, id: String) async throws(SibylError) -> Model? {
        try await store.model(projectID: projectID, id: id)
    }

    /// The project's models, oldest first.
    public func models(projectID: Int) async throws(SibylError) -> [Model] {
        try await store.models(projectID: projectID)
    }

    /// Prediction One's model numbers of the project's models, by model id.
    public func numbers(projectID: Int) async throws(SibylError) -> [String: Int] {
        try await store.modelNumbers(projectID: projectID)
    }

    /// Validates and compiles an uploaded file, keeps it and records the model, in one of the node's upload
    /// slots. `format` is a format name (`ModelFormat`); without it the format is told from the content.
    public func upload(projectID: Int, name: String?, format: String?, file: [UInt8]) async throws -> Model {
        try await upload(projectID: projectID) { (name, format, file) }
    }

    /// `upload` of what `read` reads (the request's body, say), in one of the node's upload slots from
    /// before the read to the end: the file and its compilation are in memory at most
    /// `modelUploadConcurrency` times at once.
    public func upload(
        projectID: Int, reading read: () async throws -> (name: String?, format: String?, file: [UInt8])
    ) async throws -> Model {
        try await uploads.run {
            let (name, format, file) = try await read()
            return try await keep(projectID: projectID, name: name, format: format, file: file)
        }
    }

    private func keep(projectID: Int, name: String?, format formatText: String?, file: [UInt8]) async throws -> Model {
        guard let name else { throw SibylError(.invalidInput, "name: required") }
        try Model.validate(name: name)
        var format: ModelFormat?
        if let formatText {
            guard let value = ModelFormat(rawValue: formatText) else {
                throw SibylError(
                    .invalidInput, "format: expected one of \(ModelFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            format = value
        }
        guard !file.isEmpty else { throw SibylError(.invalidModel, "the model file is empty") }
        // Compiling a large model takes a while: off the event loops.
        let (upload, declared, maxFeatures) = (file, format, platform.configuration.maxModelFeatures)
        let compiled = try await NIOThreadPool.singleton.runIfActive {
            try CompiledModel.load(upload, format: declared, maxFeatures: maxFeatures)
        }
        let model = Model(
            id: Identifier.make(Identifier.model), projectID: projectID, name: name, schema: compiled.schema,
            sha256: Secrets.sha256Hex(file), size: file.count, createdAt: store.clock.now())
        do {
            try platform.models.store(file, compiled: compiled, as: model.id)
        } catch {
            platform.logger.error("model file not written", metadata: ["error": "\(error)"])
            throw SibylError(.storageUnavailable, "the model file could not be written")
        }
        do {
            try await store.insertModel(model, file: file)
        } catch {
            platform.models.remove(model.id)
            throw error
        }
        return model
    }

    /// Deletes a model no API uses.
    public func delete(_ model: Model) async throws(SibylError) {
        guard try await store.deleteModel(projectID: model.projectID, id: model.id) else {
            throw SibylError(.notFound, "no such model")
        }
        platform.models.remove(model.id)
    }
}

/// At most `limit` model uploads at once on this node; one more is refused at once with 503 `overloaded`
/// rather than queued, so that waiting uploads hold neither memory nor connections.
public final class UploadSlots: Sendable {
    public let limit: Int
    private let taken = Atomic(0)

    public init(limit: Int) {
        self.limit = limit
    }

    public func run<R>(_ body: () async throws -> R) async throws -> R {
        guard taken.add(1, ordering: .relaxed).newValue <= limit else {
            taken.subtract(1, ordering: .relaxed)
            throw SibylError(.overloaded, "\(limit) model uploads are in progress on this node: retry shortly")
        }
        defer { taken.subtract(1, ordering: .relaxed) }
        return try await body()
    }
}
