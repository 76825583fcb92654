// DBImpl's scrub: reads every persisted block with the shared check
// (block/block_check.h, as strata-tsdb verify), rate-limited and at low
// priority, logging and counting what it finds (DamageLog), and replaces a
// damaged block by what is still intact of it (block/block_salvage.h, as
// strata-tsdb verify --repair), the damaged one moved to quarantine/.
#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "block/block_check.h"
#include "block/block_salvage.h"
#include "db/db_impl.h"
#include "util/log.h"
#include "util/thread_priority.h"

namespace strata {
namespace {

// Paces reads to `bytes_per_second` (<= 0: unlimited); stops when `stop`.
class ScrubThrottle {
 public:
  ScrubThrottle(int64_t bytes_per_second, const std::atomic<bool>* stop)
      : rate_(bytes_per_second),
        stop_(stop),
        start_(std::chrono::steady_clock::now()) {}

  // Sleeps until `bytes` more fit the rate; false if the DB is closing.
  bool Read(int64_t bytes) {
    total_ += bytes;
    if (rate_ <= 0) return !stop_->load();
    const auto due =
        start_ +
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(static_cast<double>(total_) /
                                          static_cast<double>(rate_)));
    constexpr auto kSlice = std::chrono::milliseconds(50);
    while (!stop_->load()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= due) return true;
      std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(
          due - now, std::chrono::nanoseconds(kSlice)));
    }
    return false;
  }

 private:
  const int64_t rate_;
  const std::atomic<bool>* const stop_;
  const std::chrono::steady_clock::time_point start_;
  int64_t total_ = 0;
};

// Per kind and block, damage naming a series is counted per series; a
// problem naming none (a whole-file pass that met the same damage) only
// when no problem of its kind names one.
bool NamesSeriesElsewhere(const std::vector<Problem>& problems,
                          const Problem& p) {
  if (!p.series.empty()) return false;
  return std::any_of(problems.begin(), problems.end(), [&](const Problem& o) {
    return o.kind == p.kind && !o.series.empty();
  });
}

}  // namespace

void DBImpl::NoteScrubProblems(const Block& block,
                               const std::vector<Problem>& problems,
                               ScrubReport* report) {
  for (const Problem& p : problems) {
    const std::string what = absl::StrCat(
        p.file, p.offset >= 0 ? absl::StrCat(" at offset ", p.offset) : "",
        ": ", p.what);
    report->problems.push_back(absl::StrCat(
        "block ", block.Name(), ": ",
        p.series.empty() ? "" : absl::StrCat(p.series, ": "), what));
    if (NamesSeriesElsewhere(problems, p)) continue;
    const std::string where =
        p.series.empty() ? absl::StrCat(p.file, "@", p.offset) : p.series;
    damage_log_->Note(p.kind, block.Name(), where, what, "scrub");
  }
}

Status DBImpl::QuarantineDamaged(const std::shared_ptr<const Block>& damaged,
                                 ScrubReport* report) {
  MutexLock lock(&compact_mu_);
  {
    MutexLock blocks(&blocks_mu_);
    if (std::find(blocks_.begin(), blocks_.end(), damaged) == blocks_.end()) {
      return Status::OK();  // Compacted or dropped meanwhile.
    }
  }
  BlockWriterOptions writer_options;
  writer_options.chunk_range_ms = options_.block_duration_ms;
  STRATA_ASSIGN_OR_RETURN(
      SalvageResult salvaged,
      SalvageBlock(fs_, damaged->dir(), dir_, writer_options));
  std::vector<std::shared_ptr<const Block>> added;
  if (salvaged.written) {
    const std::string name = salvaged.written->ulid.ToString();
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const Block> block,
                            Block::Open(fs_, JoinPath(dir_, name)));
    added.push_back(std::move(block));
    report->rebuilt_blocks.push_back(name);
  }
  // Queries switch to the rebuilt block; readers of the damaged one keep
  // their mapping, as the move below does not unmap it.
  ReplaceBlocks({damaged}, std::move(added));
  STRATA_ASSIGN_OR_RETURN(std::string moved,
                          QuarantineBlockDir(fs_, dir_, damaged->Name()));
  report->quarantined.push_back(moved);
  report->series_lost += salvaged.series_lost;
  report->chunks_lost += salvaged.chunks_lost;
  {
    MutexLock stats(&stats_mu_);
    ++counters_.blocks_quarantined;
  }
  STRATA_LOG(kWarn, "damaged block moved to quarantine and rebuilt",
             {{"block", damaged->Name()},
              {"quarantine", moved},
              {"rebuilt", report->rebuilt_blocks.empty()
                              ? std::string("none: nothing was readable")
                              : report->rebuilt_blocks.back()},
              {"series_kept", absl::StrCat(salvaged.series_kept)},
              {"series_lost", absl::StrCat(salvaged.series_lost)},
              {"chunks_lost", absl::StrCat(salvaged.chunks_lost)}});
  return Status::OK();
}

StatusOr<ScrubReport> DBImpl::Scrub() {
  if (closed_.load()) return Status::Unavailable("db is closed");
  MutexLock scrub(&scrub_mu_);
  std::vector<std::shared_ptr<const Block>> blocks;
  {
    MutexLock lock(&blocks_mu_);
    blocks = blocks_;
  }
  ScrubReport report;
  ScrubThrottle throttle(options_.scrub_bytes_per_second, &closed_);
  BlockCheckOptions check;
  check.throttle = [&throttle](int64_t bytes) { return throttle.Read(bytes); };
  Status status;
  for (const std::shared_ptr<const Block>& b : blocks) {
    BlockCheckResult r = CheckBlockDir(fs_, b->dir(), b->Name(), check);
    ++report.blocks_checked;
    report.series_checked += r.series_checked;
    report.chunks_checked += r.chunks_checked;
    report.bytes_read += r.bytes_read;
    if (r.interrupted) {
      status = Status::Unavailable("db closed during the scrub");
      break;
    }
    if (r.problems.empty()) continue;
    NoteScrubProblems(*b, r.problems, &report);
    status = QuarantineDamaged(b, &report);
    if (!status.ok()) {
      status = status.WithContext("quarantining block " + b->Name());
      break;
    }
  }
  {
    MutexLock stats(&stats_mu_);
    ++counters_.scrubs;
    counters_.scrub_bytes += report.bytes_read;
  }
  if (!status.ok()) return status;
  return report;
}

void DBImpl::ScrubLoop() {
  LowerThisThreadPriority();
  while (true) {
    {
      MutexLock lock(&bg_mu_);
      const absl::Time deadline =
          absl::Now() + absl::Milliseconds(options_.scrub_interval_ms);
      while (!bg_stop_ && absl::Now() < deadline) {
        bg_cv_.WaitWithDeadline(&bg_mu_, deadline);
      }
      if (bg_stop_) return;
    }
    const auto start = std::chrono::steady_clock::now();
    StatusOr<ScrubReport> r = Scrub();
    if (!r.ok()) {
      if (!closed_.load()) {
        STRATA_LOG(kError, "scrub failed", {{"err", r.status().ToString()}});
      }
      continue;
    }
    STRATA_LOG(
        kInfo, "scrub completed",
        {{"blocks", absl::StrCat(r->blocks_checked)},
         {"bytes", absl::StrCat(r->bytes_read)},
         {"problems", absl::StrCat(r->problems.size())},
         {"quarantined", absl::StrCat(r->quarantined.size())},
         {"duration", absl::StrCat(std::chrono::duration<double>(
                                       std::chrono::steady_clock::now() - start)
                                       .count(),
                                   "s")}});
  }
}

}  // namespace strata
