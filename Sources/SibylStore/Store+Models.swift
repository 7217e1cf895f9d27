import Foundation
import SQLKit
import SibylCore

extension Store {
    /// Records a model with its file, in one transaction.
    public func insertModel(_ model: Model, file: [UInt8]) async throws(SibylError) {
        let schemaJSON = String(decoding: try! JSONEncoder().encode(model.schema), as: UTF8.self)
        try await run(transaction: true) { db in
            try await db.raw("""
                INSERT INTO models (id, project_id, name, format, task, schema_json, sha256, size, created_at)
                VALUES (\(bind: model.id), \(bind: model.projectID), \(bind: model.name), \(bind: model.schema.format.rawValue),
                  \(bind: model.schema.task.rawValue), \(bind: schemaJSON), \(bind: model.sha256), \(bind: model.size),
                  \(bind: model.createdAt))
                """).run()
            try await db.raw("INSERT INTO model_files (model_id, bytes) VALUES (\(bind: model.id), \(bind: Data(file)))").run()
            try await db.raw("INSERT INTO model_numbers (model_id) VALUES (\(bind: model.id))").run()
        }
    }

    /// The file of a model, as uploaded; nil when there is no such model.
    public func modelFile(id: String) async throws(SibylError) -> [UInt8]? {
        try await run { db in
            try await db.raw("SELECT bytes FROM model_files WHERE model_id = \(bind: id)").first()
                .map { [UInt8](try $0.decode(column: "bytes", as: Data.self)) }
        }
    }

    public func models(projectID: Int) async throws(SibylError) -> [Model] {
        try await run { db in
            try await db.raw("SELECT * FROM models WHERE project_id = \(bind: projectID) ORDER BY created_at, id").all()
                .map(Self.model)
        }
    }

    /// Every model of every project, for loading the ones that APIs serve at start-up.
    public func allModels() async throws(SibylError) -> [Model] {
        try await run { db in try await db.raw("SELECT * FROM models ORDER BY id").all().map(Self.model) }
    }

    public func model(projectID: Int, id: String) async throws(SibylError) -> Model? {
        try await run { db in
            try await db.raw("SELECT * FROM models WHERE project_id = \(bind: projectID) AND id = \(bind: id)").first()
                .map(Self.model)
        }
    }

    /// Deletes a model no API keeps, as its current or an earlier version (which could be made current
    /// again); a version keeping it makes this a conflict naming them.
    public func deleteModel(projectID: Int, id: String) async throws(SibylError) -> Bool {
        try await run(transaction: true) { db in
            let users = try await db.raw("""
                SELECT api_id, number FROM api_versions WHERE model_id = \(bind: id) ORDER BY api_id, number
                """).all().map { "API \(try $0.decode(column: "api_id", as: String.self)) v\(try $0.decode(column: "number", as: Int.self))" }
            guard users.isEmpty else {
                throw SibylError(
                    .conflict, "the model is kept by \(users.joined(separator: ", ")): delete those versions or the APIs first")
            }
            let found = try await db.raw("SELECT id FROM models WHERE project_id = \(bind: projectID) AND id = \(bind: id)")
                .first() != nil
            if found {
                try await db.raw("DELETE FROM model_files WHERE model_id = \(bind: id)").run()
                try await db.raw("DELETE FROM model_profiles WHERE model_id = \(bind: id)").run()
                try await db.raw("DELETE FROM models WHERE id = \(bind: id)").run()
            }
            return found
        }
    }

    private static func model(_ row: any SQLRow) throws -> Model {
        let schema = try JSONDecoder().decode(
            ModelSchema.self, from: Data(try row.decode(column: "schema_json", as: String.self).utf8))
        return Model(
            id: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: Int.self),
            name: try row.decode(column: "name", as: String.self), schema: schema,
            sha256: try row.decode(column: "sha256", as: String.self), size: try row.decode(column: "size", as: Int.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }
}
