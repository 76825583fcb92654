#include "wal/checkpoint.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "util/log.h"
#include "wal/histogram_record.h"
#include "wal/record.h"
#include "wal/replay.h"
#include "wal/segment.h"

namespace strata::wal {
namespace {

// Keeps the samples of a histogram record (type 7 or 8) at or after mint
// of kept series, as for float samples (Prometheus 2.42's Checkpoint).
template <typename Sample>
Status FilterHistograms(std::string_view rec,
                        Status (*decode)(std::string_view,
                                         std::vector<Sample>*),
                        void (*encode)(std::span<const Sample>, std::string*),
                        const std::function<bool(uint64_t)>& keep_series,
                        int64_t mint, CheckpointStats* stats,
                        std::string* out) {
  std::vector<Sample> samples;
  STRATA_RETURN_IF_ERROR(decode(rec, &samples));
  const size_t total = samples.size();
  std::erase_if(samples, [&](const Sample& s) {
    return s.t < mint || !keep_series(s.ref);
  });
  stats->samples_kept += static_cast<int64_t>(samples.size());
  stats->samples_dropped += static_cast<int64_t>(total - samples.size());
  if (!samples.empty()) encode(samples, out);
  return Status::OK();
}

// Rewrites one record keeping only what the head still needs; returns ""
// when nothing is left.
Status FilterRecord(std::string_view rec,
                    const std::function<bool(uint64_t)>& keep_series,
                    int64_t mint, CheckpointStats* stats, std::string* out) {
  out->clear();
  switch (GetRecordType(rec)) {
    case RecordType::kSeries: {
      std::vector<RefSeries> series;
      STRATA_RETURN_IF_ERROR(DecodeSeries(rec, &series));
      std::vector<RefSeries> kept;
      for (RefSeries& s : series) {
        if (keep_series(s.ref)) {
          kept.push_back(std::move(s));
        } else {
          ++stats->series_dropped;
        }
      }
      stats->series_kept += static_cast<int64_t>(kept.size());
      if (!kept.empty()) EncodeSeries(kept, out);
      return Status::OK();
    }
    case RecordType::kSamples: {
      std::vector<RefSample> samples;
      STRATA_RETURN_IF_ERROR(DecodeSamples(rec, &samples));
      std::vector<RefSample> kept;
      for (const RefSample& s : samples) {
        if (s.t >= mint && keep_series(s.ref)) {
          kept.push_back(s);
        } else {
          ++stats->samples_dropped;
        }
      }
      stats->samples_kept += static_cast<int64_t>(kept.size());
      if (!kept.empty()) EncodeSamples(kept, out);
      return Status::OK();
    }
    case RecordType::kTombstones: {
      std::vector<Stone> stones;
      STRATA_RETURN_IF_ERROR(DecodeTombstones(rec, &stones));
      std::vector<Stone> kept;
      for (Stone& s : stones) {
        if (!keep_series(s.ref)) continue;
        std::erase_if(s.intervals,
                      [&](const Interval& i) { return i.maxt < mint; });
        if (!s.intervals.empty()) kept.push_back(std::move(s));
      }
      stats->tombstones_kept += static_cast<int64_t>(kept.size());
      if (!kept.empty()) EncodeTombstones(kept, out);
      return Status::OK();
    }
    case RecordType::kExemplars: {
      // As Prometheus 2.42: by time only, whatever the series.
      std::vector<RefExemplar> exemplars;
      STRATA_RETURN_IF_ERROR(DecodeExemplars(rec, &exemplars));
      const size_t total = exemplars.size();
      std::erase_if(exemplars,
                    [&](const RefExemplar& e) { return e.t < mint; });
      stats->exemplars_kept += static_cast<int64_t>(exemplars.size());
      stats->exemplars_dropped +=
          static_cast<int64_t>(total - exemplars.size());
      if (!exemplars.empty()) EncodeExemplars(exemplars, out);
      return Status::OK();
    }
    case RecordType::kHistogramSamples:
      return FilterHistograms<RefHistogramSample>(
          rec, &DecodeHistogramSamples, &EncodeHistogramSamples, keep_series,
          mint, stats, out);
    case RecordType::kFloatHistogramSamples:
      return FilterHistograms<RefFloatHistogramSample>(
          rec, &DecodeFloatHistogramSamples, &EncodeFloatHistogramSamples,
          keep_series, mint, stats, out);
    default:
      // Record types Strata does not use yet are not carried forward.
      return Status::OK();
  }
}

}  // namespace

StatusOr<std::string> LatestCheckpoint(FileSystem* fs, const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(std::vector<CheckpointRef> cps,
                          ListCheckpoints(fs, dir));
  if (cps.empty()) return std::string();
  return JoinPath(dir, cps.back().name);
}

Status Checkpoint(FileSystem* fs, const std::string& dir, int last,
                  const std::function<bool(uint64_t ref)>& keep_series,
                  int64_t mint, const WalOptions& options,
                  CheckpointStats* stats) {
  STRATA_ASSIGN_OR_RETURN(SegmentRange range, GetSegmentRange(fs, dir));
  if (range.first < 0 || last < range.first) return Status::OK();
  stats->attempted = true;
  if (last > range.last) last = range.last;
  STRATA_ASSIGN_OR_RETURN(std::vector<CheckpointRef> old_cps,
                          ListCheckpoints(fs, dir));

  const std::string final_dir = JoinPath(dir, CheckpointName(last));
  const std::string tmp_dir = final_dir + ".tmp";
  if (fs->Exists(tmp_dir)) STRATA_RETURN_IF_ERROR(fs->RemoveAll(tmp_dir));
  WalOptions cp_options = options;
  cp_options.sync = WalSyncPolicy::kInterval;  // One sync at Close.
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Wal> out,
                          Wal::Open(tmp_dir, fs, cp_options));

