// Measures the memory compiling one uploaded model takes: the peak resident size while
// `CompiledModel.load` runs, above the resident size just before it (the file already in memory), in bytes
// and as a multiple of the file's size; and what the compiled model keeps of it. Prints one JSON object.
// Linux only (/proc, glibc). scripts/large-model.py makes files large enough to measure;
// bench/model-memory.sh runs both.
//
//   ModelMemory MODEL_FILE
import Foundation
import SibylCore
import SibylRuntime

/// The whole file, read straight into one array: no second copy raises the peak before the load.
func contents(of path: String) -> [UInt8] {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { fatalError("cannot open \(path)") }
    defer { close(descriptor) }
    let size = Int(lseek(descriptor, 0, SEEK_END))
    lseek(descriptor, 0, SEEK_SET)
    return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        while count < size {
            let got = read(descriptor, buffer.baseAddress! + count, size - count)
            guard got > 0 else { fatalError("cannot read \(path)") }
            count += got
        }
    }
}

/// The resident size now.
func residentBytes() -> Int {
    let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
    let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return pages * sysconf(Int32(_SC_PAGESIZE))
}

/// The resident size once malloc has given back the free pages it holds (glibc's `malloc_trim`): freed
/// memory may otherwise stay resident, and this tells what the compiled model itself keeps.
func trimmedResidentBytes() -> Int {
    typealias Trim = @convention(c) (Int) -> Int32
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
    return residentBytes()
}

/// The largest resident size so far (Linux counts it in KiB).
func peakBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: ModelMemory MODEL_FILE\n".utf8))
    exit(2)
}
let bytes = contents(of: arguments[1])
let before = residentBytes()
let start = ContinuousClock.now
let model = try CompiledModel.load(bytes, format: nil)
let elapsed = ContinuousClock.now - start
let extra = peakBytes() - before
let kept = trimmedResidentBytes() - before
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
print(
    "{\"file_bytes\": \(bytes.count), \"trees\": \(model.schema.treeCount), \"extra_peak_bytes\": \(extra), "
        + "\"factor\": \((Double(extra) / Double(bytes.count) * 100).rounded() / 100), \"kept_bytes\": \(kept), "
        + "\"seconds\": \(seconds)}")
withExtendedLifetime(model) {}
