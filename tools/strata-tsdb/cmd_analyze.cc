// `strata-tsdb analyze`: where a block's series, chunks and bytes go, in the
// spirit of promtool tsdb analyze (inspect::Analyze computes it; this file
// parses the flags and prints the report as text or JSON).
#include <chrono>
#include <cstdio>

#include "cli.h"
#include "inspect/analyze.h"
#include "nlohmann/json.hpp"

namespace strata::tsdb {
namespace {

using inspect::AnalyzeReport;
using inspect::kChunkFullnessBuckets;
using inspect::NameCounts;

struct AnalyzeFlags {
  std::string block;
  int limit = 20;
  std::string match;
};

StatusOr<inspect::AnalyzeOptions> AnalyzeOptionsFrom(const AnalyzeFlags& f) {
  inspect::AnalyzeOptions o;
  o.block = f.block;
  o.limit = f.limit;
  if (!f.match.empty()) {
    STRATA_ASSIGN_OR_RETURN(auto sel, ParseSelectors({f.match}));
    o.matchers = sel[0];
  }
  return o;
}

nlohmann::json CountsJson(const NameCounts& c) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& [k, v] : c) a.push_back({{"name", k}, {"count", v}});
  return a;
}

void PrintJson(const AnalyzeReport& r, double seconds) {
  nlohmann::json j;
  j["block"] = r.block;
  j["series"] = r.series;
  j["chunks"] = r.chunks;
  j["samples"] = r.samples;
  j["histogramChunks"] = r.histogram_chunks;
  j["histogramSamples"] = r.histogram_samples;
  j["metrics"] = CountsJson(r.metrics);
  j["labelNamesByValues"] = CountsJson(r.label_names_by_values);
  j["labelNamesBySeries"] = CountsJson(r.label_names_by_series);
  j["labelNamesByValueBytes"] = CountsJson(r.label_names_by_value_bytes);
  j["labelPairs"] = CountsJson(r.label_pairs);
  j["labelValuesBySeries"] = nlohmann::json::object();
  for (const auto& [n, c] : r.label_values_by_series) {
    j["labelValuesBySeries"][n] = CountsJson(c);
  }
  j["churn"] = nlohmann::json::array();
  for (const inspect::BlockChurn& c : r.churn) {
    j["churn"].push_back({{"block", c.block},
                          {"minTime", c.min_time},
                          {"maxTime", c.max_time},
                          {"series", c.series},
                          {"created", c.created},
                          {"removed", c.removed}});
  }
  j["chunkFullness"] = nlohmann::json::array();
  for (size_t b = 0; b < kChunkFullnessBuckets.size(); ++b) {
    j["chunkFullness"].push_back({{"minSamples", kChunkFullnessBuckets[b]},
                                  {"chunks", r.chunk_fullness[b]}});
  }
  if (r.has_files) {
    j["indexBytes"] = r.index_bytes;
    j["chunkBytes"] = r.chunk_bytes;
    j["indexBytesPerSample"] =
        r.samples > 0 ? double(r.index_bytes) / r.samples : 0;
    j["chunkBytesPerSample"] =
        r.samples > 0 ? double(r.chunk_bytes) / r.samples : 0;
  }
  j["seconds"] = seconds;
  std::printf("%s\n", j.dump(2).c_str());
}

void PrintSection(const std::string& title, const NameCounts& c) {
  std::printf("\n%s:\n", title.c_str());
  for (const auto& [k, v] : c) {
    std::printf("%10lld %s\n", (long long)v, k.c_str());
  }
}

void PrintCardinality(const AnalyzeReport& r) {
  PrintSection("Highest cardinality metric names (series)", r.metrics);
  PrintSection("Highest cardinality label names (distinct values)",
               r.label_names_by_values);
  PrintSection("Label names most frequently occurring in series",
               r.label_names_by_series);
  PrintSection(
      "Label names with highest cumulative label value length "
      "(bytes)",
      r.label_names_by_value_bytes);
  PrintSection("Most common label pairs (series)", r.label_pairs);
  for (const auto& [n, c] : r.label_values_by_series) {
    PrintSection("Values of label \"" + n + "\" by series touched", c);
  }
}

void PrintChurn(const AnalyzeReport& r) {
  std::printf(
      "\nChurn per block (series created / removed vs the block before):\n");
  for (const inspect::BlockChurn& c : r.churn) {
    std::printf("  %s  %s  series %lld  +%lld  -%lld\n", c.block.c_str(),
                FormatTime(c.min_time).c_str(), (long long)c.series,
                (long long)c.created, (long long)c.removed);
  }
}

void PrintChunks(const AnalyzeReport& r) {
  std::printf(
      "\nChunk fullness (samples per chunk; Prometheus cuts at 120):\n");
  for (size_t b = 0; b < kChunkFullnessBuckets.size(); ++b) {
    if (b + 1 < kChunkFullnessBuckets.size()) {
      std::printf("  %3d-%-3d %10lld\n", kChunkFullnessBuckets[b],
                  kChunkFullnessBuckets[b + 1] - 1,
                  (long long)r.chunk_fullness[b]);
    } else {
      std::printf("  %3d+    %10lld\n", kChunkFullnessBuckets[b],
                  (long long)r.chunk_fullness[b]);
    }
  }
  if (r.has_files && r.samples > 0) {
    std::printf(
        "\nBytes per sample: %.3f (index %.3f, chunks %.3f); index %s, chunks "
        "%s\n",
        double(r.index_bytes + r.chunk_bytes) / r.samples,
        double(r.index_bytes) / r.samples, double(r.chunk_bytes) / r.samples,
        FormatBytes(r.index_bytes).c_str(), FormatBytes(r.chunk_bytes).c_str());
  }
}

void PrintText(const AnalyzeReport& r, const std::string& match,
               double seconds) {
  std::printf("Block: %s\n", r.block.c_str());
  if (!match.empty()) std::printf("Series matching %s\n", match.c_str());
  std::printf("Series: %lld  Chunks: %lld  Samples: %lld\n",
              (long long)r.series, (long long)r.chunks, (long long)r.samples);
  if (r.histogram_chunks > 0) {
    std::printf("Of which native histograms: Chunks: %lld  Samples: %lld\n",
                (long long)r.histogram_chunks, (long long)r.histogram_samples);
  }
  PrintCardinality(r);
  PrintChurn(r);
  PrintChunks(r);
  std::printf("\nanalyzed in %.3fs\n", seconds);
}

Status RunAnalyze(const GlobalOptions& g, const AnalyzeFlags& f) {
  const auto start = std::chrono::steady_clock::now();
  STRATA_ASSIGN_OR_RETURN(inspect::AnalyzeOptions o, AnalyzeOptionsFrom(f));
  STRATA_ASSIGN_OR_RETURN(AnalyzeReport r, inspect::Analyze(g.data_dir, o));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (g.json) {
    PrintJson(r, seconds);
  } else {
    PrintText(r, f.match, seconds);
  }
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
