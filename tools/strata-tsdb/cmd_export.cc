// `strata-tsdb export`: data out of the data directory, as OpenMetrics text
// or as Prometheus 2.x blocks (for migration, Thanos or promtool).
#include <cstdio>

#include "cli.h"
#include "inspect/data_dir.h"
#include "inspect/export.h"
#include "inspect/sample_writer.h"
#include "nlohmann/json.hpp"

namespace strata::tsdb {
namespace {

struct ExportFlags {
  std::string format;
  std::string out;
  std::vector<std::string> match;
  TimeRangeFlags range;
  int64_t block_range_ms = inspect::kDefaultBlockRangeMs;
};

// Writes OpenMetrics text to `path` ("-": stdout).
StatusOr<inspect::ExportReport> ExportOpenMetrics(
    const inspect::DataDir& d, const inspect::SeriesSelection& selection,
    const std::string& path) {
  std::FILE* out = stdout;
  if (path != "-") {
    out = std::fopen(path.c_str(), "w");
    if (out == nullptr) return Status::FromErrno(errno, "create " + path);
  }
  inspect::SampleWriter w(out, inspect::SampleFormat::kOpenMetrics);
  StatusOr<inspect::ExportReport> r = inspect::WriteSamples(d, selection, &w);
  if (out != stdout && std::fclose(out) != 0 && r.ok()) {
    return Status::IOError("closing " + path + " failed");
  }
  return r;
}

Status RunExport(const GlobalOptions& g, const ExportFlags& f) {
  STRATA_ASSIGN_OR_RETURN(inspect::SeriesSelection selection,
                          ParseSelection(f.match, f.range));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<inspect::DataDir> d,
                          inspect::DataDir::Open(g.data_dir));
  if (!d->wal_error().ok()) {
    std::fprintf(stderr, "warning: WAL read stopped early: %s\n",
                 d->wal_error().ToString().c_str());
  }
  STRATA_ASSIGN_OR_RETURN(
      inspect::ExportReport r,
      f.format == "openmetrics"
          ? ExportOpenMetrics(*d, selection, f.out)
          : inspect::ExportBlocks(*d, selection, f.out, f.block_range_ms));
  if (f.out == "-") return Status::OK();
  if (g.json) {
    nlohmann::json j = {{"series", r.series},
                        {"samples", r.samples},
                        {"blocks", r.blocks},
                        {"out", f.out}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("exported %lld series, %lld samples to %s", (long long)r.series,
                (long long)r.samples, f.out.c_str());
    if (f.format != "openmetrics")
      std::printf(" (%lld blocks)", (long long)r.blocks);
    std::printf("\n");
  }
  return Status::OK();
}

}  // namespace

void RegisterExport(CLI::App& app, GlobalOptions& g, Command& cmd) {
  auto f = std::make_shared<ExportFlags>();
  CLI::App* sub = app.add_subcommand(
      "export",
      "Write data out as OpenMetrics text or as Prometheus 2.x blocks.");
  sub->add_option("--format", f->format,
                  "openmetrics (a file, - for stdout) or prometheus-blocks "
                  "(a directory Prometheus, promtool or Thanos can read).")
      ->required()
      ->check(CLI::IsMember({"openmetrics", "prometheus-blocks"}));
  sub->add_option("--match", f->match,
                  "Series selector. Repeatable (union). Default: all.");
  f->range.Add(sub);
  sub->add_option("--block-duration-ms", f->block_range_ms,
                  "Width of the blocks written (aligned).")
      ->check(CLI::PositiveNumber);
  sub->add_option("out", f->out, "Output file or directory.")->required();
  sub->callback(
      [&g, &cmd, f] { cmd.run = [&g, f] { return RunExport(g, *f); }; });
}

}  // namespace strata::tsdb
