// Backfill into new blocks of a data directory: from OpenMetrics text
// (streamed), or from a Prometheus 2.x data directory (its blocks copied
// and verified, its WAL's head written as new blocks).
//
// New blocks may move the boundary below which the next WAL replay takes
// samples as persisted: callers check MovedHeadBoundary (data_dir.h).
//
// Thread-safety: one import per destination at a time.
#ifndef STRATA_INSPECT_IMPORT_H_
#define STRATA_INSPECT_IMPORT_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "inspect/block_builder.h"
#include "inspect/block_copy.h"
#include "strata/labels.h"
#include "strata/status.h"

namespace strata::inspect {

struct OpenMetricsImportOptions {
  // Added to (or replacing same-named labels of) every series.
  std::vector<Label> extra_labels;
  BlockBuilderOptions blocks;
  // Names the input in errors ("stdin", a file name).
  std::string input_name;
  // If set, called after every `progress_every_samples` samples read with
  // the samples and bytes read so far.
  std::function<void(int64_t samples, int64_t bytes)> progress;
  int64_t progress_every_samples = 1'000'000;
};

// Reads OpenMetrics text from `in` (not owned, not closed) into new blocks
// of `data_dir`. After a read error the blocks of what was read before are
// still written, then the error is returned.
StatusOr<BlockBuilderStats> ImportOpenMetrics(
    std::FILE* in, const std::string& data_dir,
    const OpenMetricsImportOptions& options);

struct PrometheusImportReport {
  CopyReport copied;        // The source's blocks.
  BlockBuilderStats head;   // Its head, written as new blocks.
  Status source_wal_error;  // Why reading the source's WAL stopped early.
};

// Copies the blocks of `src_dir` (a Prometheus or Strata data directory)
// into `data_dir`, and writes what its WAL holds beyond them as new blocks
// `block_range_ms` wide.
StatusOr<PrometheusImportReport> ImportPrometheus(const std::string& src_dir,
                                                  const std::string& data_dir,
                                                  int64_t block_range_ms);

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_IMPORT_H_
