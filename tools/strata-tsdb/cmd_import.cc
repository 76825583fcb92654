// `strata-tsdb import openmetrics FILE|-` and `import prometheus DIR`:
// backfill into new blocks of the data directory.
#include <chrono>
#include <cstdio>

#include "cli.h"
#include "inspect/data_dir.h"
#include "inspect/import.h"
#include "nlohmann/json.hpp"

namespace strata::tsdb {
namespace {

struct ImportFlags {
  std::string input;
  std::vector<std::string> labels;
  int64_t block_range_ms = inspect::kDefaultBlockRangeMs;
  int64_t max_buffered_samples =
      inspect::BlockBuilderOptions{}.max_buffered_samples;
};

void PrintImportReport(const GlobalOptions& g,
                       const inspect::BlockBuilderStats& s,
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
    for (const inspect::BuiltBlock& b : s.written) {
      j["newBlocks"].push_back({{"ulid", b.ulid},
                                {"minTime", b.min_time},
                                {"maxTime", b.max_time},
                                {"numSamples", b.num_samples},
                                {"numSeries", b.num_series}});
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
  for (const inspect::BuiltBlock& b : s.written) {
    std::printf("  %s  %s .. %s  %llu series  %llu samples\n", b.ulid.c_str(),
                FormatTime(b.min_time).c_str(), FormatTime(b.max_time).c_str(),
                static_cast<unsigned long long>(b.num_series),
                static_cast<unsigned long long>(b.num_samples));
  }
}

Status RunImportOpenMetrics(const GlobalOptions& g, const ImportFlags& f) {
  inspect::OpenMetricsImportOptions o;
  for (const std::string& kv : f.labels) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--label wants name=value, got " + kv);
    }
    o.extra_labels.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
  }
  o.blocks.block_range_ms = f.block_range_ms;
  o.blocks.max_buffered_samples = f.max_buffered_samples;
  o.input_name = f.input == "-" ? "stdin" : f.input;
  std::FILE* in = stdin;
  if (f.input != "-") {
    in = std::fopen(f.input.c_str(), "r");
    if (in == nullptr) return Status::FromErrno(errno, "open " + f.input);
  }
  const auto start = std::chrono::steady_clock::now();
  bool progress_shown = false;
  if (StderrIsTty()) {
    o.progress = [&](int64_t samples, int64_t bytes) {
      const double secs = std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - start)
                              .count();
      std::fprintf(stderr, "\rread %lld samples (%s), %.0f samples/s ",
                   static_cast<long long>(samples), FormatBytes(bytes).c_str(),
                   samples / secs);
      progress_shown = true;
    };
  }
  const int64_t previous_end = inspect::NewestBlockEnd(g.data_dir);
  StatusOr<inspect::BlockBuilderStats> stats =
      inspect::ImportOpenMetrics(in, g.data_dir, o);
  if (progress_shown) std::fprintf(stderr, "\n");
  if (in != stdin) std::fclose(in);
  STRATA_RETURN_IF_ERROR(stats.status());
  WarnIfHeadBoundaryMoved(g.data_dir, previous_end);
  PrintImportReport(
      g, *stats, 0,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count());
  return Status::OK();
}

Status RunImportPrometheus(const GlobalOptions& g, const ImportFlags& f) {
  const auto start = std::chrono::steady_clock::now();
  const int64_t previous_end = inspect::NewestBlockEnd(g.data_dir);
  STRATA_ASSIGN_OR_RETURN(
      inspect::PrometheusImportReport r,
      inspect::ImportPrometheus(f.input, g.data_dir, f.block_range_ms));
  if (!r.source_wal_error.ok()) {
    std::fprintf(stderr, "warning: source WAL read stopped early: %s\n",
                 r.source_wal_error.ToString().c_str());
  }
  WarnIfHeadBoundaryMoved(g.data_dir, previous_end);
  if (!g.json) {
    std::printf("copied %lld blocks (%s), %lld already present\n",
                static_cast<long long>(r.copied.blocks_copied),
                FormatBytes(r.copied.bytes_copied).c_str(),
                static_cast<long long>(r.copied.blocks_skipped));
  }
  PrintImportReport(
      g, r.head, r.copied.blocks_copied,
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
