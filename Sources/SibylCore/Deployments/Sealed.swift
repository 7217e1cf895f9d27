/// A project's credentials for pulling deployments' images from a private registry; the password arrives
/// sealed (`Sealer`) and is stored so.
public struct SealedCredentials: Sendable, Equatable {
    public var projectID: Int
    public var name: String
    public var registryURL: String
    public var username: String
    public var sealedPassword: String

    public init(projectID: Int, name: String, registryURL: String, username: String, sealedPassword: String) {
        self.projectID = projectID
        self.name = name
        self.registryURL = registryURL
        self.username = username
        self.sealedPassword = sealedPassword
    }
}

/// A project's secret (an AWS IAM key pair) for deployments; its values arrive sealed.
public struct SealedSecret: Sendable, Equatable {
    public var projectID: Int
    public var name: String
    public var type: String
    public var sealedData: String

    public init(projectID: Int, name: String, type: String, sealedData: String) {
        self.projectID = projectID
        self.name = name
        self.type = type
        self.sealedData = sealedData
    }
}
