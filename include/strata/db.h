// DB: the embeddable time-series store. Open one per data directory.
//
// Thread-safety: all methods are safe to call concurrently.
#ifndef STRATA_DB_H_
#define STRATA_DB_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strata/appender.h"
#include "strata/exemplar.h"
#include "strata/options.h"
#include "strata/querier.h"
#include "strata/status.h"

namespace strata {

// What Open found while replaying the WAL.
struct ReplayReport {
  int64_t segments = 0;
  int64_t records = 0;
  int64_t series = 0;
  int64_t samples = 0;
  // Samples the head refused during replay (out of order, duplicates).
  int64_t samples_rejected = 0;
  // Out-of-order samples the WBL replay put back into the out-of-order
  // head.
  int64_t ooo_samples = 0;
  // A torn record at the end of the WAL was cut off.
  bool torn_tail_truncated = false;
  // Non-OK if replay found corruption (the first one). Replay skips only
  // the damaged records and keeps every intact one after them; each
  // damaged segment is rewritten with those, its original moved (never
  // deleted) to `quarantine_dir`.
  Status corruption;
  std::string quarantine_dir;
  // What corruption cost, range by range (a torn tail is not counted).
  struct SkippedRange {
    int segment = -1;
    int64_t offset = 0;  // Where the first record lost began.
    int64_t bytes = 0;
    Status reason;
  };
  std::vector<SkippedRange> skipped;
  // Records lost: at least one per range (a damaged fragment header can
  // hide how many records the rest of its page held); bytes are exact.
  int64_t records_skipped = 0;
  int64_t bytes_skipped = 0;
  // Records kept from behind damage, which stopping there would have lost.
  int64_t records_salvaged = 0;
  double seconds = 0;
  // The head was loaded from a shutdown snapshot (Options::
  // snapshot_on_shutdown), and only the WAL written after it replayed.
  bool from_snapshot = false;
  int64_t snapshot_series = 0;
  int64_t snapshot_chunks = 0;
  // Of snapshot_chunks, those the snapshot gave by reference to
  // chunks_head/ (Options::head_chunks_on_disk): not read at open.
  int64_t snapshot_chunk_refs = 0;
  double snapshot_seconds = 0;
  // Why a snapshot found was not used (damaged, stale); it was removed and
  // the whole WAL replayed. Empty otherwise.
  std::string snapshot_discarded;
  // Options::head_chunks_on_disk: chunks found in chunks_head/ and attached
  // to their series, the WAL samples they made the replay skip, and the
  // damage found (the first problem; the files were cut there).
  int64_t mapped_chunks = 0;
  int64_t samples_in_mapped_chunks = 0;
  std::string mapped_chunks_damage;
};

// A histogram of durations as a scrape reports it: cumulative counts per
// upper bound (seconds, ascending; the +Inf bucket is `count`).
struct DurationHistogram {
  std::vector<double> upper_bounds;
  std::vector<uint64_t> cumulative_counts;  // One per upper bound.
  uint64_t count = 0;
  double sum = 0;
};

// Point-in-time figures for monitoring. Counters (`*_total` in the
// server's /metrics) only go up while the DB is open.
struct DBStats {
  int64_t head_series = 0;
  int64_t head_chunks = 0;
  int64_t head_min_time = 0;
  int64_t head_max_time = 0;
  int64_t samples_appended = 0;
  int64_t series_created = 0;
  int64_t samples_out_of_order = 0;
  int64_t samples_out_of_bounds = 0;
  int64_t samples_duplicate = 0;
  // The out-of-order window (Options::out_of_order_time_window_ms):
  // samples accepted into the out-of-order head (also counted in
  // samples_appended), samples refused as older than the window, and the
  // out-of-order head's series and WBL.
  int64_t samples_ooo_appended = 0;
  int64_t samples_too_old = 0;
  int64_t ooo_head_series = 0;
  int64_t ooo_chunks_created = 0;
  int64_t wbl_bytes = 0;
  int64_t wbl_segments = 0;
  // Out-of-order compactions run (each may write several blocks).
  int64_t ooo_compactions = 0;
  int64_t ooo_compaction_failures = 0;
  int64_t wal_bytes = 0;
  int64_t wal_segments = 0;
  int64_t wal_fsyncs = 0;
  double wal_fsync_seconds_total = 0;
  int64_t wal_write_errors = 0;
  int64_t blocks = 0;
  int64_t blocks_bytes = 0;
  // Blocks written by compaction runs, as Prometheus counts them: the
  // head persisted into a block and leveled compactions of blocks.
  int64_t compactions = 0;
  int64_t compaction_failures = 0;
  // How long each of those block writes took, failed ones included.
  DurationHistogram compaction_duration;
  // Blocks that failed to open and are not served (left on disk).
  int64_t corrupt_blocks = 0;
  // Blocks deleted by retention and their bytes, by reason: older than
  // the time retention, or the oldest past the size retention (a block
  // past both counts as time).
  int64_t retention_time_blocks = 0;
  int64_t retention_time_bytes = 0;
  int64_t retention_size_blocks = 0;
  int64_t retention_size_bytes = 0;
  // Head truncation after persisting: the WAL is checkpointed, then the
  // segments the checkpoint replaces are deleted (truncated).
  int64_t wal_checkpoints = 0;  // Attempted.
  int64_t wal_checkpoint_failures = 0;
  int64_t wal_truncations = 0;  // Attempted (after a checkpoint).
  int64_t wal_truncation_failures = 0;
  // Head churn.
  int64_t head_series_removed = 0;
  int64_t head_chunks_created = 0;
  int64_t head_chunks_removed = 0;
  // Damage found in persisted blocks by queries and scrubs, each damaged
  // chunk or index entry counted once: chunks failing their CRC or not
  // decoding, index sections or series entries failing theirs, and the
  // rest of a block (meta.json, tombstones, stats; found by scrubs).
  int64_t corruptions_chunk = 0;
  int64_t corruptions_index = 0;
  int64_t corruptions_block = 0;
  // Scrubs run (DB::Scrub, background ones included), bytes they read,
  // and damaged blocks moved to quarantine.
  int64_t scrubs = 0;
  int64_t scrub_bytes = 0;
  int64_t blocks_quarantined = 0;
  // The exemplar ring (prometheus_tsdb_exemplar_*).
  ExemplarStats exemplars;
};

// What one DB::Scrub found and did.
struct ScrubReport {
  int64_t blocks_checked = 0;
  int64_t series_checked = 0;
  int64_t chunks_checked = 0;
  int64_t bytes_read = 0;
  // One line per problem: block, file, series, what.
  std::vector<std::string> problems;
  // Damaged blocks moved to <dir>/quarantine/ (paths, as they are now),
  // and the blocks rebuilt from them (ULIDs).
  std::vector<std::string> quarantined;
  std::vector<std::string> rebuilt_blocks;
  int64_t series_lost = 0;  // Index entry unreadable.
  int64_t chunks_lost = 0;
};

// One persisted block as DB::Blocks lists it: its meta.json's facts and
// its size on disk.
struct BlockInfo {
  std::string ulid;
  int64_t min_time = 0;  // Inclusive, milliseconds.
  int64_t max_time = 0;  // Exclusive, as meta.json's maxTime.
  int64_t num_series = 0;
  int64_t num_samples = 0;
  int64_t num_chunks = 0;
  int64_t num_tombstones = 0;
  // 1 for a block cut from the head; one more per compaction.
  int level = 1;
  // The level-1 blocks whose data this block holds (ULIDs).
  std::vector<std::string> sources;
  int64_t size_bytes = 0;  // Index, chunks, meta.json and tombstones.
};

class DB {
 public:
  // Opens or creates the data directory `dir`, replaying its WAL. Paths
  // here are `const std::string&`, as in FileSystem, since they end up as
  // NUL-terminated OS paths.
  static StatusOr<std::unique_ptr<DB>> Open(const Options& options,
                                            const std::string& dir);

