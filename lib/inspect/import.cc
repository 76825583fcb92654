#include "inspect/import.h"

#include "inspect/data_dir.h"
#include "inspect/export.h"
#include "inspect/exposition.h"
#include "inspect/series_scan.h"
#include "query/block_querier.h"

namespace strata::inspect {

StatusOr<BlockBuilderStats> ImportOpenMetrics(
    std::FILE* in, const std::string& data_dir,
    const OpenMetricsImportOptions& options) {
  OpenMetricsReaderOptions ro;
  ro.extra_labels = options.extra_labels;
  OpenMetricsReader reader(in, std::move(ro));
  BlockBuilder builder(data_dir, options.blocks);
  TextSample s;
  int64_t n = 0;
  Status st;
  while (reader.Next(&s)) {
    st = builder.Add(s.labels, s.t, s.v, reader.same_series());
    if (!st.ok()) break;
    if (options.progress && ++n % options.progress_every_samples == 0) {
      options.progress(n, reader.bytes_read());
    }
  }
  if (st.ok()) st = reader.status();
  // Blocks of what was read before an error are still written: they hold
  // valid samples and a later import of the rest may follow.
  Status fin = builder.Finish();
  STRATA_RETURN_IF_ERROR(st.WithContext(options.input_name));
  STRATA_RETURN_IF_ERROR(fin);
  return builder.stats();
}

StatusOr<PrometheusImportReport> ImportPrometheus(const std::string& src_dir,
                                                  const std::string& data_dir,
                                                  int64_t block_range_ms) {
  PrometheusImportReport r;
  // Blocks: copied as they are (same ULIDs), verified.
  STRATA_ASSIGN_OR_RETURN(r.copied, CopyBlocks(src_dir, data_dir));
  // The head: what its WAL holds beyond its blocks, written as new blocks.
  DataDirOptions o;
  o.block_range_ms = block_range_ms;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DataDir> src,
                          DataDir::Open(src_dir, o));
  r.source_wal_error = src->wal_error();
  BlockBuilderOptions bo;
  bo.block_range_ms = block_range_ms;
  BlockBuilder builder(data_dir, bo);
  if (src->head() && src->head()->NumSeries() > 0) {
    BlockQuerier q({src->head()}, kMinTime, kMaxTime);
    STRATA_RETURN_IF_ERROR(
        ScanSeries(q, {EveryNamedSeries()},
                   [&](const Series& s) { return builder.AddSeries(s); }));
  }
  STRATA_RETURN_IF_ERROR(builder.Finish());
  r.head = builder.stats();
  return r;
}

}  // namespace strata::inspect
