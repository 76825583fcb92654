#include "inspect/block_builder.h"

#include "block/block_meta.h"
#include "block/block_writer.h"
#include "compact/planner.h"

namespace strata::inspect {

BlockBuilder::BlockBuilder(std::string out_dir,
                           const BlockBuilderOptions& options)
    : fs_(FileSystem::Default()),
      out_dir_(std::move(out_dir)),
      options_(options) {}

BlockBuilder::~BlockBuilder() = default;

BlockBuilder::Range* BlockBuilder::RangeFor(int64_t start) {
  Range& r = ranges_[start];
  if (!r.head) {
    HeadOptions ho;
    ho.chunk_range_ms = options_.block_range_ms;
    r.head = std::make_shared<Head>(ho);
  }
  return &r;
}

Status BlockBuilder::Add(const Labels& labels, int64_t t, double v,
                         bool same_series) {
  const int64_t start = AlignDown(t, options_.block_range_ms);
  for (int attempt = 0; attempt < 2; ++attempt) {
    Range* r = RangeFor(start);
    MemSeries* s = nullptr;
    if (same_series && last_series_ != nullptr && last_range_ == start) {
      s = last_series_;
    } else {
      bool created = false;
      s = r->head->GetOrCreate(labels, &created);
    }
    last_range_ = start;
    last_series_ = s;
    switch (r->head->AppendSample(s, t, v)) {
      case AppendOutcome::kAppended:
        ++stats_.samples;
        ++r->samples;
        if (++buffered_ >= options_.max_buffered_samples) return FlushAll();
        return Status::OK();
      case AppendOutcome::kDuplicate:
        ++stats_.duplicates;
        return Status::OK();
      case AppendOutcome::kConflict:
        ++stats_.conflicts;
        return Status::OK();
      case AppendOutcome::kRemoved:  // No truncation runs on these heads.
        return Status::Internal("import: series removed while appending");
      case AppendOutcome::kOutOfOrder:
        // Older than what this range holds for the series: write the range
        // out and start it afresh (the blocks will overlap).
        ++stats_.flushes_for_order;
        STRATA_RETURN_IF_ERROR(FlushRange(start));
        break;
    }
  }
  return Status::Internal("sample out of order in an empty head");
}

Status BlockBuilder::AddSeries(const Series& series) {
  std::unique_ptr<SampleIterator> it = series.NewIterator();
  bool first = true;
  while (it->Next()) {
    STRATA_RETURN_IF_ERROR(Add(series.labels(), it->t(), it->v(), !first));
    first = false;
  }
  return it->status();
}

Status BlockBuilder::FlushRange(int64_t start) {
  auto it = ranges_.find(start);
  if (it == ranges_.end()) return Status::OK();
  Range r = std::move(it->second);
  ranges_.erase(it);
  buffered_ -= r.samples;
  last_series_ = nullptr;
  if (r.samples == 0) return Status::OK();
  BlockWriterOptions wo;
  wo.chunk_range_ms = options_.block_range_ms;
  BlockWriter writer(fs_, out_dir_, wo);
  const BlockReader* sources[] = {r.head.get()};
  STRATA_ASSIGN_OR_RETURN(
      BlockMeta meta,
      writer.Write(sources, r.head->MinTime(), r.head->MaxTime() + 1));
  if (meta.stats.num_samples > 0) {
    ++stats_.blocks;
    stats_.written.push_back({meta.ulid.ToString(), meta.min_time,
                              meta.max_time, meta.stats.num_series,
                              meta.stats.num_samples});
  }
  return Status::OK();
}

Status BlockBuilder::FlushAll() {
  while (!ranges_.empty()) {
    STRATA_RETURN_IF_ERROR(FlushRange(ranges_.begin()->first));
  }
  return Status::OK();
}

Status BlockBuilder::Finish() { return FlushAll(); }

}  // namespace strata::inspect
