import Hummingbird
import SibylApp

extension UsageCounter {
    /// Runs a data-plane call and counts its answer under `apiID` by final status: the status of the error
    /// it throws, or 500 for an error that has none.
    public func counting(_ apiID: String, _ body: () async throws -> Response) async throws -> Response {
        do {
            let response = try await body()
            record(apiID: apiID, status: Int(response.status.code))
            return response
        } catch let error as any HTTPResponseError {
            record(apiID: apiID, status: Int(error.status.code))
            throw error
        } catch {
            record(apiID: apiID, status: 500)
            throw error
        }
    }
}
