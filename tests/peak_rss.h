// The test process's resident size, from /proc/self/status, for tests that
// bound how much memory an operation takes:
//
//   ASSERT_TRUE(ResetPeakRss());
//   const int64_t before = CurrentRssBytes();
//   ... run it ...
//   EXPECT_LT(PeakRssBytes() - before, 200 << 20);
//
// Linux only (clear_refs resets VmHWM since 4.0).
#ifndef STRATA_TESTS_PEAK_RSS_H_
#define STRATA_TESTS_PEAK_RSS_H_

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

namespace strata::testing {

// A "<field>: <n> kB" line of /proc/self/status in bytes; -1 if absent.
inline int64_t ProcStatusBytes(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > field.size() &&
        line.compare(0, field.size(), field) == 0 &&
        line[field.size()] == ':') {
      return std::stoll(line.substr(field.size() + 1)) * 1024;
    }
  }
  return -1;
}

inline int64_t CurrentRssBytes() { return ProcStatusBytes("VmRSS"); }
inline int64_t PeakRssBytes() { return ProcStatusBytes("VmHWM"); }

// Resets the peak (VmHWM) to the current resident size.
inline bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return out.good();
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_PEAK_RSS_H_
