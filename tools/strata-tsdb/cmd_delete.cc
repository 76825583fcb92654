// `strata-tsdb delete`: tombstones for matching series in a time range, or
// with --clean the blocks rewritten without them. Needs the server stopped
// (it takes the data directory's lock).
#include <cstdio>

#include "cli.h"
#include "inspect/data_dir.h"
#include "inspect/export.h"
#include "nlohmann/json.hpp"
#include "strata/db.h"

namespace strata::tsdb {
namespace {

// Series listed by name in the output; the rest are counted.
constexpr size_t kSeriesNamed = 20;

struct DeleteFlags {
  std::vector<std::string> match;
  TimeRangeFlags range;
  bool dry_run = false;
  bool clean = false;
};

Status RunDelete(const GlobalOptions& g, const DeleteFlags& f) {
  if (f.match.empty()) return Status::InvalidArgument("--match is required");
  STRATA_ASSIGN_OR_RETURN(inspect::SeriesSelection selection,
                          ParseSelection(f.match, f.range));
  // What would go: counted read-only, before anything changes.
  inspect::SelectionCount count;
  {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<inspect::DataDir> d,
                            inspect::DataDir::Open(g.data_dir));
    STRATA_ASSIGN_OR_RETURN(
        count, inspect::CountSelected(*d, selection, kSeriesNamed));
  }
  if (!f.dry_run) {
    Options o;
    o.background_compaction = false;
    StatusOr<std::unique_ptr<DB>> db = DB::Open(o, g.data_dir);
    if (!db.ok()) {
      return db.status().WithContext(
          "opening the data directory for writing (is a server running? "
          "stop it, or use its /api/v1/admin/tsdb/delete_series)");
    }
    for (const auto& m : selection.selectors) {
      STRATA_RETURN_IF_ERROR(
          (*db)->DeleteSeries(m, selection.min_time, selection.max_time));
    }
    if (f.clean) STRATA_RETURN_IF_ERROR((*db)->CleanTombstones());
    STRATA_RETURN_IF_ERROR((*db)->Close());
  }
  if (g.json) {
    nlohmann::json j = {
        {"dryRun", f.dry_run},           {"series", count.series},
        {"samples", count.samples},      {"cleaned", f.clean && !f.dry_run},
        {"minTime", selection.min_time}, {"maxTime", selection.max_time}};
    std::printf("%s\n", j.dump(2).c_str());
    return Status::OK();
  }
  std::printf("%s %lld samples of %lld series%s\n",
              f.dry_run ? "would delete" : "deleted", (long long)count.samples,
              (long long)count.series,
              f.dry_run ? ""
              : f.clean ? " (blocks rewritten without them)"
                        : " (tombstones; run with --clean to free the disk)");
  for (const std::string& n : count.first_series) {
    std::printf("  %s\n", n.c_str());
  }
  const auto named = static_cast<int64_t>(count.first_series.size());
  if (count.series > named) {
    std::printf("  ... and %lld more\n", (long long)(count.series - named));
  }
  return Status::OK();
}

}  // namespace

void RegisterDelete(CLI::App& app, GlobalOptions& g, Command& cmd) {
  auto f = std::make_shared<DeleteFlags>();
  CLI::App* sub = app.add_subcommand(
      "delete",
      "Delete series in a time range (tombstones; --clean rewrites blocks). "
      "The server must be stopped.");
  sub->add_option("--match", f->match, "Series selector. Repeatable (union).")
      ->required();
  f->range.Add(sub);
  sub->add_flag("--dry-run", f->dry_run, "Only say what would be deleted.");
  sub->add_flag("--clean", f->clean,
                "Rewrite the blocks without the deleted data afterwards.");
  sub->callback(
      [&g, &cmd, f] { cmd.run = [&g, f] { return RunDelete(g, *f); }; });
}

}  // namespace strata::tsdb
