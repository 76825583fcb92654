#include "wal/wal.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "util/log.h"
#include "wal/framing.h"
#include "wal/segment.h"

namespace strata::wal {
namespace {

// frame_buf_ keeps its capacity between Logs unless a huge record grew it.
constexpr size_t kMaxRetainedFrameBuffer = 4 << 20;
// Log buffers kept for reuse: enough for the committing threads of a busy
// server; more concurrent commits allocate and free their own.
constexpr size_t kMaxRetainedPreparedBuffers = 16;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

WalOptions WalOptions::FromOptions(const Options& options) {
  WalOptions w;
  w.sync = options.wal_sync;
  w.sync_interval_ms = options.wal_sync_interval_ms;
  w.compression =
      options.wal_compression ? Compression::kZstd : Compression::kNone;
  w.segment_bytes = options.wal_segment_bytes;
  return w;
}

StatusOr<std::unique_ptr<Wal>> Wal::Open(const std::string& dir, FileSystem* fs,
                                         const WalOptions& options) {
  if (fs == nullptr) fs = FileSystem::Default();
  if (options.segment_bytes <= 0 || options.segment_bytes % kPageSize != 0) {
    return Status::InvalidArgument(
        absl::StrCat("wal segment size ", options.segment_bytes,
                     " is not a positive multiple of ", kPageSize));
  }
  if (options.sync == WalSyncPolicy::kInterval &&
      options.sync_interval_ms <= 0) {
    return Status::InvalidArgument("wal sync interval must be positive");
  }
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(dir));
  STRATA_ASSIGN_OR_RETURN(SegmentRange range, GetSegmentRange(fs, dir));
  if (range.last >= 0) {
    // A previous writer may have died with part of its last segment still
    // in the page cache. Make it durable before a newer segment gets any
    // byte; otherwise an OS crash could leave a torn segment followed by a
    // good one, which replay must treat as corruption.
    STRATA_ASSIGN_OR_RETURN(
        std::unique_ptr<WritableFile> last,
        fs->NewAppendableFile(SegmentPath(dir, range.last)));
    STRATA_RETURN_IF_ERROR(
        last->Sync().WithContext("wal: sync previous segment"));
    STRATA_RETURN_IF_ERROR(last->Close());
  }
  std::unique_ptr<Wal> wal(new Wal(dir, fs, options, range.last + 1));
  {
    MutexLock lock(&wal->mu_);
    Status s = wal->EnsureSegmentLocked();
    if (!s.ok()) {
      wal->closed_ = true;
      return s;
    }
  }
  if (options.sync == WalSyncPolicy::kInterval) {
    wal->bg_thread_ = std::thread([w = wal.get()] { w->BackgroundSync(); });
  }
  return wal;
}

Wal::Wal(std::string dir, FileSystem* fs, const WalOptions& options,
         int next_index)
    : dir_(std::move(dir)),
      fs_(fs),
      options_(options),
      next_index_(next_index) {}

Wal::~Wal() {
  Status s = Close();
  if (!s.ok()) {
    STRATA_LOG(kError, "Closing the WAL failed",
               {{"dir", dir_}, {"err", s.ToString()}});
  }
}

Status Wal::Log(std::string_view record) {
  return Log(std::span<const std::string_view>(&record, 1));
}

Status Wal::Log(std::span<const std::string> records) {
  // Appenders log one or two records (series, samples): no allocation.
  constexpr size_t kInline = 4;
  if (records.size() <= kInline) {
    std::string_view views[kInline];
    std::copy(records.begin(), records.end(), views);
    return Log(std::span<const std::string_view>(views, records.size()));
  }
  std::vector<std::string_view> views(records.begin(), records.end());
  return Log(std::span<const std::string_view>(views));
}

Status Wal::Log(std::span<const std::string_view> records) {
  if (records.empty()) return Status::OK();
  // Compression is the expensive part of encoding; it needs no lock. The
  // compressed copies go to a buffer reused between calls.
  std::unique_ptr<PreparedRecords> buffer = TakePreparedBuffer();
  PreparedRecords& prepared = *buffer;
  prepared.resize(records.size());
  int64_t raw_bytes = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    PreparedRecord& p = prepared[i];
    raw_bytes += static_cast<int64_t>(records[i].size());
    p.flags = Compress(options_.compression, records[i], &p.storage);
    p.data = p.flags != 0 ? std::string_view(p.storage) : records[i];
  }

