// bench-deps: strata_db
//
// WAL replay time. Writes N series x S samples (15 s apart, counter-like
// values) through the public API with the default options (zstd WAL,
// fsync interval), closes the DB, then times DB::Open, which replays the
// WAL into a fresh head.
//
// Usage: wal_replay_bench [series=1000000] [samples_per_series=480] [dir]
//                         [replay-only]
// 1M series x 480 samples is 2 h of 15 s scrapes. With a 4th argument the
// WAL already in `dir` is replayed without writing (e.g. under perf).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "strata/db.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

int64_t DirBytes(const std::string& dir) {
  int64_t total = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += static_cast<int64_t>(e.file_size());
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t series = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const int64_t samples = argc > 2 ? std::atoll(argv[2]) : 480;
  std::string dir;
  if (argc > 3) {
    dir = argv[3];
    std::filesystem::create_directories(dir);
  } else {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "strata-replay-XXXXXX")
            .string();
    dir = mkdtemp(tmpl.data());
  }
  strata::Options options;
  const bool replay_only = argc > 4;
  if (!replay_only) {
    auto db = strata::DB::Open(options, dir);
    if (!db.ok()) {
      std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
      return 1;
    }
    auto start = std::chrono::steady_clock::now();
    std::vector<strata::SeriesRef> refs(series);
    auto app = (*db)->NewAppender();
    for (int64_t i = 0; i < series; ++i) {
      auto l = strata::Labels::Of(
          {{"__name__", "replay_metric_total"},
           {"instance", "host-" + std::to_string(i / 100) + ":9100"},
           {"job", "node"},
           {"series", std::to_string(i % 100)}});
      refs[i] = *app->Append(l, 0, 0);
      if (i % 5000 == 4999) (void)app->Commit();
    }
    (void)app->Commit();
    for (int64_t k = 1; k < samples; ++k) {
      for (int64_t i = 0; i < series; ++i) {
        (void)app->Append(refs[i], k * 15000,
                          static_cast<double>(k * (i % 13 + 1)));
        if (i % 5000 == 4999) (void)app->Commit();
      }
      (void)app->Commit();
    }
    std::printf(
        "wrote %ld series x %ld samples in %.1f s (%.2fM samples/s); WAL %.1f "
        "MiB\n",
        static_cast<long>(series), static_cast<long>(samples), Seconds(start),
        series * samples / Seconds(start) / 1e6, DirBytes(dir) / 1048576.0);
    (void)(*db)->Close();
  }
  auto start = std::chrono::steady_clock::now();
  auto db = strata::DB::Open(options, dir);
  const double replay = Seconds(start);
  if (!db.ok()) {
    std::fprintf(stderr, "reopen: %s\n", db.status().ToString().c_str());
    return 1;
  }
  const strata::ReplayReport& r = (*db)->replay_report();
  std::printf(
      "replay: %.2f s for %ld series, %ld samples (%.1fM samples/s), %ld "
      "segments\n",
      replay, static_cast<long>(r.series), static_cast<long>(r.samples),
      r.samples / replay / 1e6, static_cast<long>(r.segments));
  (void)(*db)->Close();
  if (argc <= 3) std::filesystem::remove_all(dir);
  return r.samples == series * samples ? 0 : 1;
}
