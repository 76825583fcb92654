// Options for DB::Open. Plain values; copy freely.
#ifndef STRATA_OPTIONS_H_
#define STRATA_OPTIONS_H_

#include <cstdint>

namespace strata {

// Defined in strata/file_system.h. Only tests and embedders that need
// fault injection or their own storage set Options::file_system.
class FileSystem;

// When Appender::Commit's samples become durable.
enum class WalSyncPolicy {
  // Commit returns only after the WAL is fdatasync'ed. Concurrent committers
  // share one fdatasync (group commit).
  kAlways,
  // Commit returns once the WAL bytes are written to the OS (they survive a
  // crash of the process); a background thread fdatasyncs every
  // wal_sync_interval_ms, so an OS crash or power loss can lose at most the
  // last interval of acknowledged samples.
  kInterval,
};

inline constexpr int64_t kMillisPerHour = 3600 * 1000;
inline constexpr int64_t kMillisPerDay = 24 * kMillisPerHour;

struct Options {
  WalSyncPolicy wal_sync = WalSyncPolicy::kInterval;
  int64_t wal_sync_interval_ms = 1000;
  // Compress WAL records with zstd.
  bool wal_compression = true;
  // WAL segment size. Records never span segments.
  int64_t wal_segment_bytes = 128 << 20;

  // Width of one head/persisted block, as Prometheus's
  // --storage.tsdb.min-block-duration. Also the head chunk range.
  int64_t block_duration_ms = 2 * kMillisPerHour;
  // Blocks wholly older than this (relative to the newest sample) are
  // dropped. 0 disables time retention.
  int64_t retention_ms = 15 * kMillisPerDay;
  // When > 0, the oldest blocks are dropped until blocks + WAL fit.
  int64_t retention_bytes = 0;

  // Persist the head, compact and apply retention in a background thread
  // (checked every compaction_interval_ms). When off, call DB::Compact().
  bool background_compaction = true;
  int64_t compaction_interval_ms = 60 * 1000;

  // Background scrub: every scrub_interval_ms (0: never) a low-priority
  // thread reads every block's index and chunks, at most
  // scrub_bytes_per_second, verifying every checksum (DB::Scrub). A
  // damaged block is rebuilt without its damaged data and moved to
  // <dir>/quarantine/<ULID> (as strata-tsdb verify --repair does).
  int64_t scrub_interval_ms = 0;
  int64_t scrub_bytes_per_second = 32 << 20;

  // On a clean Close, save the head (series, chunks, tombstones) to a
  // checksummed snapshot in the data directory, so that the next Open
  // loads it and replays only the WAL written after it, instead of the
  // whole WAL. Open ignores (and removes) a damaged or stale snapshot and
  // replays the WAL: nothing is lost either way. When off, Open neither
  // loads nor keeps snapshots.
  bool snapshot_on_shutdown = true;

  // Write every completed head chunk to <dir>/chunks_head/ (Prometheus
  // 2.42's head-chunk file format) and drop it from memory; the head reads
  // it back when queried. Open then loads the chunk references and
  // replays only the WAL samples newer than each series' last chunk on
  // disk. Damaged files are cut at the damage and the WAL fills in. When
  // off, Open removes chunks_head/ and every chunk stays in memory.
  bool head_chunks_on_disk = true;

  // Not owned; must outlive the DB. nullptr means the POSIX file system.
  FileSystem* file_system = nullptr;
};

}  // namespace strata

#endif  // STRATA_OPTIONS_H_
