import SibylCore
import Testing

/// Image references as the distribution project's grammar reads them: the host decides whose credentials a
/// pull carries, so it must be read exactly as the engine will.
struct ImageReferenceTests {
    @Test(arguments: [
        ("nginx", "docker.io", "library/nginx", nil, "docker.io/library/nginx:latest"),
        ("nginx:1.25", "docker.io", "library/nginx", "1.25", "docker.io/library/nginx:1.25"),
        ("team/app", "docker.io", "team/app", nil, "docker.io/team/app:latest"),
        ("index.docker.io/team/app:2", "docker.io", "team/app", "2", "docker.io/team/app:2"),
        ("Registry.Example.com:5000/a/b_c/d--e:v1.0-rc", "registry.example.com:5000", "a/b_c/d--e", "v1.0-rc",
         "registry.example.com:5000/a/b_c/d--e:v1.0-rc"),
        ("localhost/sibyl-test-echo:latest", "localhost", "sibyl-test-echo", "latest", "localhost/sibyl-test-echo:latest"),
        ("[::1]:5000/app", "[::1]:5000", "app", nil, "[::1]:5000/app:latest"),
    ] as [(String, String, String, String?, String)])
    func readsHostPathAndTag(_ text: String, host: String, path: String, tag: String?, full: String) throws {
        let reference = try ImageReference(text)
        #expect(reference.host == host && reference.path == path && reference.tag == tag)
        #expect(reference.description == full)
    }

    @Test func aDigestPinsTheImage() throws {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let reference = try ImageReference("ghcr.io/team/app@" + digest)
        #expect(reference.host == "ghcr.io" && reference.tag == nil && reference.digest == digest)
        #expect(reference.description == "ghcr.io/team/app@" + digest)
    }

    @Test(arguments: [
        "", "team/UPPER", "-leading/dash", "trailing-/x", "a//b", "host..name/x", "name:tag:more", "app:.dot",
        "evil.example/x@sha256:123", "x@md5", "bad host/x", "a/b:" + String(repeating: "t", count: 129),
        String(repeating: "a", count: 256), "host:99999999/x", "[zz::1]/x",
    ])
    func refusesWhatTheGrammarDoesNot(_ text: String) {
        #expect(throws: SibylError.self) { try ImageReference(text) }
        let message = (try? ImageReference(text)).map { _ in "" } ?? Self.message(text)
        #expect(message.hasPrefix("image:"), "\(text): \(message)")
    }

    @Test func credentialsNameTheirRegistryHostTheWayReferencesDo() {
        #expect(ImageReference.registryHost("https://index.docker.io/v1/") == "docker.io")
        #expect(ImageReference.registryHost("https://Registry.Example.com:5000/") == "registry.example.com:5000")
        #expect(ImageReference.registryHost("ghcr.io") == "ghcr.io")
        #expect(ImageReference.registryHost("http://127.0.0.1:5099") == "127.0.0.1:5099")
    }

    private static func message(_ text: String) -> String {
        do {
            _ = try ImageReference(text)
            return ""
        } catch {
            return error.message
        }
    }
}