  Status s = WritePrepared(std::span<PreparedRecord>(prepared),
                           static_cast<int64_t>(records.size()), raw_bytes);
  ReturnPreparedBuffer(std::move(buffer));
  return s;
}

Status Wal::WritePrepared(std::span<PreparedRecord> prepared,
                          int64_t record_count, int64_t raw_bytes) {
  MutexLock lock(&mu_);
  if (closed_) return Status::FailedPrecondition("wal is closed");
  ++calls_in_progress_;
  const uint64_t begin = written_seq_;
  Status s = WriteLocked(prepared);
  if (s.ok()) {
    stats_.records += record_count;
    stats_.record_bytes += raw_bytes;
    if (options_.sync == WalSyncPolicy::kAlways) {
      s = AwaitSyncLocked(begin, written_seq_);
    }
  }
  EndCallLocked();
  return s;
}

std::unique_ptr<Wal::PreparedRecords> Wal::TakePreparedBuffer() {
  {
    MutexLock lock(&buffers_mu_);
    if (!free_buffers_.empty()) {
      std::unique_ptr<PreparedRecords> buffer = std::move(free_buffers_.back());
      free_buffers_.pop_back();
      return buffer;
    }
  }
  return std::make_unique<PreparedRecords>();
}

void Wal::ReturnPreparedBuffer(std::unique_ptr<PreparedRecords> buffer) {
  for (PreparedRecord& p : *buffer) {
    p.data = {};
    if (p.storage.capacity() > kMaxRetainedFrameBuffer) {
      std::string().swap(p.storage);
    }
  }
  MutexLock lock(&buffers_mu_);
  if (free_buffers_.size() < kMaxRetainedPreparedBuffers) {
    free_buffers_.push_back(std::move(buffer));
  }
}

Status Wal::WriteLocked(std::span<PreparedRecord> records) {
  size_t i = 0;
  while (i < records.size()) {
    STRATA_RETURN_IF_ERROR(EnsureSegmentLocked());
    frame_buf_.clear();
    int64_t offset = active_.size;
    bool roll = false;
    for (; i < records.size(); ++i) {
      const std::string_view data = records[i].data;
      if (offset > 0 && static_cast<int64_t>(data.size()) >
                            SegmentRoom(offset, options_.segment_bytes)) {
        roll = true;  // Records never span segments.
        break;
      }
      offset = AppendFragments(offset, data, records[i].flags, &frame_buf_);
    }
    Status s = AppendLocked(frame_buf_);
    if (frame_buf_.capacity() > kMaxRetainedFrameBuffer)
      std::string().swap(frame_buf_);
    STRATA_RETURN_IF_ERROR(s);
    if (roll) STRATA_RETURN_IF_ERROR(RollSegmentLocked(active_.index));
  }
  return Status::OK();
}

Status Wal::AppendLocked(std::string_view data) {
  if (data.empty()) return Status::OK();
  Status s = active_.file->Append(data);
  if (s.ok()) {
    const auto n = static_cast<int64_t>(data.size());
    active_.size += n;
    written_seq_ += static_cast<uint64_t>(n);
    stats_.bytes_written += n;
    return Status::OK();
  }
  ++stats_.write_errors;
  const std::string name = SegmentName(active_.index);
  // The file may hold part of `data`; cut it back so later records follow
  // only well-formed ones.
  Status t = active_.file->Truncate(active_.size);
  if (t.ok()) {
    STRATA_LOG(kWarn, "WAL write failed; segment cut back to its last record",
               {{"segment", name},
                {"offset", absl::StrCat(active_.size)},
                {"err", s.ToString()}});
  } else {
    ++stats_.write_errors;
    STRATA_LOG(kError, "WAL write failed and the segment cannot be cut back",
               {{"segment", name},
                {"err", s.ToString()},
                {"truncate_err", t.ToString()}});
    AbandonActiveLocked(s);
  }
  return s.WithContext("wal write");
}

