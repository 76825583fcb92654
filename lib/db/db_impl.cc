#include "db/db_impl.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "db/replay_progress.h"
#include "db/replay_shards.h"
#include "db/wal_head_loader.h"
#include "query/block_querier.h"
#include "util/data_dir_files.h"
#include "util/log.h"
#include "wal/checkpoint.h"
#include "wal/replay.h"
#include "wal/segment.h"

namespace strata {
namespace {

// An Appender whose DB is closed.
class ClosedAppender : public Appender {
 public:
  StatusOr<SeriesRef> Append(const Labels&, int64_t, double) override {
    return Status::Unavailable("db is closed");
  }
  StatusOr<SeriesRef> Append(SeriesRef, int64_t, double) override {
    return Status::Unavailable("db is closed");
  }
  Status Commit() override { return Status::Unavailable("db is closed"); }
  void Rollback() override {}
  size_t pending() const override { return 0; }
};

// Reads the head's exemplar ring; holds the head so it may outlive the DB.
class HeadExemplarQuerier : public ExemplarQuerier {
 public:
  explicit HeadExemplarQuerier(std::shared_ptr<Head> head)
      : head_(std::move(head)) {}
  StatusOr<std::vector<ExemplarSeries>> Select(
      int64_t mint, int64_t maxt,
      const std::vector<std::vector<Matcher>>& matcher_sets) override {
    return head_->exemplars().Select(mint, maxt, matcher_sets);
  }

 private:
  const std::shared_ptr<Head> head_;
};

}  // namespace

class DBImpl::WalCommitLog : public CommitLog {
 public:
  explicit WalCommitLog(wal::Wal* wal) : wal_(wal) {}
  Status Log(std::span<const std::string> records) override {
    return wal_->Log(records);
  }

