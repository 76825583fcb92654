// `strata-tsdb import openmetrics FILE|-` and `import prometheus DIR`:
// backfill into new blocks of the data directory.
#include <chrono>
#include <cstdio>

#include "block_builder.h"
#include "block_copy.h"
#include "cli.h"
#include "data_dir.h"
#include "exposition.h"
#include "nlohmann/json.hpp"
#include "query/block_querier.h"
#include "series_scan.h"

namespace strata::tsdb {
namespace {

constexpr int64_t kProgressEverySamples = 1'000'000;

struct ImportFlags {
  std::string input;
  std::vector<std::string> labels;
  int64_t block_range_ms = kDefaultBlockRangeMs;
  int64_t max_buffered_samples = 20'000'000;
};

void PrintImportReport(const GlobalOptions& g, const BlockBuilderStats& s,
                       int64_t extra_blocks, double seconds) {
  if (g.json) {
    nlohmann::json j;
    j["samples"] = s.samples;
    j["duplicates"] = s.duplicates;
    j["conflicts"] = s.conflicts;
    j["blocks"] = s.blocks + extra_blocks;
    j["seconds"] = seconds;
    j["samplesPerSecond"] = seconds > 0 ? s.samples / seconds : 0;
    j["newBlocks"] = nlohmann::json::array();
    for (const BlockMeta& m : s.metas) {
      j["newBlocks"].push_back({{"ulid", m.ulid.ToString()},
                                {"minTime", m.min_time},
                                {"maxTime", m.max_time},
                                {"numSamples", m.stats.num_samples},
                                {"numSeries", m.stats.num_series}});
    }
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf(
      "imported %lld samples into %lld blocks in %.2fs (%.0f samples/s)",
      static_cast<long long>(s.samples),
      static_cast<long long>(s.blocks + extra_blocks), seconds,
      seconds > 0 ? s.samples / seconds : 0.0);
  if (s.duplicates > 0 || s.conflicts > 0) {
    std::printf("; %lld duplicate samples ignored, %lld conflicting dropped",
                static_cast<long long>(s.duplicates),
                static_cast<long long>(s.conflicts));
  }
  std::printf("\n");
  for (const BlockMeta& m : s.metas) {
    std::printf("  %s  %s .. %s  %llu series  %llu samples\n",
                m.ulid.ToString().c_str(), FormatTime(m.min_time).c_str(),
                FormatTime(m.max_time).c_str(),
                static_cast<unsigned long long>(m.stats.num_series),
                static_cast<unsigned long long>(m.stats.num_samples));
  }
}

Status RunImportOpenMetrics(const GlobalOptions& g, const ImportFlags& f) {
  OpenMetricsReaderOptions ro;
  for (const std::string& kv : f.labels) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--label wants name=value, got " + kv);
    }
    ro.extra_labels.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
  }
  std::FILE* in = stdin;
  if (f.input != "-") {
    in = std::fopen(f.input.c_str(), "r");
    if (in == nullptr) return Status::FromErrno(errno, "open " + f.input);
  }
  const auto start = std::chrono::steady_clock::now();
  const int64_t previous_end = NewestBlockEnd(g.data_dir);
  OpenMetricsReader reader(in, std::move(ro));
  BlockBuilderOptions bo;
  bo.block_range_ms = f.block_range_ms;
  bo.max_buffered_samples = f.max_buffered_samples;
  BlockBuilder builder(g.data_dir, bo);
  const bool progress = StderrIsTty();
  TextSample s;
  int64_t n = 0;
  Status st;
  while (reader.Next(&s)) {
    st = builder.Add(s.labels, s.t, s.v, reader.same_series());
    if (!st.ok()) break;
    if (progress && ++n % kProgressEverySamples == 0) {
      const double secs = std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - start)
                              .count();
      std::fprintf(stderr, "\rread %lld samples (%s), %.0f samples/s ",
                   static_cast<long long>(n),
                   FormatBytes(reader.bytes_read()).c_str(), n / secs);
    }
  }
  if (progress && n >= kProgressEverySamples) std::fprintf(stderr, "\n");
  if (in != stdin) std::fclose(in);
  if (st.ok()) st = reader.status();
  // Blocks of what was read before an error are still written: they hold
  // valid samples and a later import of the rest may follow.
  Status fin = builder.Finish();
  STRATA_RETURN_IF_ERROR(st.WithContext(f.input == "-" ? "stdin" : f.input));
  STRATA_RETURN_IF_ERROR(fin);
  WarnIfHeadBoundaryMoved(g.data_dir, previous_end);
  PrintImportReport(
      g, builder.stats(), 0,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count());
  return Status::OK();
}