  virtual ~DB() = default;

  virtual std::unique_ptr<Appender> NewAppender() = 0;
  // A view of samples with mint <= t <= maxt.
  virtual StatusOr<std::unique_ptr<Querier>> NewQuerier(int64_t mint,
                                                        int64_t maxt) = 0;

  // Reads the exemplar ring as it is now. Unavailable once closed.
  virtual StatusOr<std::unique_ptr<ExemplarQuerier>> NewExemplarQuerier() {
    return Status::NotSupported("this DB stores no exemplars");
  }
  // Resizes the exemplar ring as Prometheus's ApplyConfig does: keeps the
  // newest exemplars that fit, oldest dropped first; <= 0 stores none
  // (and drops every stored one). Returns how many were kept.
  virtual int64_t SetMaxExemplars(int64_t max_exemplars) {
    (void)max_exemplars;
    return 0;
  }
  // Changes the out-of-order time window (Options::
  // out_of_order_time_window_ms) as Prometheus's ApplyConfig does:
  // appenders created afterwards use it; < 0 is 0 (off). Samples already
  // accepted stay.
  virtual Status SetOutOfOrderTimeWindow(int64_t ms) {
    (void)ms;
    return Status::NotSupported("this DB takes no out-of-order samples");
  }
  // Writes the out-of-order head into blocks now (Prometheus's
  // CompactOOOHead); Compact does it after persisting the head.
  virtual Status CompactOutOfOrderHead() {
    return Status::NotSupported("this DB takes no out-of-order samples");
  }

