import Foundation
import Testing

@testable import SibylContainers

/// The parts that need no engine: what is sent and how answers are read.
@Suite struct EngineParsingTests {
    @Test func endpoints() throws {
        #expect(try EngineEndpoint(parsing: "unix:///run/podman/podman.sock") == .unixSocket("/run/podman/podman.sock"))
        #expect(try EngineEndpoint(parsing: "tcp://127.0.0.1:2375") == .tcp(host: "127.0.0.1", port: 2375))
        #expect(try EngineEndpoint(parsing: "tcp://[::1]:2375") == .tcp(host: "::1", port: 2375))
        for bad in ["", "unix://relative.sock", "tcp://127.0.0.1", "tcp://:2375", "tcp://h:99999", "http://h:1"] {
            #expect(throws: EngineEndpointParseError.self) { try EngineEndpoint(parsing: bad) }
        }
        #expect(EngineEndpoint.unixSocket("/a b/p.sock").url("/v1.41/_ping") == "http+unix://%2Fa%20b%2Fp.sock/v1.41/_ping")
        #expect(EngineEndpoint.tcp(host: "::1", port: 2375).description == "tcp://[::1]:2375")
    }

    @Test func times() throws {
        let whole = try #require(EngineTime.parse("2026-11-26T11:51:46Z"))
        #expect(whole.timeIntervalSince1970 == 1_795_693_906)
        let nanos = try #require(EngineTime.parse("2026-11-26T11:51:46.642236893Z"))
        #expect(abs(nanos.timeIntervalSince1970 - 1_795_693_906.642236893) < 1e-6)
        #expect(EngineTime.parse("2026-11-26T12:51:46+01:00") == whole)
        #expect(EngineTime.parse("0001-01-01T00:00:00Z")!.timeIntervalSince1970 < 0)
        for bad in ["", "2026-11-26", "2026-11-26T11:51:46", "2026-13-26T11:51:46Z", "2026-11-26T11:51:46Zjunk"] {
            #expect(EngineTime.parse(bad) == nil)
        }
    }

