#include "server/metrics/db_metrics.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace strata::server {
namespace {

double D(int64_t v) { return static_cast<double>(v); }

// A counter family with one label, one point per (value, count).
MetricFamily ByLabel(std::string name, std::string help, const char* label,
                     std::vector<std::pair<const char*, int64_t>> values) {
  MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = MetricType::kCounter;
  for (const auto& [value, count] : values) {
    MetricPoint point;
    point.labels.emplace_back(label, value);
    point.value = D(count);
    family.points.push_back(std::move(point));
  }
  return family;
}

void AppendHead(const DBStats& s, std::vector<MetricFamily>* out) {
  out->push_back(SingleValueFamily("strata_head_series",
                                   "Total number of series in the head block.",
                                   MetricType::kGauge, D(s.head_series)));
  out->push_back(SingleValueFamily("strata_head_chunks",
                                   "Total number of chunks in the head block.",
                                   MetricType::kGauge, D(s.head_chunks)));
  out->push_back(SingleValueFamily(
      "strata_head_min_time",
      "Minimum time bound of the head block, in milliseconds.",
      MetricType::kGauge, D(s.head_min_time)));
  out->push_back(
      SingleValueFamily("strata_head_max_time",
                        "Maximum timestamp of the head block, in milliseconds.",
                        MetricType::kGauge, D(s.head_max_time)));
  out->push_back(SingleValueFamily(
      "strata_head_samples_appended_total", "Total number of appended samples.",
      MetricType::kCounter, D(s.samples_appended)));
  out->push_back(
      SingleValueFamily("strata_head_series_created_total",
                        "Total number of series created in the head.",
                        MetricType::kCounter, D(s.series_created)));
  out->push_back(SingleValueFamily(
      "strata_head_series_removed_total",
      "Total number of series removed from the head by truncation.",
      MetricType::kCounter, D(s.head_series_removed)));
  out->push_back(
      SingleValueFamily("strata_head_chunks_created_total",
                        "Total number of chunks created in the head.",
                        MetricType::kCounter, D(s.head_chunks_created)));
  out->push_back(SingleValueFamily(
      "strata_head_chunks_removed_total",
      "Total number of chunks removed from the head by truncation.",
      MetricType::kCounter, D(s.head_chunks_removed)));
  out->push_back(ByLabel(
      "strata_head_samples_rejected_total",
      "Total number of samples refused by the head, by reason.", "reason",
      {{"duplicate", s.samples_duplicate},
       {"out_of_bounds", s.samples_out_of_bounds},
       {"out_of_order", s.samples_out_of_order},
       {"too_old", s.samples_too_old}}));
}

// The out-of-order window (Prometheus's
// prometheus_tsdb_head_out_of_order_samples_appended_total and the OOO
// head's WBL and compactions).
void AppendOutOfOrder(const DBStats& s, std::vector<MetricFamily>* out) {
  out->push_back(
      SingleValueFamily("strata_head_out_of_order_samples_appended_total",
                        "Total number of appended out-of-order samples.",
                        MetricType::kCounter, D(s.samples_ooo_appended)));
  out->push_back(SingleValueFamily(
      "strata_head_out_of_order_series",
      "Series holding out-of-order samples not yet compacted.",
      MetricType::kGauge, D(s.ooo_head_series)));
  out->push_back(
      SingleValueFamily("strata_head_out_of_order_chunks_created_total",
                        "Total number of out-of-order chunks cut.",
                        MetricType::kCounter, D(s.ooo_chunks_created)));
  out->push_back(SingleValueFamily(
      "strata_wbl_written_bytes_total",
      "Total bytes written to the write-behind log, framing included.",
      MetricType::kCounter, D(s.wbl_bytes)));
  out->push_back(
      SingleValueFamily("strata_wbl_segments_created_total",
                        "Total number of write-behind log segments created.",
                        MetricType::kCounter, D(s.wbl_segments)));
  out->push_back(SingleValueFamily(
      "strata_out_of_order_compactions_total",
      "Total number of compactions of the out-of-order head into blocks.",
      MetricType::kCounter, D(s.ooo_compactions)));
  out->push_back(SingleValueFamily(
      "strata_out_of_order_compactions_failed_total",
      "Total number of failed compactions of the out-of-order head.",
      MetricType::kCounter, D(s.ooo_compaction_failures)));
}

void AppendWal(const DBStats& s, const ReplayReport& replay,
               std::vector<MetricFamily>* out) {
  out->push_back(SingleValueFamily(
      "strata_wal_written_bytes_total",
      "Total bytes written to the write-ahead log, framing included.",
      MetricType::kCounter, D(s.wal_bytes)));
  out->push_back(
      SingleValueFamily("strata_wal_segments_created_total",
                        "Total number of write-ahead log segments created.",
                        MetricType::kCounter, D(s.wal_segments)));
  out->push_back(SingleValueFamily("strata_wal_fsyncs_total",
                                   "Total number of write-ahead log fsyncs.",
                                   MetricType::kCounter, D(s.wal_fsyncs)));
  // Only the total time is tracked: a summary without quantiles.
  MetricFamily fsync;
  fsync.name = "strata_wal_fsync_duration_seconds";
  fsync.help = "Duration of write-ahead log fsyncs.";
  fsync.type = MetricType::kSummary;
  fsync.points.emplace_back();
  fsync.points.back().sum = s.wal_fsync_seconds_total;
  fsync.points.back().count = static_cast<uint64_t>(s.wal_fsyncs);
  out->push_back(std::move(fsync));
  out->push_back(
      SingleValueFamily("strata_wal_writes_failed_total",
                        "Total number of failed write-ahead log writes.",
                        MetricType::kCounter, D(s.wal_write_errors)));
  out->push_back(SingleValueFamily(
      "strata_wal_replay_duration_seconds",
      "Time the write-ahead log replay took when the DB was opened.",
      MetricType::kGauge, replay.seconds));
  // Each damaged range replay skipped; a gap in the segment numbers counts
  // once.
  const size_t corruptions =
      std::max<size_t>(replay.skipped.size(), !replay.corruption.ok());
  out->push_back(SingleValueFamily(
      "strata_wal_corruptions_total",
      "Total number of write-ahead log corruptions found at open.",
      MetricType::kCounter, static_cast<double>(corruptions)));
  out->push_back(SingleValueFamily(
      "strata_wal_replay_records_skipped_total",
      "Write-ahead log records lost to corruption at open (at least one per "
      "corruption; intact records after it are kept).",
      MetricType::kCounter, D(replay.records_skipped)));
  out->push_back(SingleValueFamily(
      "strata_wal_checkpoint_creations_total",
      "Total number of write-ahead log checkpoint creations attempted.",
      MetricType::kCounter, D(s.wal_checkpoints)));
  out->push_back(SingleValueFamily(
      "strata_wal_checkpoint_creations_failed_total",
      "Total number of write-ahead log checkpoint creations that failed.",
      MetricType::kCounter, D(s.wal_checkpoint_failures)));
  out->push_back(SingleValueFamily(
      "strata_wal_truncations_total",
      "Total number of write-ahead log truncations attempted.",
      MetricType::kCounter, D(s.wal_truncations)));
  out->push_back(SingleValueFamily(
      "strata_wal_truncations_failed_total",
      "Total number of write-ahead log truncations that failed.",
      MetricType::kCounter, D(s.wal_truncation_failures)));
}

void AppendCompactionAndRetention(const DBStats& s,
                                  std::vector<MetricFamily>* out) {
  out->push_back(SingleValueFamily(
      "strata_compactions_total",
      "Total number of compactions that were executed (head persistence "
      "included).",
      MetricType::kCounter, D(s.compactions)));
  out->push_back(SingleValueFamily("strata_compactions_failed_total",
                                   "Total number of compactions that failed.",
                                   MetricType::kCounter,
                                   D(s.compaction_failures)));
  MetricFamily duration;
  duration.name = "strata_compaction_duration_seconds";
  duration.help = "Duration of compaction runs.";
  duration.type = MetricType::kHistogram;
  MetricPoint& point = duration.points.emplace_back();
  const DurationHistogram& h = s.compaction_duration;
  for (size_t i = 0;
       i < h.upper_bounds.size() && i < h.cumulative_counts.size(); ++i) {
    point.buckets.emplace_back(h.upper_bounds[i], h.cumulative_counts[i]);
  }
  point.count = h.count;
  point.sum = h.sum;
  out->push_back(std::move(duration));
  out->push_back(ByLabel(
      "strata_retention_blocks_removed_total",
      "Total number of blocks deleted by retention, by reason.", "reason",
      {{"size", s.retention_size_blocks}, {"time", s.retention_time_blocks}}));
  out->push_back(ByLabel(
      "strata_retention_bytes_removed_total",
      "Total bytes of blocks deleted by retention, by reason.", "reason",
      {{"size", s.retention_size_bytes}, {"time", s.retention_time_bytes}}));
}

void AppendStorageDamage(const DBStats& s, std::vector<MetricFamily>* out) {
  out->push_back(ByLabel(
      "strata_storage_corruptions_total",
      "Damage found in persisted blocks by queries and scrubs, each damaged "
      "series (or block file) counted once, by kind.",
      "kind",
      {{"block", s.corruptions_block},
       {"chunk", s.corruptions_chunk},
       {"index", s.corruptions_index}}));
  out->push_back(
      SingleValueFamily("strata_storage_scrubs_total",
                        "Scrubs of every block's index and chunks run.",
                        MetricType::kCounter, D(s.scrubs)));
  out->push_back(SingleValueFamily("strata_storage_scrub_read_bytes_total",
                                   "Bytes read by scrubs.",
                                   MetricType::kCounter, D(s.scrub_bytes)));
  out->push_back(SingleValueFamily(
      "strata_storage_blocks_quarantined_total",
      "Damaged blocks rebuilt without their damaged data and moved to "
      "quarantine/.",
      MetricType::kCounter, D(s.blocks_quarantined)));
}

// Prometheus's prometheus_tsdb_exemplar_* (tsdb/exemplar.go), with its
// help texts.
void AppendExemplars(const ExemplarStats& e, std::vector<MetricFamily>* out) {
  out->push_back(SingleValueFamily("strata_exemplar_exemplars_appended_total",
                                   "Total number of appended exemplars.",
                                   MetricType::kCounter, D(e.appended)));
  out->push_back(
      SingleValueFamily("strata_exemplar_exemplars_in_storage",
                        "Number of exemplars currently in circular storage.",
                        MetricType::kGauge, D(e.in_storage)));
  out->push_back(SingleValueFamily(
      "strata_exemplar_series_with_exemplars_in_storage",
      "Number of series with exemplars currently in circular storage.",
      MetricType::kGauge, D(e.series_in_storage)));
  out->push_back(SingleValueFamily(
      "strata_exemplar_last_exemplars_timestamp_seconds",
      "The timestamp of the oldest exemplar stored in circular storage. "
      "Useful to check for what time range the current exemplar buffer "
      "limit allows.",
      MetricType::kGauge, e.oldest_timestamp_seconds));
  out->push_back(SingleValueFamily(
      "strata_exemplar_out_of_order_exemplars_total",
      "Total number of out of order exemplar ingestion failed attempts.",
      MetricType::kCounter, D(e.out_of_order)));
  out->push_back(SingleValueFamily(
      "strata_exemplar_max_exemplars",
      "Total number of exemplars the exemplar storage can store, resizeable.",
      MetricType::kGauge, D(e.max_exemplars)));
}

}  // namespace