Status RunImportPrometheus(const GlobalOptions& g, const ImportFlags& f) {
  const auto start = std::chrono::steady_clock::now();
  const int64_t previous_end = NewestBlockEnd(g.data_dir);
  // Blocks: copied as they are (same ULIDs), verified.
  STRATA_ASSIGN_OR_RETURN(CopyReport copied, CopyBlocks(f.input, g.data_dir));
  // The head: what its WAL holds beyond its blocks, written as new blocks.
  DataDirOptions o;
  o.block_range_ms = f.block_range_ms;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DataDir> src,
                          DataDir::Open(f.input, o));
  if (!src->wal_error().ok()) {
    std::fprintf(stderr, "warning: source WAL read stopped early: %s\n",
                 src->wal_error().ToString().c_str());
  }
  BlockBuilderOptions bo;
  bo.block_range_ms = f.block_range_ms;
  BlockBuilder builder(g.data_dir, bo);
  if (src->head() && src->head()->NumSeries() > 0) {
    BlockQuerier q({src->head()}, kMinTime, kMaxTime);
    STRATA_ASSIGN_OR_RETURN(auto all, ParseSelectors({}));
    STRATA_RETURN_IF_ERROR(ScanSeries(
        q, all, [&](const Series& s) { return builder.AddSeries(s); }));
  }
  STRATA_RETURN_IF_ERROR(builder.Finish());
  WarnIfHeadBoundaryMoved(g.data_dir, previous_end);
  BlockBuilderStats stats = builder.stats();
  if (!g.json) {
    std::printf("copied %lld blocks (%s), %lld already present\n",
                static_cast<long long>(copied.blocks_copied),
                FormatBytes(copied.bytes_copied).c_str(),
                static_cast<long long>(copied.blocks_skipped));
  }
  PrintImportReport(
      g, stats, copied.blocks_copied,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count());
  return Status::OK();
}

}  // namespace

void RegisterImport(CLI::App& app, GlobalOptions& g, Command& cmd) {
  CLI::App* imp = app.add_subcommand(
      "import", "Backfill data into new blocks of the data directory.");
  imp->require_subcommand(1);
  auto om = std::make_shared<ImportFlags>();
  CLI::App* sub = imp->add_subcommand(
      "openmetrics",
      "Import an OpenMetrics text file ('-' for stdin, streamed).");
  sub->add_option("file", om->input, "OpenMetrics file, or - for stdin.")
      ->required();
  sub->add_option("--label", om->labels,
                  "name=value added to every series. Repeatable.");
  sub->add_option("--block-duration-ms", om->block_range_ms,
                  "Width of the blocks written (aligned).")
      ->check(CLI::PositiveNumber);
  sub->add_option("--max-buffered-samples", om->max_buffered_samples,
                  "Samples held in memory before blocks are written.")
      ->check(CLI::PositiveNumber);
  sub->callback([&g, &cmd, om] {
    cmd.run = [&g, om] { return RunImportOpenMetrics(g, *om); };
  });
  auto prom = std::make_shared<ImportFlags>();
  CLI::App* psub = imp->add_subcommand(
      "prometheus",
      "Import a Prometheus 2.x data directory: its blocks are verified and "
      "copied, its WAL (head) written as new blocks.");
  psub->add_option("dir", prom->input, "The Prometheus data directory.")
      ->required()
      ->check(CLI::ExistingDirectory);
  psub->callback([&g, &cmd, prom] {
    cmd.run = [&g, prom] { return RunImportPrometheus(g, *prom); };
  });
}

}  // namespace strata::tsdb