Status Wal::EnsureSegmentLocked() {
  if (closed_) return Status::FailedPrecondition("wal is closed");
  // An abandoned segment's marker must be durable before any later record
  // is, or replay could take the abandoned segment's damage for corruption.
  STRATA_RETURN_IF_ERROR(WritePendingMarkerLocked());
  if (active_.file != nullptr) return Status::OK();

  const std::string path = SegmentPath(dir_, next_index_);
  StatusOr<std::unique_ptr<WritableFile>> file = fs_->NewWritableFile(path);
  if (!file.ok()) {
    ++stats_.write_errors;
    return file.status().WithContext("wal new segment");
  }
  // fdatasync of the file does not persist its directory entry.
  Status s = fs_->SyncDir(dir_);
  if (!s.ok()) {
    ++stats_.write_errors;
    (void)(*file)->Close();
    return s.WithContext("wal new segment");
  }
  active_.index = next_index_++;
  active_.file = std::shared_ptr<WritableFile>(std::move(*file));
  active_.size = 0;
  active_.synced_size = 0;
  active_.base_seq = written_seq_;
  ++stats_.segments_created;
  stats_.active_segment = active_.index;
  return Status::OK();
}

Status Wal::RollSegmentLocked(int from_index) {
  // One fdatasync at a time; the previous one may be on this segment.
  while (sync_in_flight_) sync_done_.Wait(&mu_);
  // Someone else may have switched segments while this thread waited.
  if (active_.file == nullptr || active_.index != from_index)
    return Status::OK();
  STRATA_RETURN_IF_ERROR(FinishSegmentLocked());
  return EnsureSegmentLocked();
}

Status Wal::FinishSegmentLocked() {
  // Pad the last page as Prometheus does. A failed padding write is
  // harmless once cut back: readers accept a segment ending mid-page.
  const int64_t pad = PagePadding(active_.size);
  if (pad > 0) {
    Status s = AppendLocked(std::string(static_cast<size_t>(pad), '\0'));
    if (!s.ok() && active_.file == nullptr) return s;
  }
  // The whole segment is made durable before the next one gets any byte:
  // this keeps damage after a crash confined to the last segment.
  if (active_.synced_size < active_.size) {
    const auto start = std::chrono::steady_clock::now();
    Status s = active_.file->Sync();
    ++stats_.fsyncs;
    stats_.fsync_seconds += SecondsSince(start);
    if (!s.ok()) {
      ++stats_.sync_errors;
      AbandonActiveLocked(s);
      return s.WithContext("wal fdatasync");
    }
    active_.synced_size = active_.size;
    synced_seq_ = written_seq_;
    sync_done_.SignalAll();
  }
  Status c = active_.file->Close();
  if (!c.ok()) {
    // The data is durable already; only note it.
    ++stats_.write_errors;
    STRATA_LOG(
        kWarn, "Closing WAL segment failed",
        {{"segment", SegmentName(active_.index)}, {"err", c.ToString()}});
  }
  active_ = ActiveSegment{};
  stats_.active_segment = -1;
  return Status::OK();
}

bool Wal::SyncActiveLocked() {
  if (active_.file == nullptr || active_.synced_size >= active_.size)
    return false;
  sync_in_flight_ = true;
  std::shared_ptr<WritableFile> file = active_.file;
  const int index = active_.index;
  const int64_t size = active_.size;
  const uint64_t seq = written_seq_;

  // Writers keep appending while the fdatasync runs.
  mu_.Unlock();
  const auto start = std::chrono::steady_clock::now();
  Status s = file->Sync();
  const double seconds = SecondsSince(start);
  file.reset();
  mu_.Lock();

  sync_in_flight_ = false;
  ++stats_.fsyncs;
  stats_.fsync_seconds += seconds;
  // If the segment was abandoned meanwhile, its bytes are accounted for.
  const bool same = active_.file != nullptr && active_.index == index;
  if (s.ok()) {
    if (same) {
      active_.synced_size = std::max(active_.synced_size, size);
      synced_seq_ = std::max(synced_seq_, seq);
    }
  } else {
    ++stats_.sync_errors;
    STRATA_LOG(kError, "WAL fdatasync failed",
               {{"segment", SegmentName(index)}, {"err", s.ToString()}});
    if (same) AbandonActiveLocked(s);
  }
  sync_done_.SignalAll();
  return true;
}

Status Wal::AwaitSyncLocked(uint64_t begin, uint64_t end) {
  while (true) {
    for (const FailedRange& f : failures_) {
      if (f.begin < end && begin < f.end)
        return f.status.WithContext("wal fdatasync");
    }
    if (synced_seq_ >= end) return Status::OK();
    if (sync_in_flight_) {
      sync_done_.Wait(&mu_);
      continue;
    }
    // Become the leader: one fdatasync for everything written so far.
    if (!SyncActiveLocked()) {
      return Status::Internal("wal: nothing to sync but bytes are not durable");
    }
  }
}

