// `strata-tsdb analyze`: where a block's series, chunks and bytes go, in the
// spirit of promtool tsdb analyze: the highest-cardinality metrics, label
// names and pairs, label values by the series they touch, churn between
// blocks, a histogram of chunk fullness and bytes per sample.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "chunk/xor_format.h"
#include "chunk/xor_iterator.h"
#include "cli.h"
#include "data_dir.h"
#include "index/postings_for_matchers.h"
#include "nlohmann/json.hpp"

namespace strata::tsdb {
namespace {

struct AnalyzeFlags {
  std::string block;
  int limit = 20;
  std::string match;
};

using Counts = std::vector<std::pair<std::string, int64_t>>;

Counts Top(const absl::flat_hash_map<std::string, int64_t>& m, int limit) {
  Counts v(m.begin(), m.end());
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

// Histogram buckets of samples per chunk: [lo, next lo).
constexpr int kFullnessBuckets[] = {1, 10, 30, 60, 90, 120, 121};

Status RunAnalyze(const GlobalOptions& g, const AnalyzeFlags& f) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<Matcher> matchers;
  if (!f.match.empty()) {
    STRATA_ASSIGN_OR_RETURN(auto sel, ParseSelectors({f.match}));
    matchers = sel[0];
  }
  DataDirOptions o;
  o.load_head = f.block.empty() || f.block == "head";
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DataDir> d,
                          DataDir::Open(g.data_dir, o));
  // The block to analyze: --block, else the newest block, else the head.
  std::shared_ptr<const BlockReader> target;
  const Block* target_block = nullptr;
  std::vector<const BlockEntry*> blocks;
  for (const BlockEntry& e : d->blocks()) {
    if (e.block) blocks.push_back(&e);
  }
  std::sort(blocks.begin(), blocks.end(), [](auto* a, auto* b) {
    return a->block->MinTime() < b->block->MinTime();
  });
  if (f.block == "head") {
    target = d->head();
  } else if (!f.block.empty()) {
    for (const BlockEntry* e : blocks) {
      if (e->name == f.block) {
        target = e->block;
        target_block = e->block.get();
      }
    }
    if (!target) return Status::NotFound("no readable block " + f.block);
  } else if (!blocks.empty()) {
    target = blocks.back()->block;
    target_block = blocks.back()->block.get();
  } else {
    target = d->head();
  }
  if (!target) return Status::NotFound("nothing to analyze: no blocks, no WAL");

