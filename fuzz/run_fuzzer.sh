#!/bin/sh
# run_fuzzer.sh <fuzzer binary> <seconds> <work dir> <seed dir> <regression dir>
#
# $FUZZ_SECONDS, when set, replaces <seconds> (`make fuzz FUZZ_SECONDS=600`).
# 1. Replays every input of <regression dir> (crashes found earlier, now
#    fixed) and of <seed dir> once: any crash fails.
# 2. Fuzzes for <seconds> (0: skip), starting from the seeds, the
#    regressions and what earlier runs added to <work dir>/corpus; new
#    interesting inputs go there, a crashing input to <work dir>/crash-*.
# Extra libFuzzer flags can come from $FUZZ_FLAGS (e.g. -jobs, -dict).
set -eu
bin=$1 seconds=${FUZZ_SECONDS:-$2} work=$3 seeds=$4 regressions=$5
name=$(basename "$bin")
mkdir -p "$work/corpus" "$seeds" "$regressions"
# Crashes must abort (UBSan included) and leaks must fail; -rss_limit_mb
# and -timeout turn runaway memory or time into findings too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"
common="-rss_limit_mb=2048 -timeout=30 -artifact_prefix=$work/"

echo "== $name: replaying $(ls "$regressions" | wc -l) regression and $(ls "$seeds" | wc -l) seed inputs"
# shellcheck disable=SC2086
"$bin" $common -runs=0 "$regressions" "$seeds" >"$work/replay.log" 2>&1 || {
  tail -n 60 "$work/replay.log"
  exit 1
}
[ "$seconds" -gt 0 ] || exit 0

echo "== $name: fuzzing for ${seconds}s"
# shellcheck disable=SC2086
if ! "$bin" $common -max_total_time="$seconds" -print_final_stats=1 \
    ${FUZZ_FLAGS:-} "$work/corpus" "$seeds" "$regressions" >"$work/fuzz.log" 2>&1; then
  tail -n 80 "$work/fuzz.log"
  echo "== $name: FAILED; the input is in $work/ (crash-*, leak-*, timeout-*, oom-*)"
  exit 1
fi
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb|new_units_added)' \
  "$work/fuzz.log" | sed "s/^/   $name /"
