// Helpers shared by the block tests: temp dirs, the shared dataset, samples
// and running commands (promtool).
#ifndef STRATA_TESTS_BLOCK_BLOCK_TEST_UTIL_H_
#define STRATA_TESTS_BLOCK_BLOCK_TEST_UTIL_H_

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "run_command.h"
#include "strata/labels.h"
#include "temp_dir.h"
#include "test_env.h"
#include "util/coding.h"

namespace strata::testing {

inline std::string DatasetDir() {
  return SharedDir() + "/datasets/recorded-15s";
}

// A sample; values compare by bits so NaNs (staleness markers) match.
struct TV {
  int64_t t;
  double v;
  friend bool operator==(const TV& a, const TV& b) {
    return a.t == b.t && DoubleBits(a.v) == DoubleBits(b.v);
  }
};
inline std::ostream& operator<<(std::ostream& os, const TV& s) {
  return os << "{" << s.t << ", " << s.v << "}";
}

using SeriesSamples = std::map<Labels, std::vector<TV>>;

// Synthetic series: `n` series of job/instance labels, one sample every
// `step` ms in [start, end), values a mix of counters and gauges.
inline SeriesSamples MakeSeries(int n, int64_t start, int64_t end, int64_t step,
                                uint32_t seed = 1) {
  SeriesSamples out;
  for (int i = 0; i < n; ++i) {
    Labels l = Labels::Of({{"__name__", i % 3 == 0 ? "up" : "requests_total"},
                           {"instance", "host-" + std::to_string(i)},
                           {"job", i % 2 == 0 ? "node" : "app"}});
    auto& v = out[l];
    double value = i;
    uint32_t x = seed * 2654435761u + static_cast<uint32_t>(i);
    for (int64_t t = start; t < end; t += step) {
      x = x * 1664525u + 1013904223u;
      value += (i % 3 == 0) ? 0 : static_cast<double>(x % 1000) / 10.0;
      v.push_back({t + static_cast<int64_t>(x % 7), value});
    }
  }
  return out;
}

// What block_crash_writer writes, block after block.
inline constexpr int64_t kCrashMinTime = 0;
inline constexpr int64_t kCrashMaxTime = 2 * 3600 * 1000;
inline SeriesSamples CrashTestSeries() {
  return MakeSeries(200, kCrashMinTime, kCrashMaxTime, 15000, 3);
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_BLOCK_BLOCK_TEST_UTIL_H_