void Wal::AbandonActiveLocked(const Status& cause) {
  ActiveSegment seg = std::move(active_);
  active_ = ActiveSegment{};
  stats_.active_segment = -1;
  ++stats_.segments_abandoned;
  if (seg.synced_size < seg.size) {
    if (calls_in_progress_ > 0) {
      failures_.push_back(FailedRange{seg.base_seq + seg.synced_size,
                                      seg.base_seq + seg.size, cause});
    }
    if (options_.sync == WalSyncPolicy::kInterval) sticky_error_ = cause;
  }
  synced_seq_ = written_seq_;
  pending_marker_index_ = seg.index;
  pending_marker_valid_ = seg.synced_size;
  STRATA_LOG(kError, "Abandoning WAL segment after an I/O error",
             {{"segment", SegmentName(seg.index)},
              {"durable_bytes", absl::StrCat(seg.synced_size)},
              {"err", cause.ToString()}});
  // Retried before the next segment is created if it fails now.
  (void)WritePendingMarkerLocked();
  sync_done_.SignalAll();
}

Status Wal::WritePendingMarkerLocked() {
  if (pending_marker_index_ < 0) return Status::OK();
  Status s = WriteAbandonMarker(fs_, dir_, pending_marker_index_,
                                pending_marker_valid_);
  if (!s.ok()) {
    ++stats_.write_errors;
    STRATA_LOG(kError, "Writing WAL abandon marker failed",
               {{"segment", SegmentName(pending_marker_index_)},
                {"err", s.ToString()}});
    return s.WithContext("wal abandon marker");
  }
  pending_marker_index_ = -1;
  return Status::OK();
}

void Wal::EndCallLocked() {
  if (--calls_in_progress_ == 0) failures_.clear();
}

Status Wal::Sync() {
  MutexLock lock(&mu_);
  if (closed_) return Status::OK();  // Close made everything durable.
  ++calls_in_progress_;
  Status s = AwaitSyncLocked(synced_seq_, written_seq_);
  EndCallLocked();
  if (s.ok() && !sticky_error_.ok()) {
    s = std::exchange(sticky_error_, Status::OK())
            .WithContext(
                "an earlier wal I/O error may have lost acknowledged records");
  }
  return s;
}

StatusOr<int> Wal::NextSegment() {
  MutexLock lock(&mu_);
  if (closed_) return Status::FailedPrecondition("wal is closed");
  ++calls_in_progress_;
  Status s = EnsureSegmentLocked();
  if (s.ok() && active_.size > 0) s = RollSegmentLocked(active_.index);
  if (s.ok()) s = EnsureSegmentLocked();
  const int index = active_.index;
  EndCallLocked();
  if (!s.ok()) return s;
  return index;
}

Status Wal::Close() {
  {
    MutexLock lock(&mu_);
    if (closed_) return Status::OK();
    stop_bg_ = true;
    stop_bg_cv_.SignalAll();
  }
  if (bg_thread_.joinable()) bg_thread_.join();

  MutexLock lock(&mu_);
  if (closed_) return Status::OK();
  while (sync_in_flight_) sync_done_.Wait(&mu_);
  Status s;
  if (active_.file != nullptr) s = FinishSegmentLocked();
  if (s.ok()) s = WritePendingMarkerLocked();
  closed_ = true;
  sync_done_.SignalAll();
  return s;
}

WalStats Wal::stats() const {
  MutexLock lock(&mu_);
  WalStats s = stats_;
  s.unsynced_bytes = static_cast<int64_t>(written_seq_ - synced_seq_);
  return s;
}

void Wal::BackgroundSync() {
  MutexLock lock(&mu_);
  while (!stop_bg_) {
    const absl::Time deadline =
        absl::Now() + absl::Milliseconds(options_.sync_interval_ms);
    while (!stop_bg_ && absl::Now() < deadline) {
      stop_bg_cv_.WaitWithDeadline(&mu_, deadline);
    }
    if (stop_bg_) break;
    if (!sync_in_flight_) (void)SyncActiveLocked();
  }
}

}  // namespace strata::wal