    @Test func multiplexedLogs() {
        func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
            let payload = Array(text.utf8)
            return [stream, 0, 0, 0] + withUnsafeBytes(of: UInt32(payload.count).bigEndian, Array.init) + payload
        }
        let body = frame(1, "2026-11-26T11:51:46Z listening on 8080\n") + frame(2, "2026-11-26T11:51:47.5Z oops\n")
            + frame(1, "2026-11-26T11:51:48Z two\n2026-11-26T11:51:49Z lines\n") + frame(1, "continued\n")
        let lines = LogStream.lines(body)
        #expect(lines.map(\.message) == ["listening on 8080", "oops", "two", "lines", "continued"])
        #expect(lines.map(\.stream) == [.stdout, .stderr, .stdout, .stdout, .stdout])
        #expect(lines[1].time.timeIntervalSince1970 == 1_795_693_907.5)
        #expect(lines[4].time == lines[3].time)
    }

    @Test func rawLogsFromATTY() {
        let lines = LogStream.lines(Array("2026-11-26T11:51:46Z hello\r\nno time here\n".utf8))
        #expect(lines.map(\.message) == ["hello", "no time here"])
        #expect(lines.allSatisfy { $0.stream == .stdout })
    }

    @Test func truncatedFrameKeepsWhatArrived() {
        let lines = LogStream.lines([2, 0, 0, 0, 0, 0, 0, 100] + Array("2026-11-26T11:51:46Z cut sh".utf8))
        #expect(lines.map(\.message) == ["cut sh"] && lines.first?.stream == .stderr)
    }

    @Test func createBody() throws {
        let spec = ContainerSpec(
            name: "n", image: "img:1", command: ["/app", "--x"], environment: ["B": "2", "A": "1=1"], containerPort: 9000,
            labels: ["sibyl.deployment": "d1"], memoryBytes: 1 << 20, nanoCPUs: 250_000_000)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(CreateContainerBody(spec))) as? [String: Any]
        #expect(json?["Image"] as? String == "img:1")
        #expect(json?["Cmd"] as? [String] == ["/app", "--x"])
        #expect(json?["Env"] as? [String] == ["A=1=1", "B=2"])
        #expect(json?["Labels"] as? [String: String] == ["sibyl.deployment": "d1"])
        #expect((json?["ExposedPorts"] as? [String: Any])?.keys.sorted() == ["9000/tcp"])
        let host = try #require(json?["HostConfig"] as? [String: Any])
        #expect(host["Init"] as? Bool == true)
        #expect(host["Memory"] as? Int == 1 << 20 && host["NanoCpus"] as? Int == 250_000_000)
        #expect((host["RestartPolicy"] as? [String: String]) == ["Name": "no"])
        let bindings = (host["PortBindings"] as? [String: [[String: String]]])?["9000/tcp"]
        #expect(bindings == [["HostIp": "127.0.0.1", "HostPort": ""]])

        let bare = try JSONSerialization.jsonObject(
            with: JSONEncoder().encode(CreateContainerBody(ContainerSpec(name: "n", image: "i", containerPort: 80))))
        #expect((bare as? [String: Any])?["Cmd"] == nil)
    }

    @Test func imageReferences() {
        #expect(DockerEngine.split("nginx") == ("nginx", "latest"))
        #expect(DockerEngine.split("localhost:5000/team/app:v2") == ("localhost:5000/team/app", "v2"))
        #expect(DockerEngine.split("localhost:5000/team/app") == ("localhost:5000/team/app", "latest"))
        #expect(DockerEngine.split("app@sha256:abc") == ("app", "sha256:abc"))
    }

    @Test func cpuFractionOfTheLimit() throws {
        func reading(_ cpu: UInt64, at time: String, previous: (UInt64, String)? = nil) throws -> StatsWire {
            let pre = previous.map {
                #", "preread": "\#($0.1)", "precpu_stats": {"cpu_usage": {"total_usage": \#($0.0)}}"#
            } ?? ""
            let json = """
                {"read": "\(time)"\(pre), "cpu_stats": {"cpu_usage": {"total_usage": \(cpu)}, "online_cpus": 4},
                 "memory_stats": {"usage": 5000, "limit": 9000, "stats": {"inactive_file": 1000}}}
                """
            return try JSONDecoder().decode(StatsWire.self, from: Data(json.utf8))
        }
        let first = try reading(1_000_000_000, at: "2026-11-26T11:00:00Z")
        #expect(first.previousSample == nil)
        let second = try reading(1_250_000_000, at: "2026-11-26T11:00:00.5Z")
        let previous = try #require(first.sample)
        // 0.25 s of CPU in 0.5 s of wall time = half a CPU.
        #expect(second.stats(since: previous, cpuLimit: 0.5).cpuFraction == 1)
        #expect(second.stats(since: previous, cpuLimit: 2).cpuFraction == 0.25)
        #expect(second.stats(since: previous, cpuLimit: nil).cpuFraction == 0.125)  // of 4 online CPUs
        #expect(second.stats(since: previous, cpuLimit: nil).memoryBytes == 4000)
        #expect(second.stats(since: previous, cpuLimit: nil).memoryLimitBytes == 9000)

        let docker = try reading(
            3_000_000_000, at: "2026-11-26T11:00:01Z", previous: (1_000_000_000, "2026-11-26T11:00:00Z"))
        let dockerPrevious = try #require(docker.previousSample)
        #expect(docker.stats(since: dockerPrevious, cpuLimit: nil).cpuFraction == 0.5)
    }

    @Test func registryAuthHeader() throws {
        let header = RegistryAuth(username: "me", password: "p?>>", serverAddress: "ghcr.io").header
        #expect(!header.contains("+") && !header.contains("/"))
        let standard = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let decoded = try JSONSerialization.jsonObject(with: try #require(Data(base64Encoded: standard)))
        #expect(decoded as? [String: String] == ["username": "me", "password": "p?>>", "serveraddress": "ghcr.io"])
    }
}