  std::string filtered;
  std::vector<std::string> batch;
  size_t batch_bytes = 0;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::OK();
    Status st = out->Log(batch);
    batch.clear();
    batch_bytes = 0;
    return st;
  };
  auto on_record = [&](std::string_view rec) -> Status {
    ++stats->records_read;
    STRATA_RETURN_IF_ERROR(
        FilterRecord(rec, keep_series, mint, stats, &filtered));
    if (filtered.empty()) return Status::OK();
    batch_bytes += filtered.size();
    batch.push_back(filtered);
    if (batch_bytes >= (1 << 20)) return flush();
    return Status::OK();
  };
  // The previous checkpoint first, then the segments it did not cover.
  if (!old_cps.empty()) {
    const std::string prev = JoinPath(dir, old_cps.back().name);
    STRATA_ASSIGN_OR_RETURN(SegmentRange prev_range, GetSegmentRange(fs, prev));
    if (prev_range.first >= 0) {
      STRATA_RETURN_IF_ERROR(
          ReadSegments(fs, prev, prev_range.first, prev_range.last, on_record)
              .WithContext("reading " + prev));
    }
  }
  STRATA_RETURN_IF_ERROR(ReadSegments(fs, dir, range.first, last, on_record)
                             .WithContext("checkpoint"));
  STRATA_RETURN_IF_ERROR(flush());
  STRATA_RETURN_IF_ERROR(out->Close());
  out.reset();
  STRATA_RETURN_IF_ERROR(fs->SyncDir(tmp_dir));
  STRATA_RETURN_IF_ERROR(fs->Rename(tmp_dir, final_dir));
  STRATA_RETURN_IF_ERROR(fs->SyncDir(dir));
  stats->created = true;

  // Only now is it safe to drop what the checkpoint replaces.
  STRATA_RETURN_IF_ERROR(RemoveSegmentsBefore(fs, dir, last + 1));
  stats->segments_removed = last - range.first + 1;
  stats->truncated = true;
  for (const CheckpointRef& cp : old_cps) {
    if (cp.index < last) {
      Status st = fs->RemoveAll(JoinPath(dir, cp.name));
      if (!st.ok()) {
        STRATA_LOG(kWarn, "removing old checkpoint", {{"err", st.ToString()}});
      }
    }
  }
  return fs->SyncDir(dir);
}

}  // namespace strata::wal
