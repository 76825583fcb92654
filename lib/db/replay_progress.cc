#include "db/replay_progress.h"

#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "util/log.h"
#include "wal/segment.h"

namespace strata {

StatusOr<WalExtent> MeasureWal(FileSystem* fs, const std::string& wal_dir,
                               int first_segment) {
  WalExtent extent;
  if (!fs->IsDirectory(wal_dir)) return extent;
  STRATA_ASSIGN_OR_RETURN(std::vector<wal::SegmentRef> segments,
                          wal::ListSegments(fs, wal_dir));
  for (const wal::SegmentRef& s : segments) {
    if (s.index < first_segment) continue;
    STRATA_ASSIGN_OR_RETURN(int64_t size,
                            fs->FileSize(JoinPath(wal_dir, s.name)));
    ++extent.segments;
    extent.bytes += size;
    if (extent.first < 0) extent.first = s.index;
    extent.last = s.index;
  }
  return extent;
}

ReplayProgress::ReplayProgress(const Head* head, int total_segments,
                               int64_t total_bytes,
                               std::chrono::milliseconds interval)
    : head_(head),
      total_segments_(total_segments),
      total_bytes_(total_bytes),
      interval_(interval),
      last_log_(Clock::now()),
      last_samples_(head->counters().samples_appended.load()) {}

void ReplayProgress::OnSegment(int64_t bytes) {
  bytes_done_ += current_bytes_;
  current_bytes_ = bytes;
  ++segments_started_;
  Check();
}

void ReplayProgress::Check() {
  const Clock::time_point now = Clock::now();
  if (now - last_log_ < interval_ || now <= last_log_) return;
  const double seconds = std::chrono::duration<double>(now - last_log_).count();
  const int64_t samples = head_->counters().samples_appended.load();
  const double rate = static_cast<double>(samples - last_samples_) / seconds;
  const double record_rate =
      static_cast<double>(records_ - last_records_) / seconds;
  const double percent = total_bytes_ > 0
                             ? 100.0 * static_cast<double>(bytes_done_) /
                                   static_cast<double>(total_bytes_)
                             : 0;
  char percent_text[16];
  std::snprintf(percent_text, sizeof(percent_text), "%.1f", percent);
  STRATA_LOG(
      kInfo, "WAL replay in progress",
      {{"segment", absl::StrCat(segments_started_, "/", total_segments_)},
       {"percent", percent_text},
       {"bytes_done", absl::StrCat(bytes_done_)},
       {"bytes_total", absl::StrCat(total_bytes_)},
       {"records_per_second", absl::StrCat(static_cast<int64_t>(record_rate))},
       {"samples_per_second", absl::StrCat(static_cast<int64_t>(rate))}});
  last_log_ = now;
  last_records_ = records_;
  last_samples_ = samples;
  ++lines_;
}

}  // namespace strata
