#include "db/head_snapshot_writer.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "util/log.h"
#include "wal/wal.h"

namespace strata::snapshot {
namespace {

// Records are handed to the WAL writer in groups of about this many bytes.
constexpr size_t kBatchBytes = 4 << 20;
// Stones per tombstone record, exemplars per exemplar record.
constexpr size_t kStonesPerRecord = 10000;
constexpr size_t kExemplarsPerRecord = 10000;

// Buffers records and logs them to `wal` in groups.
class RecordBatcher {
 public:
  explicit RecordBatcher(wal::Wal* wal) : wal_(wal) {}
  // A string to encode the next record into.
  std::string* Next() {
    if (used_ == records_.size()) records_.emplace_back();
    std::string* r = &records_[used_++];
    r->clear();
    return r;
  }
  // Call after encoding into Next()'s string.
  Status Added() {
    bytes_ += records_[used_ - 1].size();
    total_ += records_[used_ - 1].size();
    return bytes_ >= kBatchBytes ? Flush() : Status::OK();
  }
  Status Flush() {
    if (used_ == 0) return Status::OK();
    Status st = wal_->Log(std::span<const std::string>(records_.data(), used_));
    used_ = 0;
    bytes_ = 0;
    return st;
  }
  int64_t total_bytes() const { return static_cast<int64_t>(total_); }

 private:
  wal::Wal* wal_;
  std::vector<std::string> records_;  // The first used_ are pending.
  size_t used_ = 0;
  size_t bytes_ = 0;
  size_t total_ = 0;
};

// The exemplar ring, oldest first, as Prometheus's chunk snapshot: only
// exemplars of series the snapshot holds (the WAL after it cannot refer to
// others either).
Status WriteExemplars(const Head& head, RecordBatcher* out) {
  std::vector<wal::RefExemplar> exemplars;
  head.exemplars().ForEach([&](const Labels& series, const Exemplar& e) {
    const MemSeries* s = head.Get(series);
    if (s == nullptr || !s->wal_logged()) return;
    exemplars.push_back({s->id(), e.t_ms, e.value, e.labels});
  });
  for (size_t i = 0; i < exemplars.size(); i += kExemplarsPerRecord) {
    snapshot::EncodeExemplars(
        std::span<const wal::RefExemplar>(exemplars).subspan(
            i, std::min(kExemplarsPerRecord, exemplars.size() - i)),
        out->Next());
    STRATA_RETURN_IF_ERROR(out->Added());
  }
  return Status::OK();
}

Status WriteRecords(wal::Wal* wal, const Head& head, const Header& header,
                    DiskChunks disk_chunks, WriteStats* stats) {
  RecordBatcher out(wal);
  EncodeHeader(header, out.Next());
  STRATA_RETURN_IF_ERROR(out.Added());
  Footer footer;
  Status st;
  SeriesStateView scratch;
  // Chunks read back go through mappings, not a pread each; by reference,
  // none is read (ViewState gives their refs without files).
  HeadChunkFiles* const chunk_files =
      disk_chunks == DiskChunks::kInline ? head.chunk_files() : nullptr;
  if (chunk_files != nullptr) chunk_files->BeginBulkRead();
  struct EndBulkRead {
    HeadChunkFiles* files;
    ~EndBulkRead() {
      if (files != nullptr) files->EndBulkRead();
    }
  } end_bulk_read{chunk_files};
  head.ForEachSeries([&](MemSeries* s) {
    // A series never logged has no committed sample: the WAL after the
    // snapshot could not refer to it.
    if (!st.ok() || !s->wal_logged()) return;
    st = s->ViewState(&scratch, chunk_files, [&](const SeriesStateView& view) {
      EncodeSeries(s->id(), s->labels(), view, out.Next());
      footer.chunks += view.closed.size() + (view.has_open ? 1 : 0);
      for (const SeriesChunkView& c : view.closed)
        stats->chunk_refs += c.disk_ref != 0 ? 1 : 0;
    });
    if (!st.ok()) return;
    ++footer.series;
    st = out.Added();
  });
  STRATA_RETURN_IF_ERROR(st);
  std::vector<wal::Stone> stones;
  head.ForEachTombstone([&](SeriesId id, const Intervals& ivs) {
    wal::Stone stone{id, {}};
    for (const Interval& iv : ivs)
      stone.intervals.push_back({iv.mint, iv.maxt});
    stones.push_back(std::move(stone));
  });
  for (size_t i = 0; i < stones.size(); i += kStonesPerRecord) {
    const std::span<const wal::Stone> part =
        std::span<const wal::Stone>(stones).subspan(
            i, std::min(kStonesPerRecord, stones.size() - i));
    snapshot::EncodeTombstones(part, out.Next());
    ++footer.tombstone_records;
    STRATA_RETURN_IF_ERROR(out.Added());
  }
  STRATA_RETURN_IF_ERROR(WriteExemplars(head, &out));
  EncodeFooter(footer, out.Next());
  STRATA_RETURN_IF_ERROR(out.Added());
  STRATA_RETURN_IF_ERROR(out.Flush());
  stats->series = static_cast<int64_t>(footer.series);
  stats->chunks = static_cast<int64_t>(footer.chunks);
  stats->bytes = out.total_bytes();
  return Status::OK();
}

// Writes the snapshot's segments into `dir` (created) and syncs them.
Status WriteSegments(FileSystem* fs, const std::string& dir, const Head& head,
                     const Header& header, DiskChunks disk_chunks,
                     WriteStats* stats) {
  wal::WalOptions options;
  // Close fdatasyncs every segment; no background sync is needed.
  options.sync = WalSyncPolicy::kInterval;
  options.sync_interval_ms = int64_t{24} * 3600 * 1000;
  options.compression = wal::Compression::kNone;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<wal::Wal> wal,
                          wal::Wal::Open(dir, fs, options));
  Status st = WriteRecords(wal.get(), head, header, disk_chunks, stats);
  Status closed = wal->Close();
  STRATA_RETURN_IF_ERROR(st);
  STRATA_RETURN_IF_ERROR(closed);
  return fs->SyncDir(dir);
}

}  // namespace

