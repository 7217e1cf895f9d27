import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP
import SibylWire

/// Model upload, list, show and delete, under `/api/v1/projects/{project_id}/models`. The rules live in
/// `ModelOperations`; this reads the request and answers JSON.
struct ModelRoutes: Sendable {
    let operations: ModelOperations
    let auth: Authenticator

    func add(to router: Router<AppContext>) {
        let models = router.projectGroup("api/v1/projects/:project_id/models", auth)
        models.post { request, context in try await upload(request, context) }
        models.get { request, context in
            let project = context.project
            return JSONAnswer(.ok, ListAnswer(try await operations.models(projectID: project.id).map(ModelAnswer.init)))
        }
        models.get(":model_id") { request, context in
            JSONAnswer(.ok, ModelAnswer(try await model(request, context)))
        }
        models.delete(":model_id") { request, context in
            try await operations.delete(try await model(request, context))
            return Response(status: .noContent)
        }
        addProfile(to: models)
    }

    func model(_ request: Request, _ context: ProjectContext) async throws -> Model {
        let project = context.project
        return try await operations.model(projectID: project.id, id: context.parameters.get("model_id"))
    }

    /// The file as the raw body (`?name=&format=`), or multipart with fields `name`, `format` and `file`,
    /// read once the upload has a slot.
    private func upload(_ request: Request, _ context: ProjectContext) async throws -> JSONAnswer<ModelAnswer> {
        let project = context.project
        let model = try await operations.upload(projectID: project.id) {
            let body = Array(buffer: try await JSONBody.collect(request, limit: operations.platform.configuration.maxModelBytes))
            var name = request.uri.queryParameters.get("name")
            var format = request.uri.queryParameters.get("format")
            var file = body
            if let contentType = request.headers[.contentType], let boundary = Multipart.boundary(ofContentType: contentType) {
                let parts = try Multipart.parts(body, boundary: boundary)
                guard let part = parts["file"] else { throw SibylError(.invalidInput, "file: required") }
                file = part
                name = parts["name"].map { String(decoding: $0, as: UTF8.self) } ?? name
                format = parts["format"].map { String(decoding: $0, as: UTF8.self) } ?? format
            }
            return (name, format, file)
        }
        return JSONAnswer(.created, ModelAnswer(model))
    }
}
