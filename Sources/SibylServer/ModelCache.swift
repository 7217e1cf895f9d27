import Foundation
import Logging
import NIOPosix
import SibylCore
import SibylRuntime
import Synchronization

/// Model files and their compiled forms. Files live under the data folder, named by model id only: nothing
/// is ever read from a path or URL a user gives.
final class ModelCache: Sendable {
    private let directory: URL
    private let compiled = Mutex<[String: CompiledModel]>([:])

    init(dataDirectory: String) throws {
        directory = URL(fileURLWithPath: dataDirectory).appendingPathComponent("models", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func fileURL(_ modelID: String) -> URL { directory.appendingPathComponent(modelID + ".model") }

    /// Writes the file atomically (a temporary file renamed into place) and keeps the compiled model.
    func store(_ bytes: [UInt8], compiled model: CompiledModel, as modelID: String) throws {
        try Data(bytes).write(to: fileURL(modelID), options: [.atomic])
        compiled.withLock { $0[modelID] = model }
    }

    /// The compiled model, reading and compiling its file the first time (on a pool thread: a large model
    /// takes a while); the file must match its checksum.
    func model(_ record: Model) async throws(SibylError) -> CompiledModel {
        if let model = compiled.withLock({ $0[record.id] }) { return model }
        let url = fileURL(record.id)
        let model: CompiledModel
        do {
            model = try await NIOThreadPool.singleton.runIfActive { () throws(SibylError) -> CompiledModel in
                guard let data = try? Data(contentsOf: url) else {
                    throw SibylError(.internalError, "the model file is missing")
                }
                let bytes = [UInt8](data)
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

    func remove(_ modelID: String) {
        compiled.withLock { _ = $0.removeValue(forKey: modelID) }
        try? FileManager.default.removeItem(at: fileURL(modelID))
    }
}
