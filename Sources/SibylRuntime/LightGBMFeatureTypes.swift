import SibylCore

/// What each feature of a LightGBM text model takes: a number, or a category.
///
/// A categorical feature's `feature_infos` entry lists the category codes seen in training (`-1:2:0:1`)
/// where a numeric one has its range (`[-4.1:4.5]`) or `none`. A model trained on a pandas frame also
/// ends with `pandas_categorical:`, the JSON list of each categorical column's categories in code order;
/// LightGBM's predict matches its lists, in order, to the frame's categorical columns, and Sibyl matches
/// them to the categorical features in column order. Where the counts differ (categorical features named
/// by hand beside pandas' own) the names cannot be placed, and the features take codes only.
enum LightGBMFeatureTypes {
    /// Reads the types from the header's `feature_infos` and, from the rest of the file, which `reader`
    /// reads to its end, the `pandas_categorical` line.
    static func read(_ header: LightGBMSection, reader: inout LightGBMTextReader) throws(SibylError) -> [FeatureType] {
        let infos = try header.elements("feature_infos")
        let categorical = infos.map { info in
            header.bytes[info].first != UInt8(ascii: "[") && !header.bytes[info].elementsEqual("none".utf8)
        }
        var types = categorical.map { $0 ? FeatureType.category([]) : .number }
        guard let names = try pandasCategorical(&reader) else { return types }
        let columns = categorical.indices.filter { categorical[$0] }
        guard names.count == columns.count else { return types }
        for (column, categories) in zip(columns, names) { types[column] = .category(categories) }
        return types
    }

    private static let prefix = "pandas_categorical:"

    /// The category names of `pandas_categorical`, or nil where the line is absent or `null`.
    private static func pandasCategorical(_ reader: inout LightGBMTextReader) throws(SibylError) -> [[String]]? {
        while let line = reader.nextLine() {
            guard reader.line(line, startsWith: prefix) else { continue }
            let json = Array(reader.bytes[(line.lowerBound + prefix.utf8.count)..<line.upperBound])
            do throws(SibylError) {
                let field = ModelField(root: try JSONValue.parse(json))
                if case .null = field.value { return nil }
                var lists: [[String]] = []
                for column in try field.elements() {
                    var names: [String] = []
                    for category in try column.elements() {
                        switch category.value {
                        case .string(let text): names.append(text)
                        case .number(let number): names.append(Int(exactly: number).map(String.init) ?? "\(number)")
                        // pandas writes a boolean category as Python's str() does.
                        case .bool(let flag): names.append(flag ? "True" : "False")
                        default: throw category.invalid("expected a category: a string, number or boolean")
                        }
                    }
                    lists.append(names)
                }
                return lists
            } catch {
                throw SibylError(.invalidModel, "pandas_categorical: \(error.message)")
            }
        }
        return nil
    }
}
