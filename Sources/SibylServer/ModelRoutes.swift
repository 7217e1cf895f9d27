import Hummingbird
import Logging
import NIOPosix
import SibylCore
import SibylRuntime
import SibylStore

/// Model upload, list, show and delete, under `/api/v1/projects/{project_id}/models`.
struct ModelRoutes {
    let platform: Platform
    let auth: Authenticator
    var store: Store { platform.store }

    func add(to router: Router<AppContext>) {
        let models = router.group("api/v1/projects/:project_id/models")
        models.post { request, context in try await upload(request, context) }
        models.get { request, context in
            let (_, project) = try await auth.project(request, context)
            return JSONAnswer(.ok, ListAnswer(try await store.models(projectID: project.id).map(ModelAnswer.init)))
        }
        models.get(":model_id") { request, context in
            JSONAnswer(.ok, ModelAnswer(try await model(request, context)))
        }
        models.delete(":model_id") { request, context in
            let model = try await model(request, context)
            guard try await store.deleteModel(projectID: model.projectID, id: model.id) else {
                throw SibylError(.notFound, "no such model")
            }
            platform.models.remove(model.id)
            return Response(status: .noContent)
        }
    }

    private func model(_ request: Request, _ context: AppContext) async throws -> Model {
        let (_, project) = try await auth.project(request, context)
        guard let id = context.parameters.get("model_id"), let model = try await store.model(projectID: project.id, id: id) else {
            throw SibylError(.notFound, "no such model")
        }
        return model
    }

    /// The file as the raw body (`?name=&format=`), or multipart with fields `name`, `format` and `file`.
    private func upload(_ request: Request, _ context: AppContext) async throws -> JSONAnswer<ModelAnswer> {
        let (_, project) = try await auth.project(request, context)
        let body = Array(buffer: try await JSONBody.collect(request, limit: platform.configuration.maxModelBytes))
        var name = request.uri.queryParameters.get("name")
        var formatText = request.uri.queryParameters.get("format")
        var file = body
        if let contentType = request.headers[.contentType], let boundary = Multipart.boundary(ofContentType: contentType) {
            let parts = try Multipart.parts(body, boundary: boundary)
            guard let part = parts["file"] else { throw SibylError(.invalidInput, "file: required") }
            file = part
            name = parts["name"].map { String(decoding: $0, as: UTF8.self) } ?? name
            formatText = parts["format"].map { String(decoding: $0, as: UTF8.self) } ?? formatText
        }
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
        let (upload, declared) = (file, format)
        let compiled = try await NIOThreadPool.singleton.runIfActive { try CompiledModel.load(upload, format: declared) }
        let model = Model(
            id: Identifier.make(Identifier.model), projectID: project.id, name: name, schema: compiled.schema,
            sha256: Secrets.sha256Hex(file), size: file.count, createdAt: WallClock.now())
        do {
            try platform.models.store(file, compiled: compiled, as: model.id)
        } catch {
            platform.logger.error("model file not written", metadata: ["error": "\(error)"])
            throw SibylError(.storageUnavailable, "the model file could not be written")
        }
        do {
            try await store.insertModel(model)
        } catch {
            platform.models.remove(model.id)
            throw error
        }
        return JSONAnswer(.created, ModelAnswer(model))
    }
}
