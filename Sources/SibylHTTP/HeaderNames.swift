import HTTPTypes

/// Headers every front end reads or writes.
extension HTTPField.Name {
    public static let xAPIKey = Self("X-Api-Key")!
    public static let xForwardedFor = Self("X-Forwarded-For")!
    public static let xForwardedProto = Self("X-Forwarded-Proto")!
    public static let xShouldRetry = Self("x-should-retry")!
}
