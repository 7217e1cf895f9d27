import ArgumentParser
import Foundation
import NIOHTTP1

struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upload, list, show and delete models, and give them input profiles.", subcommands: [Push.self, List.self, Show.self, Remove.self, Profile.self])

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upload a model file (XGBoost JSON or UBJSON, LightGBM text, CatBoost JSON).")

        @Argument(help: "The model file.") var file: String
        @Option(help: "The model's name (default: the file's name without its extension).") var name: String?
        @Option(help: "xgboost-json, xgboost-ubj, lightgbm-text, catboost-json or onnx (default: told from the content).") var format: String?
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let data = try Files.read(file)
            let name = name ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            var query = "name=\(Query.escape(name))"
            if let format { query += "&format=\(Query.escape(format))" }
            let bar = ProgressBar("Uploading \(URL(fileURLWithPath: file).lastPathComponent)", total: data.count)
            let model = try await ServerClient(try Credentials.current()).call(
                .POST, "/api/v1/projects/\(project.project)/models?\(query)", body: data,
                contentType: "application/octet-stream", progress: { bar.update($0) }
            ).object
            if output.json { return Output.json(model) }
            Models.describe(model)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The project's models, newest first.")

        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let answer = try await ServerClient(try Credentials.current()).call(.GET, "/api/v1/projects/\(project.project)/models")
            // Newest first, as the console lists them (the server answers oldest first).
            let models = Array((answer.object["results"] as? [[String: Any]] ?? []).reversed())
            if output.json { return Output.json(["count": models.count, "results": models]) }
            Output.table(["id", "name", "format", "task", "features", "created"], models.map { model in
                [Output.text(model["model_id"]), Output.text(model["name"]), Output.text(model["format"]), Output.text(model["task"]),
                 "\((model["features"] as? [Any])?.count ?? 0)", Output.text(model["created_at"])]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One model: its schema and classes.")

        @Argument(help: "The model's id or name.") var model: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let id = try await Names(server: server).model(model, project)
            let answer = try await server.call(.GET, "/api/v1/projects/\(project.project)/models/\(Query.escape(id))")
            if output.json { return Output.json(answer.json) }
            Models.describe(answer.object)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a model no API keeps (as its current or an earlier version).")

        @Argument(help: "The model's id or name.") var model: String
        @OptionGroup var project: ProjectOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let server = ServerClient(try Credentials.current())
            let id = try await Names(server: server).model(model, project)
            try await server.call(.DELETE, "/api/v1/projects/\(project.project)/models/\(Query.escape(id))")
            Output.done(output, "Deleted model \(id).", json: ["deleted": id])
        }
    }

    static func describe(_ model: [String: Any]) {
        let features = (model["features"] as? [[String: Any]] ?? []).map(feature)
        Output.fields([
            ("id", Output.text(model["model_id"])), ("name", Output.text(model["name"])), ("format", Output.text(model["format"])),
            ("task", Output.text(model["task"])), ("objective", Output.text(model["objective"])),
            ("classes", Output.text(model["classes"])), ("features", "\(features.count): \(features.joined(separator: ", "))"),
            ("created", Output.text(model["created_at"])),
        ])
    }

    /// A feature as `models show` lists it: its name, and for a category the names it takes (the first 20).
    static func feature(_ feature: [String: Any]) -> String {
        let name = Output.text(feature["name"])
        guard feature["type"] as? String == "category" else { return name }
        // No list at all: the model takes any text (CatBoost keeps hashes of its categories, not names).
        guard let names = feature["categories"] as? [String] else { return "\(name) (category, any text)" }
        if names.isEmpty { return "\(name) (category, sent as codes)" }
        let shown = names.prefix(20).joined(separator: " | ") + (names.count > 20 ? " | … \(names.count) in all" : "")
        return "\(name) (category: \(shown))"
    }
}

enum Query {
    /// A path segment or query value, percent-encoded.
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
