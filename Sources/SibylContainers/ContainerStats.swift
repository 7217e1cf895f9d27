import Foundation

/// A container's resource use at one moment.
public struct ContainerStats: Sendable, Equatable {
    /// CPU used over the sampling interval as a fraction (0...1) of the container's CPU limit, or of
    /// all host CPUs when it has none.
    public let cpuFraction: Double
    /// Memory in use, without the reclaimable page cache (as `docker stats` shows it).
    public let memoryBytes: Int
    /// The container's memory limit; the host's memory when it has none.
    public let memoryLimitBytes: Int

    public init(cpuFraction: Double, memoryBytes: Int, memoryLimitBytes: Int) {
        self.cpuFraction = cpuFraction
        self.memoryBytes = memoryBytes
        self.memoryLimitBytes = memoryLimitBytes
    }
}

/// `GET /containers/{id}/stats?stream=false`.
struct StatsWire: Decodable {
    struct CPU: Decodable {
        struct Usage: Decodable {
            let total: UInt64
            enum CodingKeys: String, CodingKey { case total = "total_usage" }
        }
        let usage: Usage
        let onlineCPUs: Int?
        enum CodingKeys: String, CodingKey { case usage = "cpu_usage", onlineCPUs = "online_cpus" }
    }
    struct Memory: Decodable {
        let usage: Int?
        let limit: Int?
        let stats: [String: UInt64]?
    }

    let read: String
    let preread: String?
    let cpu: CPU
    let precpu: CPU?
    let memory: Memory

    enum CodingKeys: String, CodingKey {
        case read, preread, cpu = "cpu_stats", precpu = "precpu_stats", memory = "memory_stats"
    }

    /// CPU time so far and when it was read.
    struct Sample {
        let cpuNanoseconds: UInt64
        let time: Date
    }

    var sample: Sample? { EngineTime.parse(read).map { Sample(cpuNanoseconds: cpu.usage.total, time: $0) } }

    /// Docker fills in the previous reading; podman 4.3 leaves it empty (Go's zero time), so the
    /// engine then has to take a second reading itself.
    var previousSample: Sample? {
        guard let precpu, let preread, let time = EngineTime.parse(preread), time.timeIntervalSince1970 > 0 else {
            return nil
        }
        return Sample(cpuNanoseconds: precpu.usage.total, time: time)
    }

    /// `cpuLimit` in CPUs, nil when unlimited. Wall-clock time between the readings is the
    /// denominator: the engine's system_cpu_usage comes from /proc/stat, in 10 ms ticks.
    func stats(since previous: Sample, cpuLimit: Double?) -> ContainerStats {
        let cpus = cpuLimit ?? Double(cpu.onlineCPUs ?? ProcessInfo.processInfo.activeProcessorCount)
        let elapsed = (sample?.time ?? previous.time).timeIntervalSince(previous.time)
        let used = Double(cpu.usage.total - min(cpu.usage.total, previous.cpuNanoseconds)) / 1e9
        let fraction = elapsed > 0 && cpus > 0 ? min(1, used / elapsed / cpus) : 0
        // Page cache counts towards usage but the kernel reclaims it before any OOM kill.
        let cache = Int(clamping: memory.stats?["inactive_file"] ?? memory.stats?["total_inactive_file"] ?? 0)
        let usage = memory.usage ?? 0
        return ContainerStats(
            cpuFraction: fraction, memoryBytes: usage > cache ? usage - cache : usage,
            memoryLimitBytes: memory.limit ?? 0)
    }
}
