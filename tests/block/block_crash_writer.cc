// Child process of block_crash_test: fills a head with the crash test's
// series, then writes blocks of it into argv[1] in a loop, printing each
// block's ULID once Write returned, until it is killed.
#include <cstdio>

#include "block/block_writer.h"
#include "block_test_util.h"
#include "head/head.h"
#include "head/head_appender.h"

namespace strata {
namespace {

int Main(const std::string& dir) {
  const testing::SeriesSamples data = testing::CrashTestSeries();
  Head head{HeadOptions{}};
  {
    std::vector<std::pair<int64_t, std::pair<const Labels*, double>>> all;
    for (const auto& [l, v] : data) {
      for (const testing::TV& s : v) all.push_back({s.t, {&l, s.v}});
    }
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return a.first < b.first;
    });
    HeadAppender app(&head, nullptr);
    for (const auto& [t, lv] : all) {
      if (!app.Append(*lv.first, t, lv.second).ok()) return 2;
    }
    if (!app.Commit().ok()) return 2;
  }
  // Small segments so that blocks have several chunk files.
  BlockWriterOptions options;
  options.chunks.segment_bytes = 64 << 10;
  BlockWriter writer(FileSystem::Default(), dir, options);
  const BlockReader* src = &head;
  for (;;) {
    auto meta =
        writer.Write({&src, 1}, testing::kCrashMinTime, testing::kCrashMaxTime);
    if (!meta.ok()) {
      std::fprintf(stderr, "%s\n", meta.status().ToString().c_str());
      return 1;
    }
    std::printf("%s\n", meta->ulid.ToString().c_str());
    std::fflush(stdout);
  }
}

}  // namespace
}  // namespace strata

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  return strata::Main(argv[1]);
}
