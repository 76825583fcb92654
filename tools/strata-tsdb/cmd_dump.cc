// `strata-tsdb dump`: streams samples of the blocks and the head as text
// (promtool's dump lines), OpenMetrics (re-importable with `import
// openmetrics`) or JSON lines (one object per series).
#include <cstdio>

#include "cli.h"
#include "inspect/data_dir.h"
#include "inspect/export.h"
#include "inspect/sample_writer.h"

namespace strata::tsdb {
namespace {

struct DumpFlags {
  std::vector<std::string> match;
  TimeRangeFlags range;
  std::string format = "text";
};

Status RunDump(const GlobalOptions& g, const DumpFlags& f) {
  STRATA_ASSIGN_OR_RETURN(inspect::SeriesSelection selection,
                          ParseSelection(f.match, f.range));
  STRATA_ASSIGN_OR_RETURN(inspect::SampleFormat format,
                          inspect::ParseSampleFormat(f.format));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<inspect::DataDir> d,
                          inspect::DataDir::Open(g.data_dir));
  if (!d->wal_error().ok()) {
    std::fprintf(stderr, "warning: WAL read stopped early: %s\n",
                 d->wal_error().ToString().c_str());
  }
  for (const inspect::BlockEntry& e : d->blocks()) {
    if (!e.block) {
      std::fprintf(stderr, "warning: skipping unreadable block %s: %s\n",
                   e.name.c_str(), e.open_error.ToString().c_str());
    }
  }
  inspect::SampleWriter out(stdout, format);
  return inspect::WriteSamples(*d, selection, &out).status();
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
