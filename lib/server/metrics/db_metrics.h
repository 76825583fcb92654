// The storage engine's figures (DB::Stats() and the WAL replay report) as
// metrics, read at scrape time:
//   head:        strata_head_series, strata_head_chunks, strata_head_min_time,
//                strata_head_max_time, strata_head_samples_appended_total,
//                strata_head_series_created_total,
//                strata_head_series_removed_total,
//                strata_head_chunks_created_total,
//                strata_head_chunks_removed_total,
//                strata_head_samples_rejected_total{reason}
//   out-of-order: strata_head_out_of_order_samples_appended_total,
//                strata_head_out_of_order_series,
//                strata_head_out_of_order_chunks_created_total,
//                strata_wbl_written_bytes_total,
//                strata_wbl_segments_created_total,
//                strata_out_of_order_compactions_total,
//                strata_out_of_order_compactions_failed_total (the
//                too-old refusals are reason="too_old" above)
//   WAL:         strata_wal_written_bytes_total,
//                strata_wal_segments_created_total, strata_wal_fsyncs_total,
//                strata_wal_fsync_duration_seconds,
//                strata_wal_writes_failed_total,
//                strata_wal_replay_duration_seconds,
//                strata_wal_corruptions_total,
//                strata_wal_checkpoint_creations_total,
//                strata_wal_checkpoint_creations_failed_total,
//                strata_wal_truncations_total,
//                strata_wal_truncations_failed_total
//   compaction:  strata_compactions_total, strata_compactions_failed_total,
//                strata_compaction_duration_seconds (histogram)
//   retention:   strata_retention_blocks_removed_total{reason="time"|"size"},
//                strata_retention_bytes_removed_total{reason}
//   damage:      strata_storage_corruptions_total{kind="block"|"chunk"|
//                "index"}, strata_storage_scrubs_total,
//                strata_storage_scrub_read_bytes_total,
//                strata_storage_blocks_quarantined_total
//   exemplars:   strata_exemplar_exemplars_appended_total,
//                strata_exemplar_exemplars_in_storage,
//                strata_exemplar_series_with_exemplars_in_storage,
//                strata_exemplar_last_exemplars_timestamp_seconds,
//                strata_exemplar_out_of_order_exemplars_total,
//                strata_exemplar_max_exemplars (Prometheus's
//                prometheus_tsdb_exemplar_*)
// Nothing is reported while no DB is attached.
//
// Thread-safety: the collector is safe to call concurrently; `db` must be.
#ifndef STRATA_SERVER_METRICS_DB_METRICS_H_
#define STRATA_SERVER_METRICS_DB_METRICS_H_

#include <functional>

#include "server/metrics/metrics.h"
#include "strata/db.h"

namespace strata::server {

// `db()` is called at every scrape and returns the DB to report, or null.
void AddDBCollector(MetricsRegistry* registry, std::function<DB*()> db);

}  // namespace strata::server

#endif  // STRATA_SERVER_METRICS_DB_METRICS_H_
