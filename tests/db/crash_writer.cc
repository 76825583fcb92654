// Child process of db_crash_test: appends batches with fsync `always` from
// two threads and prints "<thread> <batch>" on stdout after each Commit
// returns OK, until it is killed.
//
// Usage: crash_writer DIR [STEP_MS [COMPACT [RETENTION_MS [CLOSE_EVERY
//        [HEAD_CHUNKS]]]]].
// With COMPACT=1 a second thread persists the head, compacts, applies
// retention (RETENTION_MS, default 0: none) and snapshots in a loop, so
// kills land inside block writes, WAL checkpoints and snapshots too. With
// CLOSE_EVERY=n > 0 one thread writes and closes the DB cleanly after every
// n-th batch (writing the shutdown snapshot) and reopens it (loading it),
// so kills land inside shutdown snapshot writes and loads. With
// HEAD_CHUNKS=1 completed head chunks go to chunks_head/
// (Options::head_chunks_on_disk), so kills land inside head-chunk writes,
// file cuts and removals, and opens load them.
//
// Batch b of thread k holds, at t = b * STEP_MS, the samples
//   crash{thread="k", s="i"} = b * 100 + i   for i in [0, kSeries)
// and every 10th batch one new series crash_new{thread="k", b="<b>"} = b.
// Thread 0 appends by labels, thread 1 with Appender::AppendBatch by ref.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "strata/db.h"

namespace {

constexpr int kSeries = 20;
int64_t g_step_ms = 1000;

void Emit(int thread, int64_t batch) {
  char line[64];
  int n = std::snprintf(line, sizeof(line), "%d %ld\n", thread,
                        static_cast<long>(batch));
  // One write(2) per line, so a kill never leaves half a line.
  if (::write(STDOUT_FILENO, line, n) != n) std::_Exit(3);
}

strata::Labels SeriesLabels(const std::string& k, int i) {
  return strata::Labels::Of(
      {{"__name__", "crash"}, {"thread", k}, {"s", std::to_string(i)}});
}

// Appends batch b's kSeries samples one at a time by labels.
void AppendByLabels(strata::Appender& app, const std::string& k, int64_t b) {
  const int64_t t = b * g_step_ms;
  for (int i = 0; i < kSeries; ++i) {
    if (!app.Append(SeriesLabels(k, i), t, static_cast<double>(b * 100 + i))
             .ok())
      std::_Exit(4);
  }
}

// Appends batch b's kSeries samples with Appender::AppendBatch by ref; a
// ref that is unknown (0 at first, or garbage collected) is resolved by
// labels and kept for the next batch.
void AppendByRefBatch(strata::Appender& app, const std::string& k, int64_t b,
                      std::vector<strata::SeriesRef>* refs) {
  std::vector<int64_t> ts(kSeries, b * g_step_ms);
  std::vector<double> vs(kSeries);
  for (int i = 0; i < kSeries; ++i) vs[i] = static_cast<double>(b * 100 + i);
  strata::AppendBatchReport report;
  if (!app.AppendBatch(*refs, ts, vs, &report).ok()) std::_Exit(4);
  for (const strata::SampleError& e : report.errors) {
    if (e.code != strata::StatusCode::kNotFound) std::_Exit(4);
    const int i = static_cast<int>(e.index);
    auto ref = app.Append(SeriesLabels(k, i), ts[i], vs[i]);
    if (!ref.ok()) std::_Exit(4);
    (*refs)[i] = *ref;
  }
}

// Thread 0 appends by labels, thread 1 by ref batches.
void Run(strata::DB* db, int thread, int64_t first_batch) {
  auto app = db->NewAppender();
  const std::string k = std::to_string(thread);
  std::vector<strata::SeriesRef> refs(kSeries, 0);
  for (int64_t b = first_batch;; ++b) {
    if (thread == 1) {
      AppendByRefBatch(*app, k, b, &refs);
    } else {
      AppendByLabels(*app, k, b);
    }
    if (b % 10 == 0) {
      auto l = strata::Labels::Of(
          {{"__name__", "crash_new"}, {"thread", k}, {"b", std::to_string(b)}});
      if (!app->Append(l, b * g_step_ms, static_cast<double>(b)).ok())
        std::_Exit(5);
    }
    if (!app->Commit().ok()) std::_Exit(6);
    Emit(thread, b);
  }
}

// One writer that closes and reopens the DB after every `close_every`
// batches; never returns.
[[noreturn]] void RunWithRestarts(const std::string& dir,
                                  const strata::Options& options,
                                  int64_t first_batch, int64_t close_every) {
  for (int64_t b = first_batch;;) {
    auto db = strata::DB::Open(options, dir);
    if (!db.ok()) {
      std::fprintf(stderr, "reopen: %s\n", db.status().ToString().c_str());
      std::_Exit(9);
    }
    auto app = (*db)->NewAppender();
    const int64_t end = (b / close_every + 1) * close_every;
    for (; b < end; ++b) {
      for (int i = 0; i < kSeries; ++i) {
        auto l = strata::Labels::Of(
            {{"__name__", "crash"}, {"thread", "0"}, {"s", std::to_string(i)}});
        if (!app->Append(l, b * g_step_ms, static_cast<double>(b * 100 + i))
                 .ok())
          std::_Exit(4);
      }
      if (b % 10 == 0) {
        auto l = strata::Labels::Of({{"__name__", "crash_new"},
                                     {"thread", "0"},
                                     {"b", std::to_string(b)}});
        if (!app->Append(l, b * g_step_ms, static_cast<double>(b)).ok())
          std::_Exit(5);
      }
      if (!app->Commit().ok()) std::_Exit(6);
      Emit(0, b);
    }
    app.reset();
    if (!(*db)->Close().ok()) std::_Exit(10);
  }
}

}  // namespace

