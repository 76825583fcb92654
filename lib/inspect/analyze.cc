#include "inspect/analyze.h"

#include <algorithm>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "chunk/chunk_decoding.h"
#include "index/postings_for_matchers.h"
#include "inspect/data_dir.h"

namespace strata::inspect {
namespace {

using CountMap = absl::flat_hash_map<std::string, int64_t>;

// The `limit` highest counts of `m`, ties by name.
NameCounts Top(const CountMap& m, int limit) {
  NameCounts v(m.begin(), m.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (static_cast<int>(v.size()) > limit) v.resize(limit);
  return v;
}

StatusOr<Postings> SelectedSeries(const BlockReader& b,
                                  const std::vector<Matcher>& matchers) {
  if (matchers.empty()) return b.Index().AllPostings();
  return PostingsForMatchers(b.Index(), matchers);
}

// The blocks that opened, oldest first.
std::vector<const BlockEntry*> OpenedBlocks(const DataDir& d) {
  std::vector<const BlockEntry*> blocks;
  for (const BlockEntry& e : d.blocks()) {
    if (e.block) blocks.push_back(&e);
  }
  std::sort(blocks.begin(), blocks.end(), [](auto* a, auto* b) {
    return a->block->MinTime() < b->block->MinTime();
  });
  return blocks;
}

struct Target {
  std::shared_ptr<const BlockReader> reader;
  const Block* block = nullptr;  // Null for the head.
};

// `name` as AnalyzeOptions::block says: a ULID, the head, or the newest.
StatusOr<Target> PickTarget(const DataDir& d,
                            const std::vector<const BlockEntry*>& blocks,
                            const std::string& name) {
  Target t;
  if (name == kHeadBlockName) {
    t.reader = d.head();
  } else if (!name.empty()) {
    for (const BlockEntry* e : blocks) {
      if (e->name == name) t = {e->block, e->block.get()};
    }
    if (!t.reader) return Status::NotFound("no readable block " + name);
  } else if (!blocks.empty()) {
    t = {blocks.back()->block, blocks.back()->block.get()};
  } else {
    t.reader = d.head();
  }
  if (!t.reader) {
    return Status::NotFound("nothing to analyze: no blocks, no WAL");
  }
  return t;
}

// Counts of one block's series by metric name, label name and pair, and
// its chunks by fullness.
class Tally {
 public:
  void AddSeries(const Labels& labels) {
    ++series_;
    for (const Label& l : labels) {
      if (l.name == kMetricNameLabel) ++metric_series_[l.value];
      ++name_series_[l.name];
      ++pair_series_[l.name + "=" + l.value];
      if (name_values_[l.name].insert(l.value).second) {
        name_value_bytes_[l.name] += static_cast<int64_t>(l.value.size());
      }
    }
  }

  void AddChunk(int samples, AnalyzeReport* r) {
    ++r->chunks;
    r->samples += samples;
    size_t b = 0;
    while (b + 1 < kChunkFullnessBuckets.size() &&
           samples >= kChunkFullnessBuckets[b + 1]) {
      ++b;
    }
    ++r->chunk_fullness[b];
  }

  void Report(int limit, AnalyzeReport* r) const {
    r->series = series_;
    CountMap name_cardinality;
    for (const auto& [n, vals] : name_values_) {
      name_cardinality[n] = static_cast<int64_t>(vals.size());
    }
    r->metrics = Top(metric_series_, limit);
    r->label_names_by_values = Top(name_cardinality, limit);
    r->label_names_by_series = Top(name_series_, limit);
    r->label_names_by_value_bytes = Top(name_value_bytes_, limit);
    r->label_pairs = Top(pair_series_, limit);
    for (const auto& [name, card] :
         Top(name_cardinality, std::min(limit, kMaxValueLists))) {
      r->label_values_by_series.push_back(
          {name, Top(ValuesBySeries(name), limit)});
    }
  }

 private:
  // Label names whose values are listed by series touched.
  static constexpr int kMaxValueLists = 5;

  CountMap ValuesBySeries(const std::string& name) const {
    CountMap per_value;
    for (const auto& [pair, n] : pair_series_) {
      if (pair.size() > name.size() && pair.starts_with(name) &&
          pair[name.size()] == '=') {
        per_value[pair.substr(name.size() + 1)] = n;
      }
    }
    return per_value;
  }

  int64_t series_ = 0;
  CountMap metric_series_, name_series_, pair_series_, name_value_bytes_;
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>>
      name_values_;
};

// Tallies the selected series of `target` and their chunks into `r`.
Status AnalyzeSeries(const BlockReader& target,
                     const std::vector<Matcher>& matchers, int limit,
                     AnalyzeReport* r) {
  STRATA_ASSIGN_OR_RETURN(Postings ids, SelectedSeries(target, matchers));
  Tally tally;
  Labels labels;
  std::vector<ChunkMeta> metas;
  const IndexReader& index = target.Index();
  const ChunkReader& chunks = target.Chunks();
  for (SeriesId id : ids) {
    metas.clear();
    Status st = index.Series(id, &labels, &metas);
    if (st.IsNotFound()) continue;
    STRATA_RETURN_IF_ERROR(st);
    tally.AddSeries(labels);
    for (const ChunkMeta& m : metas) {
      StatusOr<ChunkBytes> c = chunks.Chunk(m);
      if (!c.ok()) continue;
      if (chunk::IsHistogramEncoding(c->encoding)) {
        const int64_t n =
            chunk::SummarizeChunk(c->encoding, c->data).num_samples;
        ++r->histogram_chunks;
        r->histogram_samples += n;
        tally.AddChunk(static_cast<int>(n), r);
        continue;
      }
      tally.AddChunk(std::max(0, chunk::ChunkNumSamples(c->encoding, c->data)),
                     r);
    }
  }
  tally.Report(limit, r);
  return Status::OK();
}

StatusOr<std::vector<BlockChurn>> Churn(
    const std::vector<const BlockEntry*>& blocks,
    const std::vector<Matcher>& matchers) {
  std::vector<BlockChurn> churn;
  absl::flat_hash_set<uint64_t> prev;
  Labels labels;
  std::vector<ChunkMeta> metas;
  for (const BlockEntry* e : blocks) {
    STRATA_ASSIGN_OR_RETURN(Postings ids, SelectedSeries(*e->block, matchers));
    absl::flat_hash_set<uint64_t> cur;
    cur.reserve(ids.cardinality());
    for (SeriesId id : ids) {
      metas.clear();
      if (e->block->Index().Series(id, &labels, &metas).ok()) {
        cur.insert(labels.Hash());
      }
    }
    int64_t created = 0, removed = 0;
    for (uint64_t h : cur) created += prev.contains(h) ? 0 : 1;
    for (uint64_t h : prev) removed += cur.contains(h) ? 0 : 1;
    churn.push_back({e->name, e->block->MinTime(), e->block->MaxTime() + 1,
                     static_cast<int64_t>(cur.size()), created, removed});
    prev = std::move(cur);
  }
  return churn;
}

}  // namespace

StatusOr<AnalyzeReport> Analyze(const std::string& data_dir,
                                const AnalyzeOptions& options) {
  DataDirOptions o;
  o.load_head = options.block.empty() || options.block == kHeadBlockName;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DataDir> d,
                          DataDir::Open(data_dir, o));
  const std::vector<const BlockEntry*> blocks = OpenedBlocks(*d);
  STRATA_ASSIGN_OR_RETURN(Target target, PickTarget(*d, blocks, options.block));
  AnalyzeReport r;
  r.block = target.reader->Name();
  STRATA_RETURN_IF_ERROR(
      AnalyzeSeries(*target.reader, options.matchers, options.limit, &r));
  STRATA_ASSIGN_OR_RETURN(r.churn, Churn(blocks, options.matchers));
  if (target.block != nullptr) {
    r.has_files = true;
    r.index_bytes = target.block->index_file().FileSize();
    r.chunk_bytes = target.block->chunk_files().Size();
  }
  return r;
}

}  // namespace strata::inspect
