// ReplayProgress: logs how far a long WAL replay has got, every few
// seconds: segments and bytes done out of the total (in percent), and since
// the previous line the WAL records read per second and the samples
// appended per second. Records keep moving while a crash open skips
// samples its mapped head chunks already hold, when few are appended. A
// replay shorter than the interval logs nothing.
//
// Thread-safety: one thread (the replaying one) calls every method; the
// head's sample counter is read atomically.
#ifndef STRATA_DB_REPLAY_PROGRESS_H_
#define STRATA_DB_REPLAY_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "head/head.h"
#include "util/file_system.h"

namespace strata {

// Segments of a WAL directory from `first_segment` on (-1: all) and their
// total size: what a replay will read.
struct WalExtent {
  int segments = 0;
  int64_t bytes = 0;
  // The first and last of those segment numbers; -1 without segments.
  int first = -1;
  int last = -1;
};
StatusOr<WalExtent> MeasureWal(FileSystem* fs, const std::string& wal_dir,
                               int first_segment);

class ReplayProgress {
 public:
  // `total_segments` and `total_bytes`: what the replay will read.
  ReplayProgress(const Head* head, int total_segments, int64_t total_bytes,
                 std::chrono::milliseconds interval = std::chrono::seconds(5));

  // Before each segment is read, with its size.
  void OnSegment(int64_t bytes);
  // After each record; cheap (looks at the clock every few records).
  void OnRecord() {
    if (++records_ % kRecordsPerCheck == 0) Check();
  }
  // Lines logged so far.
  int lines() const { return lines_; }

 private:
  static constexpr int kRecordsPerCheck = 256;
  using Clock = std::chrono::steady_clock;

  void Check();

  const Head* const head_;
  const int total_segments_;
  const int64_t total_bytes_;
  const std::chrono::milliseconds interval_;
  int segments_started_ = 0;
  int64_t bytes_done_ = 0;  // Of the segments before the current one.
  int64_t current_bytes_ = 0;
  int64_t records_ = 0;  // Read so far.
  Clock::time_point last_log_;
  int64_t last_records_ = 0;
  int64_t last_samples_;
  int lines_ = 0;
};

}  // namespace strata

#endif  // STRATA_DB_REPLAY_PROGRESS_H_
