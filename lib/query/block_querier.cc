#include "query/block_querier.h"

#include <algorithm>
#include <set>

#include "index/intervals.h"
#include "index/postings_for_matchers.h"
#include "query/chunk_series_iterator.h"
#include "query/series_iterator.h"

namespace strata {
namespace {

// One series as found in one block.
struct BlockSeries {
  const BlockReader* block;
  std::vector<ChunkMeta> chunks;
  Intervals deleted;
};

class MergedSeries : public Series {
 public:
  MergedSeries(Labels labels, std::vector<BlockSeries> parts, int64_t mint,
               int64_t maxt, DamageRecorder* damage)
      : labels_(std::move(labels)),
        parts_(std::move(parts)),
        mint_(mint),
        maxt_(maxt),
        damage_(damage) {}

  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SampleIterator> NewIterator() const override {
    if (parts_.size() == 1) return NewChain(parts_[0]);
    std::vector<std::unique_ptr<SampleIterator>> its;
    its.reserve(parts_.size());
    for (const BlockSeries& p : parts_) its.push_back(NewChain(p));
    return std::make_unique<MergingIterator>(std::move(its));
  }
  std::unique_ptr<ChunkIterator> NewChunkIterator() const override {
    if (parts_.size() == 1) {
      const BlockSeries& p = parts_[0];
      return std::make_unique<BlockChunkIterator>(
          &p.block->Chunks(), p.chunks, mint_, maxt_, p.deleted, Context(p));
    }
    // Overlapping blocks: merge and de-duplicate, then re-encode.
    return std::make_unique<EncodingChunkIterator>(NewIterator());
  }

 private:
  std::unique_ptr<SampleIterator> NewChain(const BlockSeries& p) const {
    return std::make_unique<ChunkChainIterator>(
        &p.block->Chunks(), p.chunks, mint_, maxt_, p.deleted, Context(p));
  }
  DamageContext Context(const BlockSeries& p) const {
    return {damage_, p.block, &labels_};
  }

  Labels labels_;
  std::vector<BlockSeries> parts_;
  int64_t mint_;
  int64_t maxt_;
  DamageRecorder* damage_;  // Owned by the series set.
};

class VectorSeriesSet : public SeriesSet {
 public:
  VectorSeriesSet(std::vector<std::unique_ptr<MergedSeries>> series,
                  std::vector<std::shared_ptr<const BlockReader>> pins,
                  std::shared_ptr<DamageRecorder> damage)
      : series_(std::move(series)),
        pins_(std::move(pins)),
        damage_(std::move(damage)) {}
  bool Next() override {
    if (pos_ >= series_.size()) return false;
    ++pos_;
    return true;
  }
  const Series& At() const override { return *series_[pos_ - 1]; }
  Status status() const override { return Status::OK(); }

 private:
  std::vector<std::unique_ptr<MergedSeries>> series_;
  std::vector<std::shared_ptr<const BlockReader>> pins_;
  std::shared_ptr<DamageRecorder> damage_;
  size_t pos_ = 0;
};

class ErrorSet : public SeriesSet {
 public:
  explicit ErrorSet(Status s) : status_(std::move(s)) {}
  bool Next() override { return false; }
  const Series& At() const override { std::abort(); }
  Status status() const override { return status_; }

