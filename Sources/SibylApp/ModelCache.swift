import Foundation
import Logging
import NIOPosix
import SibylCore
import SibylRuntime
import SibylStore
import Synchronization

/// Model files and their compiled forms. The database holds every model file; a node keeps a copy of the
/// ones it has loaded under its data folder, named by model id only: nothing is ever read from a path or URL
/// a user gives.
public final class ModelCache: Sendable {
    private let directory: URL
    private let store: Store
    private let compiled = Mutex<[String: CompiledModel]>([:])

    public init(dataDirectory: String, store: Store) throws {
        directory = URL(fileURLWithPath: dataDirectory).appendingPathComponent("models", isDirectory: true)
        self.store = store
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Self.makePrivate(directory)
    }

    /// The folder 0700 and every file in it 0600, as `DataFolder` wants them: a folder an older version made
    /// readable by others is tightened at start.
    private static func makePrivate(_ directory: URL) throws {
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory.appendingPathComponent(name).path)
        }
    }

    private func fileURL(_ modelID: String) -> URL { directory.appendingPathComponent(modelID + ".model") }

    /// Writes the file atomically (a temporary file renamed into place) and keeps the compiled model.
    public func store(_ bytes: [UInt8], compiled model: CompiledModel, as modelID: String) throws {
        try write(bytes, to: fileURL(modelID))
        compiled.withLock { $0[modelID] = model }
    }

    /// An atomic write of a model file, 0600 whatever the process's umask (the folder is 0700 too).
    private func write(_ bytes: [UInt8], to url: URL) throws {
        try Data(bytes).write(to: url, options: [.atomic])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }

    /// The compiled model, reading and compiling its file the first time (on a pool thread: a large model
    /// takes a while); the file, from the folder or else from the database (a model uploaded through another
    /// node), must match its checksum.
    public func model(_ record: Model) async throws(SibylError) -> CompiledModel {
        if let model = compiled.withLock({ $0[record.id] }) { return model }
        let url = fileURL(record.id)
        var fetched: [UInt8]?
        if !FileManager.default.fileExists(atPath: url.path) {
            guard let file = try await store.modelFile(id: record.id) else {
                throw SibylError(.internalError, "the model file is missing")
            }
            fetched = file
            try? write(file, to: url)
        }
        let model: CompiledModel
        do {
            model = try await NIOThreadPool.singleton.runIfActive { [fetched] () throws(SibylError) -> CompiledModel in
                guard let bytes = fetched ?? (try? Data(contentsOf: url)).map({ [UInt8]($0) }) else {
                    throw SibylError(.internalError, "the model file is missing")
                }
                guard Secrets.sha256Hex(bytes) == record.sha256 else {
                    throw SibylError(.internalError, "the model file does not match its checksum")
                }
                return try CompiledModel.load(bytes, format: record.schema.format)
            }
        } catch let error as SibylError {
            throw error
        } catch {
            throw SibylError(.internalError, "the model could not be loaded")
        }
        compiled.withLock { $0[record.id] = model }
        return model
    }

    public func remove(_ modelID: String) {
        compiled.withLock { _ = $0.removeValue(forKey: modelID) }
        try? FileManager.default.removeItem(at: fileURL(modelID))
    }
}
