import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// The Models pages: the project's models with the upload form, and a model's page with its "Details" and
/// "Create API" tabs (the Launch button and the "Start API creation" dialog of seed 000).
struct ConsoleModelPages {
    let console: Console

    struct ModelRow: Sendable {
        let id: String
        let name: String
        let format: String
        let task: String
        let features: Int
        let uploaded: String
    }

    struct FormatOption: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct ModelsView: Sendable {
        let projectID: Int
        let projectName: String
        let hasModels: Bool
        let models: [ModelRow]
        let formats: [FormatOption]
        let name: String
        let maxMegabytes: Int
        let uploadError: String?
    }

    struct Feature: Sendable {
        let position: Int
        let name: String
        let type: String
        /// The names a category takes (the first `shownCategories`, then how many in all), or how it is sent.
        let categories: String

        static let shownCategories = 20

        init(position: Int, name: String, type: FeatureType) {
            self.position = position
            self.name = name
            self.type = type.name
            let names = type.categories
            categories = switch (type.isCategory, names.count) {
            case (false, _) where type.wholeNumber == true: "whole numbers only (the model's input is an integer)"
            case (false, _): ""
            case (true, _) where type.takesAnyText == true: "any text (the model keeps hashes of its categories, not names)"
            case (true, 0): "sent as codes"
            case (true, ...Self.shownCategories): names.joined(separator: ", ")
            default: names.prefix(Self.shownCategories).joined(separator: ", ") + ", … (\(names.count) in all)"
            }
        }
    }

    struct APIRow: Sendable {
        let id: String
        let type: String
        let badge: StatusBadge
        let locked: Bool
        let created: String
    }

    struct ModelView: Sendable {
        let projectID: Int
        let id: String
        let name: String
        let format: String
        let task: String
        let objective: String
        let hasClasses: Bool
        let classes: String
        let trees: Int
        let size: String
        let sha256: String
        let uploaded: String
        let featureCount: Int
        let features: [Feature]
        let onDetails: Bool
        let onCreate: Bool
        let hasAPIs: Bool
        let apis: [APIRow]
        let launchOpen: Bool
        let launchError: String?
        let officialRefusal: String?
        /// Official is chosen only when asked for again after a refusal: trial is the default.
        let officialChecked: Bool
        let optionsInUse: Int
        let options: Int
        let trialLimit = PredictionAPI.trialRequestLimit
        /// The input profile's rows (drift's reference), nil without one, and why an upload was refused.
        let profileRows: Int?
        let profileError: String?
        let maxProfileMegabytes: Int
    }

    func add(to router: Router<AppContext>) {
        router.get("projects/:project_id/models") { request, context in
            try await console.page(request, context) { visit in try await list(visit, project: try await visit.project()) }
        }
        router.post("projects/:project_id/models") { request, context in
            try await console.action(request, context, bodyLimit: console.platform.configuration.maxModelBytes) { visit in
                let project = try await visit.project()
                return try await visit.refusing(to: "/projects/\(project.id)/models", form: "upload", keeping: ["name", "format"]) {
                    let model = try await console.models.upload(
                        projectID: project.id, name: visit.form.optional("name"), format: visit.form.optional("format"),
                        file: visit.form.files["file"] ?? [])
                    return try await visit.redirect(
                        to: "/projects/\(project.id)/models/\(model.id)", notice: "Model \(model.name) uploaded.")
                }
            }
        }
        router.get("projects/:project_id/models/:model_id") { request, context in
            try await console.page(request, context) { visit in
                try await show(visit, modelID: context.parameters.get("model_id"), createTab: false)
            }
        }
        router.get("projects/:project_id/models/:model_id/create-api") { request, context in
            try await console.page(request, context) { visit in
                try await show(
                    visit, modelID: context.parameters.get("model_id"), createTab: true,
                    launchOpen: request.uri.queryParameters.get("dialog") == "launch")
            }
        }
        router.post("projects/:project_id/models/:model_id/profile") { request, context in
            try await console.action(request, context, bodyLimit: console.platform.configuration.maxProfileBytes + (64 << 10)) { visit in
                let project = try await visit.project()
                let model = try await console.models.model(projectID: project.id, id: context.parameters.get("model_id"))
                return try await visit.refusing(to: "/projects/\(project.id)/models/\(model.id)#profile-title", form: "profile") {
                    guard let file = visit.form.files["file"], !file.isEmpty else { throw SibylError(.invalidInput, "file: choose a CSV file") }
                    let profile = try await console.models.setProfile(model) { file }
                    return try await visit.redirect(
                        to: "/projects/\(project.id)/models/\(model.id)#profile-title",
                        notice: "Profile of \(profile.rows) training rows kept; the rows themselves were not.")
                }
            }
        }
        router.post("projects/:project_id/models/:model_id/delete") { request, context in
            try await console.action(request, context) { visit in
                let project = try await visit.project()
                let model = try await console.models.model(projectID: project.id, id: context.parameters.get("model_id"))
                return try await visit.refusing(to: "/projects/\(project.id)/models/\(model.id)") {
                    try await console.models.delete(model)
                    return try await visit.redirect(to: "/projects/\(project.id)/models", notice: "Model \(model.name) deleted.")
                }
            }
        }
    }

