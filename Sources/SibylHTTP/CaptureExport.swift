import HTTPTypes
import Hummingbird
import NIOCore
import SibylApp
import SibylCore

/// A page of captures as NDJSON (one object a line) or CSV (RFC 4180), each with its request and answer as
/// the texts they were; `Sibyl-Next` names where the next page starts (`after=`), when one follows.
public enum CaptureExport {
    public enum Format: String, Sendable {
        case ndjson, csv

        public init(_ text: String?) throws(SibylError) {
            guard let format = Format(rawValue: text ?? "ndjson") else { throw SibylError(.invalidInput, "format: expected ndjson or csv") }
            self = format
        }
    }

    static let fields = ["id", "time", "endpoint", "version", "key_id", "status", "media_type", "request", "answer"]

    public static func response(_ page: APIOperations.CapturePage, _ format: Format) -> Response {
        var text = format == .csv ? fields.joined(separator: ",") + "\r\n" : ""
        for capture in page.captures {
            let values: [String] = [
                capture.id, UTCDay.dateTime(fromEpochMilliseconds: capture.time), capture.endpoint.rawValue, String(capture.version),
                capture.keyID,
                String(capture.status), capture.mediaType, String(decoding: capture.request, as: UTF8.self),
                String(decoding: capture.answer, as: UTF8.self),
            ]
            switch format {
            case .ndjson:
                text += "{" + zip(fields, values).map { name, value in
                    "\"\(name)\":" + (name == "version" || name == "status" ? value : JSONText.quoted(value))
                }.joined(separator: ",") + "}\n"
            case .csv:
                text += values.map(csvField).joined(separator: ",") + "\r\n"
            }
        }
        var headers: HTTPFields = [.contentType: format == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson"]
        if let next = page.next { headers[.sibylNext] = next.text }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A field quoted when it holds a comma, a quote or a line break, its quotes doubled.
    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacing("\"", with: "\"\"") + "\""
    }
}

extension HTTPField.Name {
    /// Where the next page of captures starts: pass it as `after`.
    public static let sibylNext = Self("Sibyl-Next")!
}
