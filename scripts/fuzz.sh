#!/usr/bin/env bash
# Fuzzes the parsers of untrusted bytes: scripts/fuzz.sh [SECONDS] [TARGET…] (default: 30 s each, every
# target; `.build-fuzz/debug/sibyl-fuzz --list` names them).
#
# Builds Fuzz/SibylFuzz with libFuzzer and AddressSanitizer in .build-fuzz, then runs each target from its
# seeds (Fuzz/Corpus/<target>) and past crashes (Fuzz/Crashes/<target>), growing a working corpus in
# .build-fuzz/corpus/<target>. A crash, leak, timeout (an input over 10 s), a single allocation over 128 MiB
# (inputs are at most 16 KiB: nothing may be sized by a declared number alone) or memory use over 2 GiB stops
# that target and leaves the input in .build-fuzz/artifacts/<target>/; the script exits non-zero if any target
# found one. To keep a crash as a regression test, copy its input to Fuzz/Crashes/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift $(( $# > 0 ? 1 : 0 ))
scratch=.build-fuzz
build=(swift build --product sibyl-fuzz --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address)
started=$(date +%s)
SIBYL_FUZZ=1 "${build[@]}"
binary="$(SIBYL_FUZZ=1 "${build[@]}" --show-bin-path)/sibyl-fuzz"
echo "fuzz: built in $(( $(date +%s) - started )) s"

declare -A max_len
while read -r name length; do max_len[$name]=$length; done < <("$binary" --list)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($("$binary" --list | cut -d' ' -f1))

# Swift's own crash backtracer would run inside ASan's handler: let libFuzzer report instead.
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1
failed=()
for target in "${targets[@]}"; do
  [ -n "${max_len[$target]:-}" ] || { echo "fuzz: no target named $target" >&2; exit 2; }
  corpus=$scratch/corpus/$target artifacts=$scratch/artifacts/$target log=$scratch/logs/$target.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  seeds=(Fuzz/Corpus/"$target")
  [ -d Fuzz/Crashes/"$target" ] && seeds+=(Fuzz/Crashes/"$target")
  status=0
  "$binary" "$target" -max_total_time="$seconds" -max_len="${max_len[$target]}" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=128 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "$corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  echo "fuzz: $target: ${runs:-?} runs, ${speed:-?}/s, ${coverage:-cov: ?}, status $status"
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    grep -E '^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*property broken)' "$log" | head -5 || true
    echo "fuzz: $target: see $log and $artifacts/" >&2
  fi
done
echo "fuzz: done in $(( $(date +%s) - started )) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
