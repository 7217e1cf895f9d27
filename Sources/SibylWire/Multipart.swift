import Foundation
import SibylCore

/// A minimal `multipart/form-data` reader: the named parts of a body, each with its bytes.
///
/// Enough for a browser form or `curl -F` upload; parts are found by the boundary from the Content-Type.
public enum Multipart {
    public static func boundary(ofContentType contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: " ") }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("boundary=") {
            var value = parameter.dropFirst("boundary=".count)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return value.isEmpty ? nil : String(value)
        }
        return nil
    }

    /// The parts by field name; a body that is not well-formed multipart is a 400.
    public static func parts(_ body: [UInt8], boundary: String) throws(SibylError) -> [String: [UInt8]] {
        let delimiter = Array(("--" + boundary).utf8)
        var result: [String: [UInt8]] = [:]
        guard var start = find(delimiter, in: body, from: 0) else { throw malformed }
        while true {
            start += delimiter.count
            if body[start...].starts(with: Array("--".utf8)) { return result }
            guard body[start...].starts(with: [13, 10]) else { throw malformed }
            start += 2
            guard let headerEnd = find([13, 10, 13, 10], in: body, from: start),
                let next = find([13, 10] + delimiter, in: body, from: headerEnd + 4)
            else { throw malformed }
            let headers = String(decoding: body[start..<headerEnd], as: UTF8.self)
            if let name = fieldName(headers) { result[name] = Array(body[(headerEnd + 4)..<next]) }
            start = next + 2
        }
    }

    private static var malformed: SibylError { SibylError(.malformedBody, "the multipart body is not well-formed") }

    private static func fieldName(_ headers: String) -> String? {
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            guard let range = line.range(of: "name=\"") else { return nil }
            let rest = line[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set)
        return String(drop { scalars.contains($0) }.reversed().drop { scalars.contains($0) }.reversed())
    }
}
