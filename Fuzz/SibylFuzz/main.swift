// libFuzzer's driver for Sibyl's fuzz targets: `sibyl-fuzz TARGET [libFuzzer options] [corpus…]`, or
// `sibyl-fuzz --list`.
//
// Built only with `SIBYL_FUZZ=1` and `-sanitize=fuzzer,address` (see scripts/fuzz.sh): SwiftPM gives an
// executable its own `main`, so this one hands the command line, less the target's name, to libFuzzer.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SibylFuzzTargets

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

nonisolated(unsafe) var target: FuzzTarget?

/// libFuzzer's own `main` (linked in, unused) names this entry point; both run the chosen target.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    target?.run(count == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: count)))
    return 0
}

let arguments = CommandLine.arguments
// `--list`: each target and its -max_len, for scripts/fuzz.sh.
if arguments.dropFirst().first == "--list" {
    for target in FuzzTarget.all { print(target.name, target.maxLength) }
    exit(0)
}
// The target is the first argument, or `SIBYL_FUZZ_TARGET` (which libFuzzer's re-runs of itself inherit).
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
if arguments.count >= 2, let chosen = FuzzTarget.named(arguments[1]) {
    target = chosen
    setenv("SIBYL_FUZZ_TARGET", chosen.name, 1)
    // libFuzzer reads argv[0] and then its options: drop the target's name between them.
    argv[1] = argv[0]
    argv += 1
    argc -= 1
} else if let name = getenv("SIBYL_FUZZ_TARGET") {
    target = FuzzTarget.named(String(cString: name))
}
guard target != nil else {
    let names = FuzzTarget.all.map(\.name).joined(separator: " ")
    print("usage: \(arguments.first ?? "sibyl-fuzz") TARGET [libFuzzer options] [corpus…]\ntargets: \(names)")
    exit(2)
}
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
