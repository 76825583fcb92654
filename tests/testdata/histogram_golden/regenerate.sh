#!/bin/sh
# Re-records chunks/000001: the histogram chunks Prometheus 2.42 writes for
# the series of tests/chunk/histogram_test_data.h. Runs the live golden
# test (which starts `prometheus` from PATH on a free loopback port with
# native histograms, remote-writes the series, takes a snapshot and checks
# it against Strata) and copies the snapshot's chunk segment here.
#   usage: tests/testdata/histogram_golden/regenerate.sh [build-dir]
set -eu
src=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$src/build}
prometheus --version 2>&1 | head -1
cmake --build "$build" --target chunk_histogram_golden_test
STRATA_SOURCE_DIR=$src STRATA_UPDATE_HISTOGRAM_GOLDEN=1 \
  "$build/tests/chunk/chunk_histogram_golden_test" \
  --gtest_filter=HistogramGoldenTest.LivePrometheus
ls -l "$src/tests/testdata/histogram_golden/chunks/000001"