void CompactLoop(strata::DB* db, const std::string& dir) {
  for (int i = 0;; ++i) {
    strata::Status st = db->Compact();
    if (!st.ok()) {
      std::fprintf(stderr, "compact: %s\n", st.ToString().c_str());
      std::_Exit(7);
    }
    if (i % 3 == 0) {
      // A kill in an earlier round may have left a partial snapshot here.
      const std::string snap = dir + "-snap-" + std::to_string(i);
      std::filesystem::remove_all(snap);
      strata::Status snap_st = db->Snapshot(snap, true);
      if (!snap_st.ok()) {
        std::fprintf(stderr, "snapshot: %s\n", snap_st.ToString().c_str());
        std::_Exit(8);
      }
      std::filesystem::remove_all(snap);
    }
  }
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  if (argc > 2) g_step_ms = std::atoll(argv[2]);
  const bool compact = argc > 3 && std::atoi(argv[3]) != 0;
  strata::Options options;
  options.wal_sync = strata::WalSyncPolicy::kAlways;
  options.background_compaction = false;
  options.retention_ms = argc > 4 ? std::atoll(argv[4]) : 0;
  options.wal_segment_bytes = 256 * 1024;  // Exercise segment rollover.
  const int64_t close_every = argc > 5 ? std::atoll(argv[5]) : 0;
  options.head_chunks_on_disk = argc > 6 && std::atoi(argv[6]) != 0;
  auto db = strata::DB::Open(options, argv[1]);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return 1;
  }
  const int64_t max_t = (*db)->Stats().head_max_time;
  const int64_t first = max_t < 0 ? 1 : max_t / g_step_ms + 1;
  if (close_every > 0) {
    db->reset();
    RunWithRestarts(argv[1], options, first, close_every);
  }
  if (compact) {
    // Once before the first acknowledgement (the test kills only after
    // one): persistence, compaction and retention complete every round,
    // so the directory stays bounded however the kills fall.
    strata::Status st = (*db)->Compact();
    if (!st.ok()) {
      std::fprintf(stderr, "compact: %s\n", st.ToString().c_str());
      return 7;
    }
    // One writer: with two, the slower one's batches would fall behind the
    // persisted range and be (rightly) rejected as out of bounds.
    std::thread(CompactLoop, db->get(), std::string(argv[1])).detach();
    Run(db->get(), 0, first);
  }
  std::thread t0(Run, db->get(), 0, first);
  std::thread t1(Run, db->get(), 1, first);
  t0.join();
  t1.join();
  return 0;
}