 private:
  wal::Wal* wal_;
};

StatusOr<std::unique_ptr<DB>> DB::Open(const Options& options,
                                       const std::string& dir) {
  auto db = std::make_unique<DBImpl>(options, dir);
  STRATA_RETURN_IF_ERROR(db->Init());
  return std::unique_ptr<DB>(std::move(db));
}

DBImpl::DBImpl(const Options& options, std::string dir)
    : options_(options),
      dir_(std::move(dir)),
      fs_(options.file_system ? options.file_system : FileSystem::Default()) {
  MutexLock lock(&stats_mu_);
  counters_.compaction_buckets.assign(kCompactionBuckets.size() + 1, 0);
}

DBImpl::~DBImpl() {
  Status st = Close();
  if (!st.ok()) {
    STRATA_LOG(kError, "closing db", {{"err", st.ToString()}});
  }
}

Status DBImpl::Init() {
  // Debian's Abseil is built without NDEBUG, which turns on Mutex's
  // deadlock detector: a global graph lookup on every lock that costs more
  // than the rest of an append. Strata's lock order is fixed by design.
  static const bool detector_off = [] {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
    return true;
  }();
  (void)detector_off;
  if (options_.block_duration_ms <= 0) {
    return Status::InvalidArgument("block duration must be positive");
  }
  if (options_.dense_after_ms < 0) {
    return Status::InvalidArgument("dense-after must not be negative");
  }
  STRATA_RETURN_IF_ERROR(fs_->CreateDirs(JoinPath(dir_, kWalDir)));
  STRATA_ASSIGN_OR_RETURN(lock_, DirLock::Acquire(dir_));
  STRATA_RETURN_IF_ERROR(LoadBlocks());
  STRATA_RETURN_IF_ERROR(OpenHeadChunkFiles());
  ResetHead();
  STRATA_ASSIGN_OR_RETURN(const int first_segment, LoadHeadSnapshot());
  STRATA_RETURN_IF_ERROR(ReplayWal(first_segment));
  STRATA_RETURN_IF_ERROR(ReplayWbl());
  FinishHeadChunkLoad();
  DropChunksBlocksHold();

  STRATA_ASSIGN_OR_RETURN(
      wal_, wal::Wal::Open(JoinPath(dir_, kWalDir), fs_,
                           wal::WalOptions::FromOptions(options_)));
  commit_log_ = std::make_unique<WalCommitLog>(wal_.get());
  if (options_.background_compaction) {
    background_ = std::thread([this] { BackgroundLoop(); });
  }
  if (options_.scrub_interval_ms > 0) {
    scrubber_ = std::thread([this] { ScrubLoop(); });
  }
  return Status::OK();
}

void DBImpl::ResetHead() {
  HeadOptions head_options;
  head_options.chunk_range_ms = options_.block_duration_ms;
  head_options.max_exemplars = options_.max_exemplars;
  head_options.enable_native_histograms = options_.enable_native_histograms;
  head_options.out_of_order_time_window_ms =
      options_.out_of_order_time_window_ms;
  head_options.out_of_order_cap_max = options_.out_of_order_cap_max;
  head_ = std::make_shared<Head>(head_options, chunk_files_);
  // What blocks hold is not taken into the head again.
  head_->SetMinValidTime(BlocksMaxTime());
}

Status DBImpl::ReplayWal(int first_segment) {
  const auto start = std::chrono::steady_clock::now();
  WalHeadLoader loader(head_.get(), head_->MinValidTime(),
                       ReplayShards::DefaultWorkers());
  if (first_segment >= 0) loader.UseHeadSeries();
  // Series the snapshot restored keep their chunks from it: only series
  // created by the WAL records take chunks from disk.
  if (chunk_files_ != nullptr) loader.SetMappedChunks(&mapped_chunks_);
  const std::string wal_dir = JoinPath(dir_, kWalDir);
  STRATA_ASSIGN_OR_RETURN(const WalExtent extent,
                          MeasureWal(fs_, wal_dir, first_segment));
  ReplayProgress progress(head_.get(), extent.segments, extent.bytes);
  auto on_record = [&](std::string_view rec) {
    progress.OnRecord();
    return loader.OnRecord(rec);
  };
  wal::ReplayOptions replay_options;
  replay_options.first_segment = first_segment;
  // Prometheus's WALReplayStatus: current is the last segment done (the
  // first one until it is).
  const auto report_replay = [&](int current) {
    if (options_.on_wal_replay_progress && extent.segments > 0) {
      options_.on_wal_replay_progress(
          WalReplayProgress{extent.first, extent.last, current});
    }
  };
  replay_options.on_segment = [&](int segment, int64_t bytes) {
    progress.OnSegment(bytes);
    report_replay(std::max(segment - 1, extent.first));
  };
  // Checkpoints a crash left half-written are redone later.
  if (StatusOr<std::vector<std::string>> names = fs_->ListDir(wal_dir);
      names.ok()) {
    for (const std::string& n : *names) {
      if (n.starts_with("checkpoint.") && n.ends_with(".tmp")) {
        Status st = fs_->RemoveAll(JoinPath(wal_dir, n));
        if (!st.ok())
          STRATA_LOG(kWarn, "removing partial checkpoint",
                     {{"err", st.ToString()}});
      }
    }
  }
  // The newest checkpoint holds what older, deleted segments held (a
  // snapshot holds all of it).
  STRATA_ASSIGN_OR_RETURN(std::string checkpoint,
                          wal::LatestCheckpoint(fs_, wal_dir));
  if (!checkpoint.empty() && first_segment < 0) {
    STRATA_ASSIGN_OR_RETURN(wal::SegmentRange cp_range,
                            wal::GetSegmentRange(fs_, checkpoint));
    if (cp_range.first >= 0) {
      STRATA_RETURN_IF_ERROR(wal::ReadSegments(fs_, checkpoint, cp_range.first,
                                               cp_range.last, on_record)
                                 .WithContext("replaying " + checkpoint));
    }
  }
  wal::ReplayResult result;
  STRATA_RETURN_IF_ERROR(
      wal::ReplayWal(fs_, wal_dir, on_record, &result, replay_options));
  report_replay(extent.last);
  const Status undecodable = loader.Finish();
  const WalHeadLoader::Counts& counts = loader.counts();
  report_.records = counts.records;
  report_.series += counts.series_created;
  report_.samples += counts.samples;
  report_.samples_rejected =
      counts.samples_rejected + counts.samples_unknown_series;
  report_.segments = result.first_segment < 0
                         ? 0
                         : result.last_segment - result.first_segment + 1;
  report_.torn_tail_truncated = !result.torn_tails.empty();
  report_.corruption = result.corruption;
  report_.quarantine_dir = result.quarantine_dir;
  for (const wal::ReplayResult::SkippedRange& r : result.skipped) {
    report_.skipped.push_back({r.segment, r.offset, r.bytes, r.reason});
    ++report_.records_skipped;
    report_.bytes_skipped += r.bytes;
  }
  // A samples record that passed its CRC yet did not decode (only a
  // defect writes one): skipped like a damaged record, but its segment is
  // kept as is (decoded on the pipeline, after the reader moved on).
  if (!undecodable.ok()) {
    report_.records_skipped += counts.records_undecodable;
    if (report_.corruption.ok()) report_.corruption = undecodable;
  }
  report_.records_salvaged = result.records_salvaged;
  report_.mapped_chunks = counts.mapped_chunks;
  report_.samples_in_mapped_chunks = counts.samples_in_mapped_chunks;
  report_.seconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (!report_.corruption.ok()) {
    STRATA_LOG(
        kError, "WAL replay found corruption; kept every intact record",
        {{"err", report_.corruption.ToString()},
         {"damaged_ranges", absl::StrCat(report_.skipped.size())},
         {"records_skipped_at_least", absl::StrCat(report_.records_skipped)},
         {"bytes_skipped", absl::StrCat(report_.bytes_skipped)},
         {"records_salvaged", absl::StrCat(report_.records_salvaged)},
         {"samples_of_unknown_series",
          absl::StrCat(counts.samples_unknown_series)},
         {"quarantine", report_.quarantine_dir}});
  }
  STRATA_LOG(kInfo, "WAL replay completed",
             {{"segments", absl::StrCat(report_.segments)},
              {"series", absl::StrCat(report_.series)},
              {"samples", absl::StrCat(report_.samples)},
              {"series_refs_remapped", absl::StrCat(counts.ref_id_mismatches)},
              {"duration", absl::StrCat(report_.seconds, "s")}});
  return Status::OK();
}

std::unique_ptr<Appender> DBImpl::NewAppender() {
  if (closed_.load()) return std::make_unique<ClosedAppender>();
  return std::make_unique<HeadAppender>(head_.get(), commit_log_.get(),
                                        wbl_.get());
}

StatusOr<std::unique_ptr<Querier>> DBImpl::NewQuerier(int64_t mint,
                                                      int64_t maxt) {
  if (closed_.load()) return Status::Unavailable("db is closed");
  if (mint > maxt) return Status::InvalidArgument("mint > maxt");
  std::vector<std::shared_ptr<const BlockReader>> blocks =
      ReadersFor(mint, maxt);
  return std::unique_ptr<Querier>(std::make_unique<BlockQuerier>(
      std::move(blocks), mint, maxt, damage_log_));
}

StatusOr<std::unique_ptr<ExemplarQuerier>> DBImpl::NewExemplarQuerier() {
  if (closed_.load()) return Status::Unavailable("db is closed");
  return std::unique_ptr<ExemplarQuerier>(
      std::make_unique<HeadExemplarQuerier>(head_));
}

int64_t DBImpl::SetMaxExemplars(int64_t max_exemplars) {
  const int64_t from = head_->exemplars().Stats().max_exemplars;
  const int64_t to = std::max<int64_t>(max_exemplars, 0);
  if (from == to) return 0;
  const int64_t migrated = head_->exemplars().Resize(to);
  STRATA_LOG(kInfo, "exemplar storage resized",
             {{"from", absl::StrCat(from)},
              {"to", absl::StrCat(to)},
              {"migrated", absl::StrCat(migrated)}});
  return migrated;
}

DBStats DBImpl::Stats() const {
  DBStats s;
  s.head_series = static_cast<int64_t>(head_->NumSeries());
  s.head_chunks = static_cast<int64_t>(head_->NumChunks());
  {
    MutexLock lock(&blocks_mu_);
    s.blocks = static_cast<int64_t>(blocks_.size());
    for (const auto& b : blocks_) s.blocks_bytes += b->Size();
  }
  s.corrupt_blocks = corrupt_blocks_.load();
  {
    MutexLock lock(&stats_mu_);
    const Counters& c = counters_;
    s.compactions = c.compactions;
    s.compaction_failures = c.compaction_failures;
    DurationHistogram& h = s.compaction_duration;
    h.upper_bounds.assign(kCompactionBuckets.begin(), kCompactionBuckets.end());
    for (size_t i = 0; i < kCompactionBuckets.size(); ++i) {
      h.count += c.compaction_buckets[i];
      h.cumulative_counts.push_back(h.count);
    }
    h.count += c.compaction_buckets.back();
    h.sum = c.compaction_seconds;
    s.retention_time_blocks = c.retention_time_blocks;
    s.retention_time_bytes = c.retention_time_bytes;
    s.retention_size_blocks = c.retention_size_blocks;
    s.retention_size_bytes = c.retention_size_bytes;
    s.wal_checkpoints = c.wal_checkpoints;
    s.wal_checkpoint_failures = c.wal_checkpoint_failures;
    s.wal_truncations = c.wal_truncations;
    s.wal_truncation_failures = c.wal_truncation_failures;
    s.scrubs = c.scrubs;
    s.scrub_bytes = c.scrub_bytes;
    s.blocks_quarantined = c.blocks_quarantined;
    s.ooo_compactions = c.ooo_compactions;
    s.ooo_compaction_failures = c.ooo_compaction_failures;
  }
  s.corruptions_chunk = damage_log_->Count(CorruptionKind::kChunk);
  s.corruptions_index = damage_log_->Count(CorruptionKind::kIndex);
  s.corruptions_block = damage_log_->Count(CorruptionKind::kBlock);
  s.head_min_time = head_->MinTime();
  s.head_max_time = head_->MaxTime();
  const HeadCounters& c = head_->counters();
  s.samples_appended = c.samples_appended.load();
  s.series_created = c.series_created.load();
  s.samples_out_of_order = c.out_of_order.load();
  s.samples_out_of_bounds = c.out_of_bounds.load();
  s.samples_duplicate = c.duplicates.load();
  s.samples_ooo_appended = c.ooo_appended.load();
  s.samples_too_old = c.too_old.load();
  s.ooo_chunks_created = c.ooo_chunks_created.load();
  s.ooo_head_series = static_cast<int64_t>(head_->ooo().NumSeries());
  if (wbl_) {
    wal::WalStats w = wbl_->stats();
    s.wbl_bytes = w.bytes_written;
    s.wbl_segments = w.segments_created;
  }
  s.head_series_removed = c.series_removed.load();
  s.head_chunks_created = c.chunks_created.load();
  s.head_chunks_removed = c.chunks_removed.load();
  s.exemplars = head_->exemplars().Stats();
  if (wal_) {
    wal::WalStats w = wal_->stats();
    s.wal_bytes = w.bytes_written;
    s.wal_segments = w.segments_created;
    s.wal_fsyncs = w.fsyncs;
    s.wal_fsync_seconds_total = w.fsync_seconds;
    s.wal_write_errors = w.write_errors + w.sync_errors;
  }
  return s;
}

Status DBImpl::Close() {
  MutexLock lock(&close_mu_);
  if (closed_.exchange(true)) return Status::OK();
  {
    MutexLock bg(&bg_mu_);
    bg_stop_ = true;
    bg_cv_.SignalAll();
  }
  if (background_.joinable()) background_.join();
  // A running scrub sees closed_ and stops at its next read.
  if (scrubber_.joinable()) scrubber_.join();
  Status st;
  if (wal_) st = wal_->Close();
  if (wbl_) {
    Status wbl_st = wbl_->Close();
    if (st.ok()) st = wbl_st;
  }
  // Before the snapshot, which refers to the chunks in the files: they are
  // flushed and synced first. Reads still work after Close.
  snapshot::DiskChunks disk_chunks = snapshot::DiskChunks::kByReference;
  if (chunk_files_ != nullptr) {
    Status files_st = chunk_files_->Close();
    if (!files_st.ok() || chunk_files_->write_failed()) {
      disk_chunks = snapshot::DiskChunks::kInline;
    }
    if (!files_st.ok()) {
      STRATA_LOG(kWarn, "closing head chunk files",
                 {{"err", files_st.ToString()}});
    }
  }
  // Only over a complete WAL: then the snapshot covers all of it. Its
  // failure costs only the next open's speed, so Close still succeeds.
  if (wal_ && st.ok() && options_.snapshot_on_shutdown) {
    (void)WriteHeadSnapshot(disk_chunks);
  }
  lock_.reset();
  return st;
}

}  // namespace strata
