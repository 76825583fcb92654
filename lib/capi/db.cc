// Options, open/close and maintenance (snapshot, backup, compaction,
// deletion, stats) of the C ABI.
#include <algorithm>
#include <cstring>

#include "capi/handles.h"

namespace strata::capi {
namespace {

// Copies the first `size` bytes of `full` to `out`: callers built against
// an older, shorter struct get the fields they know.
template <typename T>
void CopyPrefix(const T& full, T* out, size_t size) {
  std::memcpy(out, &full, std::min(size, sizeof(T)));
}

strata_stats StatsToC(const DBStats& s) {
  strata_stats c{};
  c.head_series = s.head_series;
  c.head_chunks = s.head_chunks;
  c.head_min_time = s.head_min_time;
  c.head_max_time = s.head_max_time;
  c.samples_appended = s.samples_appended;
  c.series_created = s.series_created;
  c.samples_out_of_order = s.samples_out_of_order;
  c.samples_out_of_bounds = s.samples_out_of_bounds;
  c.samples_duplicate = s.samples_duplicate;
  c.wal_bytes = s.wal_bytes;
  c.wal_segments = s.wal_segments;
  c.wal_fsyncs = s.wal_fsyncs;
  c.blocks = s.blocks;
  c.blocks_bytes = s.blocks_bytes;
  c.compactions = s.compactions;
  c.compaction_failures = s.compaction_failures;
  c.corrupt_blocks = s.corrupt_blocks;
  return c;
}

strata_backup_report BackupReportToC(const DB::BackupReport& r) {
  strata_backup_report c{};
  c.blocks_copied = r.blocks_copied;
  c.blocks_skipped = r.blocks_skipped;
  c.bytes_copied = r.bytes_copied;
  c.wal_segments_copied = r.wal_segments_copied;
  c.wal_segments_removed = r.wal_segments_removed;
  return c;
}

}  // namespace
}  // namespace strata::capi

using strata::capi::Fail;
using strata::capi::Guarded;
using strata::capi::RequireNonNull;

extern "C" {

strata_options* strata_options_new(void) {
  return new (std::nothrow) strata_options{};
}

void strata_options_free(strata_options* options) { delete options; }

void strata_options_set_wal_sync_always(strata_options* o, int always) {
  o->db.wal_sync = always ? strata::WalSyncPolicy::kAlways
                          : strata::WalSyncPolicy::kInterval;
}
void strata_options_set_wal_sync_interval_ms(strata_options* o, int64_t ms) {
  o->db.wal_sync_interval_ms = ms;
}
void strata_options_set_wal_compression(strata_options* o, int on) {
  o->db.wal_compression = on != 0;
}
void strata_options_set_block_duration_ms(strata_options* o, int64_t ms) {
  o->db.block_duration_ms = ms;
}
void strata_options_set_retention_ms(strata_options* o, int64_t ms) {
  o->db.retention_ms = ms;
}
void strata_options_set_retention_bytes(strata_options* o, int64_t bytes) {
  o->db.retention_bytes = bytes;
}
void strata_options_set_background_compaction(strata_options* o, int on) {
  o->db.background_compaction = on != 0;
}
void strata_options_set_query_timeout_ms(strata_options* o, int64_t ms) {
  o->engine.timeout_ms = ms;
}
void strata_options_set_query_max_samples(strata_options* o, int64_t samples) {
  o->engine.max_samples = samples;
}
void strata_options_set_query_lookback_delta_ms(strata_options* o, int64_t ms) {
  o->engine.lookback_delta_ms = ms;
}

strata_status_t strata_open(const char* dir, const strata_options* options,
                            strata_db** out) {
  return Guarded([&] {
    if (strata_status_t s = RequireNonNull(dir, "dir")) return s;
    if (strata_status_t s = RequireNonNull(out, "db")) return s;
    const strata_options defaults{};
    const strata_options& o = options != nullptr ? *options : defaults;
    auto db = strata::DB::Open(o.db, dir);
    if (!db.ok()) return Fail(db.status());
    *out = new strata_db{std::move(db).value(),
                         std::make_unique<strata::promql::Engine>(o.engine)};
    return STRATA_OK;
  });
}

strata_status_t strata_close(strata_db* db) {
  if (db == nullptr) return STRATA_OK;
  strata_status_t s = Guarded([&] { return Fail(db->db->Close()); });
  delete db;
  return s;
}

strata_status_t strata_snapshot(strata_db* db, const char* dir, int with_head) {
  return Guarded([&] {
    if (strata_status_t s = RequireNonNull(db, "db")) return s;
    if (strata_status_t s = RequireNonNull(dir, "dir")) return s;
    return Fail(db->db->Snapshot(dir, with_head != 0));
  });
}

strata_status_t strata_backup(strata_db* db, const char* dir, int with_head,
                              strata_backup_report* report,
                              size_t report_size) {
  return Guarded([&] {
    if (strata_status_t s = RequireNonNull(db, "db")) return s;
    if (strata_status_t s = RequireNonNull(dir, "dir")) return s;
    auto r = db->db->Backup(dir, with_head != 0);
    if (!r.ok()) return Fail(r.status());
    if (report != nullptr) {
      strata::capi::CopyPrefix(strata::capi::BackupReportToC(*r), report,
                               report_size);
    }
    return STRATA_OK;
  });
}

strata_status_t strata_compact(strata_db* db) {
  return Guarded([&] {
    if (strata_status_t s = RequireNonNull(db, "db")) return s;
    return Fail(db->db->Compact());
  });
}

strata_status_t strata_delete_series(strata_db* db,
                                     const strata_matcher* matchers,
                                     size_t n_matchers, int64_t mint,
                                     int64_t maxt) {
  return Guarded([&] {
    if (strata_status_t s = RequireNonNull(db, "db")) return s;
    auto ms = strata::capi::MatchersFromC(matchers, n_matchers);
    if (!ms.ok()) return Fail(ms.status());
    return Fail(db->db->DeleteSeries(*ms, mint, maxt));
  });
}

strata_status_t strata_get_stats(strata_db* db, strata_stats* stats,
                                 size_t stats_size) {
  return Guarded([&] {
    if (strata_status_t s = RequireNonNull(db, "db")) return s;
    if (strata_status_t s = RequireNonNull(stats, "stats")) return s;
    strata::capi::CopyPrefix(strata::capi::StatsToC(db->db->Stats()), stats,
                             stats_size);
    return STRATA_OK;
  });
}

}  // extern "C"
