// Repair (behind `strata-tsdb verify --repair`). It never deletes: damaged
// files are moved (blocks) or copied (WAL segments, before the WAL is cut
// back to its valid prefix) into `<data>/quarantine/`, and what can still
// be read is rebuilt next to the good data:
//   block  -> the whole block directory goes to quarantine/<ULID>/; every
//             series whose index entry reads, with every chunk that passes
//             its CRC and decodes, minus tombstoned samples, is written
//             into a new block of the data directory (block/block_salvage.h,
//             as the DB's scrub does);
//   WAL    -> what DB::Open's replay does (wal/replay.h, wal/salvage.h):
//             each damaged segment is rewritten in place holding every
//             intact record, also those after the damage, its original
//             going to quarantine/wal-<time>/original/; a torn tail is cut.
//
// Thread-safety: one thread; the server must be stopped (the caller holds
// the directory lock).
#ifndef STRATA_INSPECT_REPAIR_H_
#define STRATA_INSPECT_REPAIR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "inspect/verifier.h"
#include "strata/status.h"

namespace strata::inspect {

struct RepairReport {
  std::vector<std::string> quarantined;  // Paths, as they are now.
  std::vector<std::string> rebuilt_blocks;
  int64_t series_kept = 0;
  int64_t series_lost = 0;  // Index entry unreadable.
  int64_t samples_kept = 0;
  int64_t chunks_lost = 0;
  // WAL records kept from behind damage in their segment.
  int64_t wal_records_salvaged = 0;
  std::vector<std::string> notes;
};

// Quarantines and rebuilds what `verify` (VerifyDataDir of `data_dir`)
// found damaged.
StatusOr<RepairReport> RepairDataDir(const std::string& data_dir,
                                     const VerifyReport& verify);

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_REPAIR_H_