  STRATA_ASSIGN_OR_RETURN(Postings ids, SelectedSeries(*target, matchers));
  absl::flat_hash_map<std::string, int64_t> metric_series, name_series,
      pair_series, name_value_bytes;
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>>
      name_values;
  int64_t series = 0, chunks = 0, samples = 0;
  int64_t fullness[std::size(kFullnessBuckets)] = {};
  Labels labels;
  std::vector<ChunkMeta> metas;
  const IndexReader& index = target->Index();
  const ChunkReader& chunk_reader = target->Chunks();
  for (SeriesId id : ids) {
    metas.clear();
    Status st = index.Series(id, &labels, &metas);
    if (st.IsNotFound()) continue;
    STRATA_RETURN_IF_ERROR(st);
    ++series;
    for (const Label& l : labels) {
      if (l.name == kMetricNameLabel) ++metric_series[l.value];
      ++name_series[l.name];
      ++pair_series[l.name + "=" + l.value];
      if (name_values[l.name].insert(l.value).second) {
        name_value_bytes[l.name] += static_cast<int64_t>(l.value.size());
      }
    }
    for (const ChunkMeta& m : metas) {
      StatusOr<ChunkBytes> c = chunk_reader.Chunk(m);
      if (!c.ok()) continue;
      const int n = std::max(0, chunk::XorNumSamples(c->data));
      ++chunks;
      samples += n;
      size_t b = 0;
      while (b + 1 < std::size(kFullnessBuckets) &&
             n >= kFullnessBuckets[b + 1])
        ++b;
      ++fullness[b];
    }
  }
  absl::flat_hash_map<std::string, int64_t> name_cardinality;
  for (const auto& [n, vals] : name_values) {
    name_cardinality[n] = static_cast<int64_t>(vals.size());
  }
  // Label values by series touched, for the names with the most values.
  std::vector<std::pair<std::string, Counts>> values_by_series;
  for (const auto& [name, card] : Top(name_cardinality, std::min(f.limit, 5))) {
    absl::flat_hash_map<std::string, int64_t> per_value;
    for (const auto& [pair, n] : pair_series) {
      if (pair.size() > name.size() && pair.starts_with(name) &&
          pair[name.size()] == '=') {
        per_value[pair.substr(name.size() + 1)] = n;
      }
    }
    values_by_series.push_back({name, Top(per_value, f.limit)});
  }
  // Churn: series created and removed from one block to the next.
  struct Churn {
    std::string block;
    int64_t min_time, max_time, series, created, removed;
  };
  std::vector<Churn> churn;
  absl::flat_hash_set<uint64_t> prev;
  for (const BlockEntry* e : blocks) {
    STRATA_ASSIGN_OR_RETURN(Postings bids, SelectedSeries(*e->block, matchers));
    absl::flat_hash_set<uint64_t> cur;
    cur.reserve(bids.cardinality());
    for (SeriesId id : bids) {
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
  int64_t index_bytes = 0, chunk_bytes = 0;
  if (target_block != nullptr) {
    index_bytes = target_block->index_file().FileSize();
    chunk_bytes = target_block->chunk_files().Size();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  const std::string name = target->Name();
  const int lim = f.limit;
  if (g.json) {
    auto counts = [](const Counts& c) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& [k, v] : c) a.push_back({{"name", k}, {"count", v}});
      return a;
    };
    nlohmann::json j;
    j["block"] = name;
    j["series"] = series;
    j["chunks"] = chunks;
    j["samples"] = samples;
    j["metrics"] = counts(Top(metric_series, lim));
    j["labelNamesByValues"] = counts(Top(name_cardinality, lim));
    j["labelNamesBySeries"] = counts(Top(name_series, lim));
    j["labelNamesByValueBytes"] = counts(Top(name_value_bytes, lim));
    j["labelPairs"] = counts(Top(pair_series, lim));
    j["labelValuesBySeries"] = nlohmann::json::object();
    for (const auto& [n, c] : values_by_series) {
      j["labelValuesBySeries"][n] = counts(c);
    }
    j["churn"] = nlohmann::json::array();
    for (const Churn& c : churn) {
      j["churn"].push_back({{"block", c.block},
                            {"minTime", c.min_time},
                            {"maxTime", c.max_time},
                            {"series", c.series},
                            {"created", c.created},
                            {"removed", c.removed}});
    }
    j["chunkFullness"] = nlohmann::json::array();
    for (size_t b = 0; b < std::size(kFullnessBuckets); ++b) {
      j["chunkFullness"].push_back(
          {{"minSamples", kFullnessBuckets[b]}, {"chunks", fullness[b]}});
    }
    if (target_block != nullptr) {
      j["indexBytes"] = index_bytes;
      j["chunkBytes"] = chunk_bytes;
      j["indexBytesPerSample"] =
          samples > 0 ? double(index_bytes) / samples : 0;
      j["chunkBytesPerSample"] =
          samples > 0 ? double(chunk_bytes) / samples : 0;
    }
    j["seconds"] = seconds;
    std::printf("%s\n", j.dump(2).c_str());
    return Status::OK();
  }
  auto section = [](const char* title, const Counts& c) {
    std::printf("\n%s:\n", title);
    for (const auto& [k, v] : c)
      std::printf("%10lld %s\n", (long long)v, k.c_str());
  };
  std::printf("Block: %s\n", name.c_str());
  if (!f.match.empty()) std::printf("Series matching %s\n", f.match.c_str());
  std::printf("Series: %lld  Chunks: %lld  Samples: %lld\n", (long long)series,
              (long long)chunks, (long long)samples);
  section("Highest cardinality metric names (series)", Top(metric_series, lim));
  section("Highest cardinality label names (distinct values)",
          Top(name_cardinality, lim));
  section("Label names most frequently occurring in series",
          Top(name_series, lim));
  section("Label names with highest cumulative label value length (bytes)",
          Top(name_value_bytes, lim));
  section("Most common label pairs (series)", Top(pair_series, lim));
  for (const auto& [n, c] : values_by_series) {
    section(("Values of label \"" + n + "\" by series touched").c_str(), c);
  }
  std::printf(
      "\nChurn per block (series created / removed vs the block before):\n");
  for (const Churn& c : churn) {
    std::printf("  %s  %s  series %lld  +%lld  -%lld\n", c.block.c_str(),
                FormatTime(c.min_time).c_str(), (long long)c.series,
                (long long)c.created, (long long)c.removed);
  }
  std::printf(
      "\nChunk fullness (samples per chunk; Prometheus cuts at 120):\n");
  for (size_t b = 0; b < std::size(kFullnessBuckets); ++b) {
    if (b + 1 < std::size(kFullnessBuckets)) {
      std::printf("  %3d-%-3d %10lld\n", kFullnessBuckets[b],
                  kFullnessBuckets[b + 1] - 1, (long long)fullness[b]);
    } else {
      std::printf("  %3d+    %10lld\n", kFullnessBuckets[b],
                  (long long)fullness[b]);
    }
  }
  if (target_block != nullptr && samples > 0) {
    std::printf(
        "\nBytes per sample: %.3f (index %.3f, chunks %.3f); index %s, chunks "
        "%s\n",
        double(index_bytes + chunk_bytes) / samples,
        double(index_bytes) / samples, double(chunk_bytes) / samples,
        FormatBytes(index_bytes).c_str(), FormatBytes(chunk_bytes).c_str());
  }
  std::printf("\nanalyzed in %.3fs\n", seconds);
  return Status::OK();
}

}  // namespace

void RegisterAnalyze(CLI::App& app, GlobalOptions& g, Command& cmd) {
  auto f = std::make_shared<AnalyzeFlags>();
  CLI::App* sub = app.add_subcommand(
      "analyze",
      "Cardinality, churn, chunk fullness and bytes per sample of a block.");
  sub->add_option("--block", f->block,
                  "Block ULID, or 'head'. Default: the newest block.");
  sub->add_option("--limit", f->limit, "Entries per list.")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--match", f->match, "Only series matching this selector.");
  sub->callback(
      [&g, &cmd, f] { cmd.run = [&g, f] { return RunAnalyze(g, *f); }; });
}

}  // namespace strata::tsdb