Status RemoveSnapshotsExcept(FileSystem* fs, const std::string& db_dir,
                             const std::string& keep) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(db_dir));
  bool removed = false;
  for (const std::string& name : names) {
    if (!name.starts_with(kDirPrefix) || name == keep) continue;
    STRATA_RETURN_IF_ERROR(fs->RemoveAll(JoinPath(db_dir, name)));
    removed = true;
  }
  return removed ? fs->SyncDir(db_dir) : Status::OK();
}

Status WriteSnapshot(FileSystem* fs, const std::string& db_dir,
                     const Head& head, const Header& header,
                     DiskChunks disk_chunks, WriteStats* stats) {
  const auto start = std::chrono::steady_clock::now();
  const std::string name = DirName(header.position);
  const std::string final_dir = JoinPath(db_dir, name);
  const std::string tmp_dir = final_dir + kTmpSuffix;
  Status st = fs->Exists(tmp_dir) ? fs->RemoveAll(tmp_dir) : Status::OK();
  if (st.ok())
    st = WriteSegments(fs, tmp_dir, head, header, disk_chunks, stats);
  // The same WAL position means the same head: the older copy of this
  // snapshot goes first (a crash in between leaves no snapshot, and the
  // next open replays the WAL).
  if (st.ok() && fs->Exists(final_dir)) st = fs->RemoveAll(final_dir);
  if (st.ok()) st = fs->Rename(tmp_dir, final_dir);
  if (st.ok()) st = fs->SyncDir(db_dir);
  if (!st.ok()) {
    if (fs->Exists(tmp_dir)) {
      Status rm = fs->RemoveAll(tmp_dir);
      if (!rm.ok()) {
        STRATA_LOG(kWarn, "removing partial head snapshot",
                   {{"dir", tmp_dir}, {"err", rm.ToString()}});
      }
    }
    return st.WithContext("writing head snapshot " + name);
  }
  stats->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  // The new snapshot is durable: older ones are redundant. Failing to
  // remove them is harmless (the newest position wins at load).
  Status rm = RemoveSnapshotsExcept(fs, db_dir, name);
  if (!rm.ok()) {
    STRATA_LOG(kWarn, "removing older head snapshots",
               {{"err", rm.ToString()}});
  }
  return Status::OK();
}

}  // namespace strata::snapshot
