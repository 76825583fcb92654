#include "db/head_snapshot_loader.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "db/head_snapshot_writer.h"
#include "db/series_restore_pool.h"
#include "util/log.h"
#include "wal/replay.h"
#include "wal/segment.h"

namespace strata::snapshot {
namespace {

// Whether the WAL still continues exactly where the snapshot ends.
Status CheckWalFits(FileSystem* fs, const std::string& wal_dir,
                    const WalPosition& pos) {
  STRATA_ASSIGN_OR_RETURN(std::vector<wal::SegmentRef> segments,
                          wal::ListSegments(fs, wal_dir));
  auto it = std::find_if(
      segments.begin(), segments.end(),
      [&](const wal::SegmentRef& s) { return s.index == pos.segment; });
  if (it == segments.end()) {
    return Status::FailedPrecondition(absl::StrCat(
        "WAL segment ", pos.segment, " is gone (truncated since)"));
  }
  STRATA_ASSIGN_OR_RETURN(int64_t size,
                          fs->FileSize(JoinPath(wal_dir, it->name)));
  if (size < pos.offset) {
    return Status::FailedPrecondition(
        absl::StrCat("position ", pos.offset, " is beyond the end (", size,
                     ") of WAL segment ", pos.segment));
  }
  if (size > pos.offset) {
    return Status::FailedPrecondition(
        absl::StrCat("WAL segment ", pos.segment, " grew after the snapshot (",
                     size, " bytes, snapshot at ", pos.offset, ")"));
  }
  int expected = pos.segment + 1;
  for (++it; it != segments.end(); ++it, ++expected) {
    if (it->index != expected) {
      return Status::FailedPrecondition(
          absl::StrCat("WAL segment ", expected, " is missing"));
    }
  }
  return Status::OK();
}

// Reads the snapshot's records into `head`.
class RecordLoader {
 public:
  RecordLoader(Head* head, const WalPosition& pos, std::string checkpoint,
               int workers, DiskChunkCheck check_disk_chunk, LoadResult* result)
      : head_(head),
        pos_(pos),
        checkpoint_(std::move(checkpoint)),
        result_(result),
        series_(head, workers, std::move(check_disk_chunk)) {}

  Status OnRecord(std::string_view record) {
    if (footer_seen_) {
      return Status::Corruption("head snapshot: records after the footer");
    }
    if (!header_seen_) {
      header_seen_ = true;
      return OnHeader(record);
    }
    switch (GetRecordType(record)) {
      case RecordType::kSeries:
      case RecordType::kSeriesWithRefs:
      case RecordType::kSeriesWithEncodings:
        return OnSeries(record);
      case RecordType::kTombstones:
        return OnTombstones(record);
      case RecordType::kExemplars:
        return OnExemplars(record);
      case RecordType::kFooter:
        footer_seen_ = true;
        return OnFooter(record);
      default:
        return Status::Corruption(absl::StrCat(
            "head snapshot: unknown record type ",
            record.empty() ? -1 : static_cast<uint8_t>(record[0])));
    }
  }

  Status Finish() {
    STRATA_RETURN_IF_ERROR(series_.Finish());
    if (!footer_seen_) return Status::Corruption("head snapshot: no footer");
    return Status::OK();
  }

 private:
  Status OnHeader(std::string_view record) {
    Header h;
    STRATA_RETURN_IF_ERROR(DecodeHeader(record, &h));
    if (h.position != pos_) {
      return Status::Corruption(
          "head snapshot: header position differs from "
          "its directory name");
    }
    if (h.checkpoint != checkpoint_) {
      return Status::FailedPrecondition(
          absl::StrCat("the WAL was checkpointed since (snapshot after \"",
                       h.checkpoint, "\", WAL now at \"", checkpoint_, "\")"));
    }
    return Status::OK();
  }

  Status OnSeries(std::string_view record) {
    series_.Add(record);
    return Status::OK();
  }

  Status OnTombstones(std::string_view record) {
    stones_.clear();
    STRATA_RETURN_IF_ERROR(snapshot::DecodeTombstones(record, &stones_));
    for (const wal::Stone& s : stones_) {
      if (s.ref == 0 || s.ref > UINT32_MAX) continue;
      for (const wal::Interval& iv : s.intervals) {
        head_->AddTombstone(static_cast<SeriesId>(s.ref),
                            Interval{iv.mint, iv.maxt});
      }
    }
    ++result_->tombstone_records;
    return Status::OK();
  }

