#include "inspect/repair.h"

#include <ctime>

#include "block/block_salvage.h"
#include "inspect/data_dir.h"
#include "util/data_dir_files.h"
#include "wal/replay.h"
#include "wal/segment.h"

namespace strata::inspect {
namespace {

// The shared salvage (block/block_salvage.h): what reads of the block in
// quarantine `qdir` becomes a new block of `data_dir`.
Status SalvageInto(FileSystem* fs, const std::string& qdir,
                   const std::string& data_dir, RepairReport* report) {
  STRATA_ASSIGN_OR_RETURN(SalvageResult r, SalvageBlock(fs, qdir, data_dir));
  report->series_kept += r.series_kept;
  report->series_lost += r.series_lost;
  report->samples_kept += r.samples_kept;
  report->chunks_lost += r.chunks_lost;
  for (std::string& n : r.notes) report->notes.push_back(std::move(n));
  if (r.written) report->rebuilt_blocks.push_back(r.written->ulid.ToString());
  return Status::OK();
}

// The WAL: ReplayWal does the work, as at every DB open (wal/salvage.h):
// each damaged segment is rewritten holding every intact record, the
// original going to quarantine/wal-<time>/original/.
Status RepairWal(FileSystem* fs, const std::string& data_dir,
                 RepairReport* report) {
  const std::string qdir =
      JoinPath(FreePath(fs, JoinPath(data_dir, kQuarantineDirName),
                        "wal-" + std::to_string(std::time(nullptr))),
               "original");
  wal::ReplayResult result;
  wal::ReplayOptions ro;
  ro.quarantine_dir = qdir;
  STRATA_RETURN_IF_ERROR(wal::ReplayWal(
      fs, JoinPath(data_dir, kWalDir),
      [](std::string_view) { return Status::OK(); }, &result, ro));
  for (const std::string& n : result.quarantined) {
    report->quarantined.push_back(JoinPath(qdir, n));
  }
  for (const wal::ReplayResult::SkippedRange& r : result.skipped) {
    report->notes.push_back("wal segment " + wal::SegmentName(r.segment) +
                            ": " + std::to_string(r.bytes) +
                            " damaged bytes skipped at offset " +
                            std::to_string(r.offset));
  }
  report->wal_records_salvaged = result.records_salvaged;
  return Status::OK();
}

}  // namespace

StatusOr<RepairReport> RepairDataDir(const std::string& data_dir,
                                     const VerifyReport& verify) {
  FileSystem* fs = FileSystem::Default();
  RepairReport report;
  for (const std::string& name : verify.damaged_blocks) {
    STRATA_ASSIGN_OR_RETURN(const std::string q,
                            QuarantineBlockDir(fs, data_dir, name));
    report.quarantined.push_back(q);
    STRATA_RETURN_IF_ERROR(SalvageInto(fs, q, data_dir, &report)
                               .WithContext("rebuilding " + name));
  }
  if (!verify.damaged_segments.empty()) {
    STRATA_RETURN_IF_ERROR(RepairWal(fs, data_dir, &report));
  }
  return report;
}

}  // namespace strata::inspect