 private:
  Status status_;
};

bool AllMatchEmpty(const std::vector<Matcher>& matchers) {
  return std::all_of(matchers.begin(), matchers.end(),
                     [](const Matcher& m) { return m.Matches(""); });
}

}  // namespace

std::unique_ptr<SeriesSet> ErrorSeriesSet(Status status) {
  return std::make_unique<ErrorSet>(std::move(status));
}

BlockQuerier::BlockQuerier(
    std::vector<std::shared_ptr<const BlockReader>> blocks, int64_t mint,
    int64_t maxt, std::shared_ptr<DamageListener> listener)
    : Querier(mint, maxt),
      damage_(std::make_shared<DamageRecorder>(std::move(listener))) {
  for (auto& b : blocks) {
    if (b->MinTime() <= maxt && mint <= b->MaxTime()) {
      blocks_.push_back(std::move(b));
    }
  }
}

std::vector<std::string> BlockQuerier::Warnings() const {
  return damage_->Warnings();
}

bool BlockQuerier::ReadSeries(const BlockReader& block, SeriesId id,
                              Labels* labels, std::vector<ChunkMeta>* chunks,
                              Status* status) {
  Status st = block.Index().Series(id, labels, chunks);
  if (st.ok()) return true;
  if (st.IsNotFound()) return false;  // Removed from the head meanwhile.
  if (!st.IsCorruption()) {
    *status = st.WithContext(block.Name());
    return false;
  }
  // Its labels are what is damaged: the id names it.
  damage_->Record({CorruptionKind::kIndex, block.Name(),
                   "series id " + std::to_string(id), st});
  return false;
}

std::unique_ptr<SeriesSet> BlockQuerier::Select(
    const std::vector<Matcher>& matchers, const SelectHints& hints) {
  if (matchers.empty() || AllMatchEmpty(matchers)) {
    return ErrorSeriesSet(Status::InvalidArgument(
        "vector selector must contain at least one non-empty matcher"));
  }
  // Collect (labels, part) from each block, then group by labels.
  std::vector<std::pair<Labels, BlockSeries>> found;
  for (const auto& block : blocks_) {
    const IndexReader& index = block->Index();
    StatusOr<Postings> postings = PostingsForMatchers(index, matchers);
    if (!postings.ok()) return ErrorSeriesSet(postings.status());
    const TombstoneReader& stones = block->Tombstones();
    std::vector<ChunkMeta> metas;
    for (SeriesId id : *postings) {
      Labels labels;
      metas.clear();
      Status st;
      if (!ReadSeries(*block, id, &labels, &metas, &st)) {
        if (!st.ok()) return ErrorSeriesSet(st);
        continue;
      }
      BlockSeries part{block.get(), {}, {}};
      if (!stones.Empty()) part.deleted = stones.Get(id);
      // As Prometheus, a series whose chunks in range are all deleted is
      // not selected at all.
      for (const ChunkMeta& m : metas) {
        if (m.Overlaps(mint(), maxt()) &&
            !CoveredBy(part.deleted, {m.mint, m.maxt})) {
          part.chunks.push_back(m);
        }
      }
      if (part.chunks.empty()) continue;
      found.emplace_back(std::move(labels), std::move(part));
    }
  }
  // Grouping needs label order even when the caller does not.
  (void)hints;
  std::stable_sort(
      found.begin(), found.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::unique_ptr<MergedSeries>> out;
  for (size_t i = 0; i < found.size();) {
    size_t j = i;
    std::vector<BlockSeries> parts;
    while (j < found.size() && found[j].first == found[i].first) {
      parts.push_back(std::move(found[j].second));
      ++j;
    }
    out.push_back(std::make_unique<MergedSeries>(std::move(found[i].first),
                                                 std::move(parts), mint(),
                                                 maxt(), damage_.get()));
    i = j;
  }
  return std::make_unique<VectorSeriesSet>(std::move(out), blocks_, damage_);
}

StatusOr<std::vector<std::string>> BlockQuerier::LabelNames(
    const std::vector<Matcher>& matchers) {
  std::set<std::string> names;
  for (const auto& block : blocks_) {
    const IndexReader& index = block->Index();
    if (matchers.empty()) {
      STRATA_ASSIGN_OR_RETURN(std::vector<std::string> n, index.LabelNames());
      names.insert(n.begin(), n.end());
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(Postings postings,
                            PostingsForMatchers(index, matchers));
    for (SeriesId id : postings) {
      Labels labels;
      Status st;
      if (!ReadSeries(*block, id, &labels, nullptr, &st)) {
        STRATA_RETURN_IF_ERROR(st);
        continue;
      }
      for (const Label& l : labels) names.insert(l.name);
    }
  }
  return std::vector<std::string>(names.begin(), names.end());
}

StatusOr<std::vector<std::string>> BlockQuerier::LabelValues(
    const std::string& name, const std::vector<Matcher>& matchers) {
  std::set<std::string> values;
  for (const auto& block : blocks_) {
    const IndexReader& index = block->Index();
    if (matchers.empty()) {
      STRATA_ASSIGN_OR_RETURN(std::vector<std::string> v,
                              index.LabelValues(name));
      values.insert(v.begin(), v.end());
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(Postings postings,
                            PostingsForMatchers(index, matchers));
    for (SeriesId id : postings) {
      Labels labels;
      Status st;
      if (!ReadSeries(*block, id, &labels, nullptr, &st)) {
        STRATA_RETURN_IF_ERROR(st);
        continue;
      }
      std::string_view v = labels.Get(name);
      if (!v.empty()) values.emplace(v);
    }
  }
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace strata
