// Child process of db_ooo_crash_test: appends out-of-order batches and
// prints "<batch>" on stdout after each Commit returns OK, until killed.
//
// Usage: ooo_crash_writer DIR FIRST_BATCH COMPACT
// Opens DIR with a 1h out-of-order window and commits in_order{} = 0 at
// kNow. Then batch b (from FIRST_BATCH on) commits, in one Appender,
//   in_order{} = b at t = kNow + b                      (in order)
//   ooo{} = b * 10 + i at t = kNow - (b * 10 + i + 1)   for i in [0, 10)
// the latter out of order (but the very first, which starts the series). With
// COMPACT=1 a second thread compacts the out-of-order head into blocks and
// compacts the blocks in a loop, so kills land inside WBL cuts, block writes
// and WBL segment removals.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "strata/db.h"

namespace {

constexpr int64_t kNow = 10 * 3600 * 1000;

void Emit(int64_t batch) {
  char line[32];
  const int n =
      std::snprintf(line, sizeof(line), "%ld\n", static_cast<long>(batch));
  // One write(2) per line, so a kill never leaves half a line.
  if (::write(STDOUT_FILENO, line, n) != n) std::_Exit(3);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  strata::Options options;
  options.background_compaction = false;
  options.retention_ms = 0;
  options.dense_chunks = false;
  options.out_of_order_time_window_ms = 3600 * 1000;
  auto db = strata::DB::Open(options, argv[1]);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return 1;
  }
  const int64_t first = std::atoll(argv[2]);
  std::atomic<bool> stop{false};
  std::thread compactor;
  if (std::string(argv[3]) == "1") {
    compactor = std::thread([&] {
      while (!stop.load()) {
        if (!(*db)->CompactOutOfOrderHead().ok()) std::_Exit(5);
        if (!(*db)->Compact().ok()) std::_Exit(6);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  const strata::Labels in_order =
      strata::Labels::Of({{"__name__", "in_order"}});
  const strata::Labels ooo = strata::Labels::Of({{"__name__", "ooo"}});
  {
    // The head's newest sample, which the window is measured from.
    std::unique_ptr<strata::Appender> app = (*db)->NewAppender();
    if (!app->Append(in_order, kNow, 0).ok() || !app->Commit().ok()) {
      std::_Exit(8);
    }
  }
  for (int64_t b = first;; ++b) {
    std::unique_ptr<strata::Appender> app = (*db)->NewAppender();
    if (!app->Append(in_order, kNow + b, static_cast<double>(b)).ok()) {
      std::_Exit(4);
    }
    for (int i = 0; i < 10; ++i) {
      const int64_t n = b * 10 + i;
      strata::StatusOr<strata::SeriesRef> r =
          app->Append(ooo, kNow - n - 1, static_cast<double>(n));
      if (!r.ok()) {
        std::fprintf(stderr, "append: %s\n", r.status().ToString().c_str());
        std::_Exit(4);
      }
    }
    if (!app->Commit().ok()) std::_Exit(7);
    Emit(b);
  }
}
