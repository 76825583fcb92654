// `strata-tsdb verify [--repair]`: checks every checksum and invariant of
// the blocks and the WAL; with --repair quarantines and rebuilds (never
// deletes). Exits non-zero while problems remain.
#include <cstdio>

#include "cli.h"
#include "inspect/repair.h"
#include "inspect/verifier.h"
#include "nlohmann/json.hpp"
#include "util/dir_lock.h"

namespace strata::tsdb {
namespace {

using inspect::Problem;
using inspect::RepairReport;
using inspect::VerifyReport;

struct VerifyFlags {
  bool repair = false;
};

nlohmann::json ProblemsJson(const VerifyReport& r) {
  nlohmann::json arr = nlohmann::json::array();
  for (const Problem& p : r.problems) {
    nlohmann::json j = {{"file", p.file}, {"what", p.what}};
    if (p.offset >= 0) j["offset"] = p.offset;
    if (!p.series.empty()) j["series"] = p.series;
    if (p.warning) j["warning"] = true;
    arr.push_back(j);
  }
  return arr;
}

void PrintProblems(const VerifyReport& r) {
  for (const Problem& p : r.problems) {
    std::printf("%s: %s", p.warning ? "WARNING" : "PROBLEM", p.file.c_str());
    if (p.offset >= 0) std::printf(" at offset %lld", (long long)p.offset);
    if (!p.series.empty()) std::printf(" (series %s)", p.series.c_str());
    std::printf(": %s\n", p.what.c_str());
  }
}

Status RunVerify(const GlobalOptions& g, const VerifyFlags& f) {
  std::unique_ptr<DirLock> lock;
  if (f.repair) {
    StatusOr<std::unique_ptr<DirLock>> l = DirLock::Acquire(g.data_dir);
    if (!l.ok()) {
      return l.status().WithContext(
          "--repair needs the server stopped (data directory lock)");
    }
    lock = std::move(l).value();
  }
  STRATA_ASSIGN_OR_RETURN(VerifyReport report,
                          inspect::VerifyDataDir(g.data_dir));
  nlohmann::json out;
  if (g.json) {
    out["blocks"] = report.blocks_checked;
    out["series"] = report.series_checked;
    out["chunks"] = report.chunks_checked;
    out["walSegments"] = report.segments_checked;
    out["walRecords"] = report.records_checked;
    out["problems"] = ProblemsJson(report);
  } else {
    std::printf(
        "checked %lld blocks (%lld series, %lld chunks), %lld WAL segments "
        "(%lld records)\n",
        (long long)report.blocks_checked, (long long)report.series_checked,
        (long long)report.chunks_checked, (long long)report.segments_checked,
        (long long)report.records_checked);
    PrintProblems(report);
  }
  int remaining = report.errors();
  const bool repair = f.repair && (!report.damaged_blocks.empty() ||
                                   !report.damaged_segments.empty());
  if (repair) {
    STRATA_ASSIGN_OR_RETURN(RepairReport rr,
                            inspect::RepairDataDir(g.data_dir, report));
    STRATA_ASSIGN_OR_RETURN(VerifyReport after,
                            inspect::VerifyDataDir(g.data_dir));
    remaining = after.errors();
    if (g.json) {
      out["repair"] = {{"quarantined", rr.quarantined},
                       {"rebuiltBlocks", rr.rebuilt_blocks},
                       {"seriesKept", rr.series_kept},
                       {"seriesLost", rr.series_lost},
                       {"samplesKept", rr.samples_kept},
                       {"chunksLost", rr.chunks_lost},
                       {"walRecordsSalvaged", rr.wal_records_salvaged},
                       {"notes", rr.notes},
                       {"problemsAfter", ProblemsJson(after)}};
    } else {
      std::printf("repair:\n");
      for (const std::string& q : rr.quarantined) {
        std::printf("  quarantined %s\n", q.c_str());
      }
      for (const std::string& b : rr.rebuilt_blocks) {
        std::printf("  rebuilt block %s\n", b.c_str());
      }
      std::printf(
          "  kept %lld series (%lld samples); lost %lld series entries, %lld "
          "chunks; %lld WAL records salvaged\n",
          (long long)rr.series_kept, (long long)rr.samples_kept,
          (long long)rr.series_lost, (long long)rr.chunks_lost,
          (long long)rr.wal_records_salvaged);
      for (const std::string& n : rr.notes)
        std::printf("  note: %s\n", n.c_str());
      std::printf("after repair: %d problems\n", remaining);
      PrintProblems(after);
    }
  }
  if (g.json) std::printf("%s\n", out.dump(2).c_str());
  if (remaining > 0) {
    return Status::Corruption(
        std::to_string(remaining) + " problem(s) found" +
        (f.repair ? " after repair" : "; run verify --repair to fix"));
  }
  if (!g.json) std::printf("OK\n");
  return Status::OK();
}

}  // namespace

void RegisterVerify(CLI::App& app, GlobalOptions& g, Command& cmd) {
  auto f = std::make_shared<VerifyFlags>();
  CLI::App* sub = app.add_subcommand(
      "verify",
      "Check every checksum and invariant of the blocks and the WAL.");
  sub->add_flag("--repair", f->repair,
                "Move damaged blocks/segments to quarantine/ (never delete) "
                "and rebuild what is readable. The server must be stopped.");
  sub->callback(
      [&g, &cmd, f] { cmd.run = [&g, f] { return RunVerify(g, *f); }; });
}

}  // namespace strata::tsdb