  // Writes a consistent, openable copy of the data to `dir` while ingest
  // goes on: persisted blocks as hard links, and with `with_head` the head
  // written as a block. Restore = open `dir` as a data directory.
  virtual Status Snapshot(const std::string& dir, bool with_head) = 0;
  // Incremental backup into `dir` (any file system), a data directory:
  // copies the persisted blocks `dir` lacks, verifying each before making
  // it visible, and with `with_head` the head's data as its WAL, of which
  // only what `dir` lacks is copied (closed segments and the checkpoint
  // once, the live segment's new records up to the last complete one;
  // segments the source checkpointed away are deleted from `dir`). Every
  // sample acknowledged before the call is in `dir` afterwards, while
  // ingest goes on; compaction waits. Restore = open `dir` as a data
  // directory (or `strata-tsdb restore`). See lib/db/db_backup.cc.
  struct BackupReport {
    int64_t blocks_copied = 0;
    int64_t blocks_skipped = 0;  // Already in `dir`.
    // Bytes written to `dir`, all kinds; then by kind.
    int64_t bytes_copied = 0;
    int64_t block_bytes = 0;
    int64_t wal_segment_bytes = 0;
    int64_t wal_checkpoint_bytes = 0;
    int64_t wal_segments_copied = 0;   // Created or extended.
    int64_t wal_segments_removed = 0;  // Checkpointed away at the source.
    // The out-of-order samples' WBL (wbl/), copied as the WAL is.
    int64_t wbl_segment_bytes = 0;
  };
  virtual StatusOr<BackupReport> Backup(const std::string& dir,
                                        bool with_head) = 0;
  // Marks samples of matching series in [mint, maxt] deleted (tombstones);
  // queries stop returning them at once.
  virtual Status DeleteSeries(const std::vector<Matcher>& matchers,
                              int64_t mint, int64_t maxt) = 0;
  // Rewrites blocks that carry tombstones so deleted data frees disk.
  virtual Status CleanTombstones() = 0;
  // Persists what the head holds of complete block ranges and runs due
  // compactions and retention now (normally a background task does this).
  virtual Status Compact() = 0;

  // Reads every persisted block's index and chunks (rate-limited by
  // Options::scrub_bytes_per_second), verifying every checksum, as
  // strata-tsdb verify does. A damaged block is rebuilt with everything
  // still intact (also the damaged series' intact chunks) and moved to
  // <dir>/quarantine/<ULID>, never deleted; queries keep being served.
  // The background scrub (Options::scrub_interval_ms) calls this.
  virtual StatusOr<ScrubReport> Scrub() = 0;

  virtual const ReplayReport& replay_report() const = 0;
  virtual DBStats Stats() const = 0;
  // The persisted blocks being served, oldest first (by min_time).
  virtual std::vector<BlockInfo> Blocks() const = 0;
  virtual const std::string& dir() const = 0;

  // Flushes and syncs the WAL and releases files. Idempotent; the
  // destructor calls it. Using the DB afterwards yields Unavailable.
  virtual Status Close() = 0;
};

}  // namespace strata

#endif  // STRATA_DB_H_
