// `strata-tsdb delete`: tombstones for matching series in a time range, or
// with --clean the blocks rewritten without them. Needs the server stopped
// (it takes the data directory's lock).
#include <cstdio>

#include "cli.h"
#include "data_dir.h"
#include "nlohmann/json.hpp"
#include "series_scan.h"
#include "strata/db.h"

namespace strata::tsdb {
namespace {

struct DeleteFlags {
  std::vector<std::string> match;
  TimeRangeFlags range;
  bool dry_run = false;
  bool clean = false;
};

Status RunDelete(const GlobalOptions& g, const DeleteFlags& f) {
  STRATA_ASSIGN_OR_RETURN(auto range, f.range.Get());
  if (f.match.empty()) return Status::InvalidArgument("--match is required");
  STRATA_ASSIGN_OR_RETURN(auto selectors, ParseSelectors(f.match));
  // What would go: counted read-only, before anything changes.
  int64_t series = 0, samples = 0;
  std::vector<std::string> names;
  {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DataDir> d,
                            DataDir::Open(g.data_dir));
    std::unique_ptr<Querier> q = d->NewQuerier(range.first, range.second);
    STRATA_RETURN_IF_ERROR(ScanSeries(*q, selectors, [&](const Series& s) {
      ++series;
      if (names.size() < 20) names.push_back(s.labels().ToString());
      std::unique_ptr<SampleIterator> it = s.NewIterator();
      while (it->Next()) ++samples;
      return it->status();
    }));
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
    for (const auto& m : selectors) {
      STRATA_RETURN_IF_ERROR((*db)->DeleteSeries(m, range.first, range.second));
    }
    if (f.clean) STRATA_RETURN_IF_ERROR((*db)->CleanTombstones());
    STRATA_RETURN_IF_ERROR((*db)->Close());
  }
  if (g.json) {
    nlohmann::json j = {
        {"dryRun", f.dry_run},    {"series", series},
        {"samples", samples},     {"cleaned", f.clean && !f.dry_run},
        {"minTime", range.first}, {"maxTime", range.second}};
    std::printf("%s\n", j.dump(2).c_str());
    return Status::OK();
  }
  std::printf("%s %lld samples of %lld series%s\n",
              f.dry_run ? "would delete" : "deleted", (long long)samples,
              (long long)series,
              f.dry_run ? ""
              : f.clean ? " (blocks rewritten without them)"
                        : " (tombstones; run with --clean to free the disk)");
  for (const std::string& n : names) std::printf("  %s\n", n.c_str());
  if (series > static_cast<int64_t>(names.size())) {
    std::printf("  ... and %lld more\n",
                (long long)(series - static_cast<int64_t>(names.size())));
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
