// `strata-tsdb dump`: streams samples of the blocks and the head as text
// (promtool's dump lines), OpenMetrics (re-importable with `import
// openmetrics`) or JSON lines (one object per series).
#include <cstdio>

#include "cli.h"
#include "data_dir.h"
#include "exposition.h"
#include "nlohmann/json.hpp"
#include "sample_writer.h"
#include "series_scan.h"

namespace strata::tsdb {
namespace {

struct DumpFlags {
  std::vector<std::string> match;
  TimeRangeFlags range;
  std::string format = "text";
};

Status RunDump(const GlobalOptions& g, const DumpFlags& f) {
  STRATA_ASSIGN_OR_RETURN(auto range, f.range.Get());
  STRATA_ASSIGN_OR_RETURN(auto selectors, ParseSelectors(f.match));
  STRATA_ASSIGN_OR_RETURN(SampleFormat format, ParseSampleFormat(f.format));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DataDir> d,
                          DataDir::Open(g.data_dir));
  if (!d->wal_error().ok()) {
    std::fprintf(stderr, "warning: WAL read stopped early: %s\n",
                 d->wal_error().ToString().c_str());
  }
  for (const BlockEntry& e : d->blocks()) {
    if (!e.block) {
      std::fprintf(stderr, "warning: skipping unreadable block %s: %s\n",
                   e.name.c_str(), e.open_error.ToString().c_str());
    }
  }
  std::unique_ptr<Querier> q = d->NewQuerier(range.first, range.second);
  SampleWriter out(stdout, format);
  STRATA_RETURN_IF_ERROR(ScanSeries(
      *q, selectors, [&](const Series& s) { return out.WriteSeries(s); }));
  return out.Finish();
}

}  // namespace

void RegisterDump(CLI::App& app, GlobalOptions& g, Command& cmd) {
  auto flags = std::make_shared<DumpFlags>();
  CLI::App* sub = app.add_subcommand(
      "dump", "Stream samples from the blocks and the head to stdout.");
  sub->add_option("--match", flags->match,
                  "Series selector, e.g. 'up{job=\"node\"}'. Repeatable "
                  "(union). Default: every series.");
  flags->range.Add(sub);
  sub->add_option("--format", flags->format,
                  "text (promtool tsdb dump lines), openmetrics "
                  "(re-importable) or json (one line per series).")
      ->check(CLI::IsMember({"text", "openmetrics", "json"}));
  sub->callback([&g, &cmd, flags] {
    cmd.run = [&g, flags] { return RunDump(g, *flags); };
  });
}

}  // namespace strata::tsdb