void AddDBCollector(MetricsRegistry* registry, std::function<DB*()> db) {
  registry->AddCollector({"strata_head_series",
                          "strata_head_chunks",
                          "strata_head_min_time",
                          "strata_head_max_time",
                          "strata_head_samples_appended_total",
                          "strata_head_series_created_total",
                          "strata_head_series_removed_total",
                          "strata_head_chunks_created_total",
                          "strata_head_chunks_removed_total",
                          "strata_head_samples_rejected_total",
                          "strata_wal_written_bytes_total",
                          "strata_wal_segments_created_total",
                          "strata_wal_fsyncs_total",
                          "strata_head_out_of_order_samples_appended_total",
                          "strata_head_out_of_order_series",
                          "strata_head_out_of_order_chunks_created_total",
                          "strata_wbl_written_bytes_total",
                          "strata_wbl_segments_created_total",
                          "strata_out_of_order_compactions_total",
                          "strata_out_of_order_compactions_failed_total",
                          "strata_wal_fsync_duration_seconds",
                          "strata_wal_writes_failed_total",
                          "strata_wal_replay_duration_seconds",
                          "strata_wal_corruptions_total",
                          "strata_wal_replay_records_skipped_total",
                          "strata_wal_checkpoint_creations_total",
                          "strata_wal_checkpoint_creations_failed_total",
                          "strata_wal_truncations_total",
                          "strata_wal_truncations_failed_total",
                          "strata_compactions_total",
                          "strata_compactions_failed_total",
                          "strata_compaction_duration_seconds",
                          "strata_retention_blocks_removed_total",
                          "strata_retention_bytes_removed_total",
                          "strata_storage_corruptions_total",
                          "strata_storage_scrubs_total",
                          "strata_storage_scrub_read_bytes_total",
                          "strata_storage_blocks_quarantined_total",
                          "strata_exemplar_exemplars_appended_total",
                          "strata_exemplar_exemplars_in_storage",
                          "strata_exemplar_series_with_exemplars_in_storage",
                          "strata_exemplar_last_exemplars_timestamp_seconds",
                          "strata_exemplar_out_of_order_exemplars_total",
                          "strata_exemplar_max_exemplars"},
                         [db = std::move(db)](std::vector<MetricFamily>* out) {
                           DB* current = db();
                           if (current == nullptr) return;
                           const DBStats s = current->Stats();
                           AppendHead(s, out);
                           AppendOutOfOrder(s, out);
                           AppendWal(s, current->replay_report(), out);
                           AppendCompactionAndRetention(s, out);
                           AppendStorageDamage(s, out);
                           AppendExemplars(s.exemplars, out);
                         });
}

}  // namespace strata::server
