// bench-deps: strata_db
//
// WAL replay and shutdown-snapshot restart times. Writes N series x S
// samples (15 s apart, counter-like values) through the public API with the
// default options (zstd WAL, fsync interval) plus head chunks on disk
// (Options::head_chunks_on_disk) and closes the DB without a snapshot; then
// times DB::Open with the chunks from chunks_head/ (replaying only the WAL
// samples after them), the Close that writes the shutdown snapshot,
// DB::Open from that snapshot, and last DB::Open replaying the whole WAL
// (head chunks off, which removes chunks_head/).
//
// Usage: wal_replay_bench [series=1000000] [samples_per_series=480] [dir]
//                         [replay|snapshot]
// 1M series x 480 samples is 2 h of 15 s scrapes. With a 4th argument the
// data in `dir` is not written again: `replay` (or any other word) times
// only the full WAL replay (e.g. under perf), `mapped` only the open with
// head chunks, `snapshot` only the snapshot write (if `dir` has none) and
// the open from it, `write` only writes (the directory as a crash leaves
// it, to copy for repeated runs).
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

bool HasSnapshot(const std::string& dir) {
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("head_snapshot.") && !name.ends_with(".tmp"))
      return true;
  }
  return false;
}

// Times DB::Open and reports what it loaded; true if it holds
// `want_series` series and `want` samples. Closes the DB without timing (with a
// snapshot if the options say so).
bool TimeOpen(const strata::Options& options, const std::string& dir,
              const char* what, int64_t want_series, int64_t want) {
  auto start = std::chrono::steady_clock::now();
  auto db = strata::DB::Open(options, dir);
  const double seconds = Seconds(start);
  if (!db.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, db.status().ToString().c_str());
    return false;
  }
  const strata::ReplayReport& r = (*db)->replay_report();
  std::printf(
      "%s: %.2f s for %ld series, %ld samples (%.1fM samples/s), %ld WAL "
      "segments%s (%ld of its %ld chunks by reference); %ld chunks from "
      "chunks_head/ holding %ld WAL samples skipped\n",
      what, seconds, static_cast<long>(r.series), static_cast<long>(r.samples),
      r.samples / seconds / 1e6, static_cast<long>(r.segments),
      r.from_snapshot ? ", from the snapshot" : "",
      static_cast<long>(r.snapshot_chunk_refs),
      static_cast<long>(r.snapshot_chunks), static_cast<long>(r.mapped_chunks),
      static_cast<long>(r.samples_in_mapped_chunks));
  const bool ok =
      r.series == want_series && r.samples + r.samples_in_mapped_chunks == want;
  (void)(*db)->Close();
  return ok;
}

// Opens `dir` (replaying the WAL) and times the Close that writes the
// shutdown snapshot.
bool WriteSnapshot(const strata::Options& options, const std::string& dir) {
  auto db = strata::DB::Open(options, dir);
  if (!db.ok()) return false;
  auto start = std::chrono::steady_clock::now();
  const strata::Status st = (*db)->Close();
  const double seconds = Seconds(start);
  int64_t bytes = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().starts_with("head_snapshot."))
      bytes += DirBytes(e.path().string());
  }
  std::printf("close writing the snapshot: %.2f s, snapshot %.1f MiB\n",
              seconds, bytes / 1048576.0);
  return st.ok() && HasSnapshot(dir);
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
  options.snapshot_on_shutdown = false;
  options.head_chunks_on_disk = true;
  const std::string mode = argc > 4 ? argv[4] : "";
  const bool write = mode.empty() || mode == "write";
  if (write) {
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
  if (mode == "write") return 0;  // Keep the data as a crash left it.
  const int64_t want = series * samples;
  bool ok = true;
  if (write || mode == "mapped") {
    ok &= TimeOpen(options, dir, "replay with head chunks", series, want);
  }
  if (write || mode == "snapshot") {
    strata::Options snap = options;
    snap.snapshot_on_shutdown = true;
    if (!HasSnapshot(dir)) ok &= WriteSnapshot(snap, dir);
    ok &= TimeOpen(snap, dir, "open from snapshot", series, want);
  }
  if (mode != "snapshot" && mode != "mapped") {
    strata::Options full = options;
    full.head_chunks_on_disk = false;
    ok &= TimeOpen(full, dir, "full replay", series, want);
  }
  if (argc <= 3) std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}