  // Into the ring, oldest first; the series are restored by then.
  Status OnExemplars(std::string_view record) {
    STRATA_RETURN_IF_ERROR(series_.Finish());
    exemplars_.clear();
    STRATA_RETURN_IF_ERROR(snapshot::DecodeExemplars(record, &exemplars_));
    for (wal::RefExemplar& e : exemplars_) {
      const MemSeries* s = e.ref == 0 || e.ref > UINT32_MAX
                               ? nullptr
                               : head_->GetById(static_cast<SeriesId>(e.ref));
      if (s == nullptr) {
        return Status::Corruption(
            absl::StrCat("head snapshot: exemplar of unknown series ", e.ref));
      }
      // As the WAL replay: a stored exemplar carries no has-timestamp bit.
      Exemplar exemplar{std::move(e.labels), e.v, e.t, false};
      // Refusals (storage off or smaller now) drop it, as the WAL replay.
      (void)head_->exemplars().Add(s->labels(), exemplar);
      ++result_->exemplars;
    }
    return Status::OK();
  }

  Status OnFooter(std::string_view record) {
    Footer f;
    STRATA_RETURN_IF_ERROR(DecodeFooter(record, &f));
    STRATA_RETURN_IF_ERROR(series_.Finish());
    const SeriesRestorePool::Counts counts = series_.counts();
    result_->series = counts.series;
    result_->chunks = counts.chunks;
    result_->chunk_refs = counts.chunk_refs;
    result_->samples = counts.samples;
    const Footer seen{static_cast<uint64_t>(result_->series),
                      static_cast<uint64_t>(result_->chunks),
                      static_cast<uint64_t>(result_->tombstone_records)};
    if (f != seen) {
      return Status::Corruption(absl::StrCat(
          "head snapshot: footer counts ", f.series, "/", f.chunks, "/",
          f.tombstone_records, " differ from the records read ", seen.series,
          "/", seen.chunks, "/", seen.tombstone_records));
    }
    return Status::OK();
  }

  Head* const head_;
  const WalPosition pos_;
  const std::string checkpoint_;
  LoadResult* const result_;
  bool header_seen_ = false;
  bool footer_seen_ = false;
  std::vector<wal::Stone> stones_;
  std::vector<wal::RefExemplar> exemplars_;
  // Last: its destructor joins the workers before the rest goes.
  SeriesRestorePool series_;
};

// Loads `name` into head; any failure says why it is unusable.
Status LoadOne(FileSystem* fs, const std::string& db_dir,
               const std::string& wal_dir, const std::string& name,
               const WalPosition& pos, Head* head, int workers,
               DiskChunkCheck check_disk_chunk, LoadResult* result) {
  STRATA_RETURN_IF_ERROR(CheckWalFits(fs, wal_dir, pos));
  STRATA_ASSIGN_OR_RETURN(std::string checkpoint,
                          NewestCheckpointName(fs, wal_dir));
  RecordLoader loader(head, pos, std::move(checkpoint), workers,
                      std::move(check_disk_chunk), result);
  result->head_dirty = true;
  STRATA_RETURN_IF_ERROR(wal::ReadSegments(
      fs, JoinPath(db_dir, name), -1, -1,
      [&](std::string_view record) { return loader.OnRecord(record); }));
  return loader.Finish();
}

}  // namespace

StatusOr<LoadResult> LoadNewestSnapshot(FileSystem* fs,
                                        const std::string& db_dir,
                                        const std::string& wal_dir, Head* head,
                                        int workers,
                                        DiskChunkCheck check_disk_chunk) {
  const auto start = std::chrono::steady_clock::now();
  LoadResult result;
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(db_dir));
  std::optional<WalPosition> newest;
  for (const std::string& name : names) {
    std::optional<WalPosition> pos = ParseDirName(name);
    if (pos.has_value() && (!newest.has_value() || *pos > *newest)) {
      newest = pos;
      result.name = name;
    }
  }
  // Partial and older snapshots are of no use.
  Status rm = RemoveSnapshotsExcept(fs, db_dir, result.name);
  if (!rm.ok()) {
    STRATA_LOG(kWarn, "removing older head snapshots",
               {{"err", rm.ToString()}});
  }
  if (!newest.has_value()) return result;
  result.position = *newest;
  Status st = LoadOne(fs, db_dir, wal_dir, result.name, *newest, head, workers,
                      std::move(check_disk_chunk), &result);
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (st.ok()) {
    result.loaded = true;
    return result;
  }
  result.discarded = st.ToString();
  STRATA_LOG(kWarn,
             "head snapshot unusable; removing it and replaying the "
             "whole WAL",
             {{"snapshot", result.name}, {"err", result.discarded}});
  Status removed = RemoveSnapshotsExcept(fs, db_dir, "");
  if (!removed.ok()) {
    STRATA_LOG(kWarn, "removing head snapshot", {{"err", removed.ToString()}});
  }
  return result;
}

}  // namespace strata::snapshot
