// `strata-tsdb export`: data out of the data directory, as OpenMetrics text
// or as Prometheus 2.x blocks (for migration, Thanos or promtool).
#include <cstdio>

#include "block_builder.h"
#include "cli.h"
#include "data_dir.h"
#include "nlohmann/json.hpp"
#include "sample_writer.h"
#include "series_scan.h"

namespace strata::tsdb {
namespace {

struct ExportFlags {
  std::string format;
  std::string out;
  std::vector<std::string> match;
  TimeRangeFlags range;
  int64_t block_range_ms = kDefaultBlockRangeMs;
};

Status RunExport(const GlobalOptions& g, const ExportFlags& f) {
  STRATA_ASSIGN_OR_RETURN(auto range, f.range.Get());
  STRATA_ASSIGN_OR_RETURN(auto selectors, ParseSelectors(f.match));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DataDir> d,
                          DataDir::Open(g.data_dir));
  if (!d->wal_error().ok()) {
    std::fprintf(stderr, "warning: WAL read stopped early: %s\n",
                 d->wal_error().ToString().c_str());
  }
  std::unique_ptr<Querier> q = d->NewQuerier(range.first, range.second);
  int64_t series = 0, samples = 0, blocks = 0;
  if (f.format == "openmetrics") {
    std::FILE* out = stdout;
    if (f.out != "-") {
      out = std::fopen(f.out.c_str(), "w");
      if (out == nullptr) return Status::FromErrno(errno, "create " + f.out);
    }
    SampleWriter w(out, SampleFormat::kOpenMetrics);
    Status st = ScanSeries(*q, selectors,
                           [&](const Series& s) { return w.WriteSeries(s); });
    if (st.ok()) st = w.Finish();
    if (out != stdout && std::fclose(out) != 0 && st.ok()) {
      st = Status::IOError("closing " + f.out + " failed");
    }
    STRATA_RETURN_IF_ERROR(st);
    series = w.series();
    samples = w.samples();
  } else {
    FileSystem* fs = FileSystem::Default();
    if (fs->Exists(f.out) && !fs->IsDirectory(f.out)) {
      return Status::InvalidArgument(f.out + " exists and is not a directory");
    }
    BlockBuilderOptions bo;
    bo.block_range_ms = f.block_range_ms;
    BlockBuilder b(f.out, bo);
    STRATA_RETURN_IF_ERROR(ScanSeries(*q, selectors, [&](const Series& s) {
      ++series;
      return b.AddSeries(s);
    }));
    STRATA_RETURN_IF_ERROR(b.Finish());
    samples = b.stats().samples;
    blocks = b.stats().blocks;
  }
  if (f.out == "-") return Status::OK();
  if (g.json) {
    nlohmann::json j = {{"series", series},
                        {"samples", samples},
                        {"blocks", blocks},
                        {"out", f.out}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("exported %lld series, %lld samples to %s", (long long)series,
                (long long)samples, f.out.c_str());
    if (f.format != "openmetrics")
      std::printf(" (%lld blocks)", (long long)blocks);
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