    func list(_ visit: ConsoleVisit, project: Project) async throws -> Response {
        let models = try await console.models.models(projectID: project.id).reversed().map { model in
            ModelRow(
                id: model.id, name: model.name, format: ConsoleFormat.format(model.schema.format), task: model.schema.task.rawValue,
                features: model.schema.featureNames.count, uploaded: ConsoleFormat.dateTime(model.createdAt))
        }
        let format = visit.flash.field("format", of: "upload")
        let view = ModelsView(
            projectID: project.id, projectName: project.name, hasModels: !models.isEmpty, models: models,
            formats: ModelFormat.allCases.map {
                FormatOption(value: $0.rawValue, label: ConsoleFormat.format($0), selected: $0.rawValue == format)
            },
            name: visit.flash.field("name", of: "upload"), maxMegabytes: console.platform.configuration.maxModelBytes >> 20,
            uploadError: visit.flash.refused("upload")?.message)
        return try await visit.page("models", title: "Models", project: project, section: .models, body: view)
    }

    /// The model page on one of its tabs; a refused launch comes back here with its dialog open.
    func show(_ visit: ConsoleVisit, modelID: String?, createTab: Bool, launchOpen: Bool = false) async throws -> Response {
        let project = try await visit.project()
        let model = try await console.models.model(projectID: project.id, id: modelID)
        let apis = try await console.apis.records(projectID: project.id).filter { $0.api.modelID == model.id }.map { record in
            APIRow(
                id: record.api.id, type: record.api.kind.rawValue, badge: StatusBadge.api(record.api), locked: record.api.locked,
                created: ConsoleFormat.dateTime(record.api.createdAt))
        }
        let license = try await console.accounts.license()
        let schema = model.schema
        let launchError = visit.flash.refused("launch")
        let officialRefusal = try await console.accounts.officialAPIRefusal()
        let view = ModelView(
            projectID: project.id, id: model.id, name: model.name, format: ConsoleFormat.format(schema.format),
            task: schema.task.rawValue, objective: schema.objective, hasClasses: !schema.classes.isEmpty,
            classes: schema.classes.joined(separator: ", "), trees: schema.treeCount, size: ConsoleFormat.size(model.size),
            sha256: model.sha256, uploaded: ConsoleFormat.dateTime(model.createdAt), featureCount: schema.featureNames.count,
            features: schema.featureNames.indices.map {
                Feature(position: $0 + 1, name: schema.featureNames[$0], type: schema.type(ofFeature: $0))
            },
            onDetails: !createTab, onCreate: createTab, hasAPIs: !apis.isEmpty, apis: apis,
            launchOpen: launchOpen || launchError != nil, launchError: launchError?.message,
            officialRefusal: officialRefusal,
            officialChecked: officialRefusal == nil && visit.flash.field("type", of: "launch") == "official",
            optionsInUse: license.apiOptionsInUse, options: license.apiOptions,
            profileRows: try? await console.models.profile(model).rows, profileError: visit.flash.refused("profile")?.message,
            maxProfileMegabytes: console.platform.configuration.maxProfileBytes >> 20)
        return try await visit.page("model", title: model.name, project: project, section: .models, body: view)
    }
}
