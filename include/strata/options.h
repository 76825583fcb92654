// Options for DB::Open. Plain values; copy freely.
#ifndef STRATA_OPTIONS_H_
#define STRATA_OPTIONS_H_

#include <cstdint>
#include <functional>

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

// WAL replay progress, as Prometheus's WALReplayStatus: the segments
// replayed are min..max; `current` is the last one read (min before the
// first is done). All 0 until replay starts, and after it when the WAL
// has no segments.
struct WalReplayProgress {
  int min = 0;
  int max = 0;
  int current = 0;
};

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

  // The cold tier (lib/block/FORMAT.md, "Dense chunks"). With dense_chunks,
  // compaction writes a block whose newest sample is at least
  // dense_after_ms older than the DB's newest sample with Strata's dense
  // chunk encoding (lossless, about half the bytes of Prometheus's XOR
  // chunks; Prometheus, promtool and Thanos cannot read such a block), and
  // rewrites older XOR blocks into it. false keeps every block in
  // Prometheus's format: compaction then rewrites dense blocks back to XOR
  // (`strata-tsdb export --format prometheus-blocks` converts offline).
  // As --storage.tsdb.dense-chunks and --storage.tsdb.dense-after.
  bool dense_chunks = true;
  int64_t dense_after_ms = kMillisPerDay;

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

  // Called by DB::Open as WAL replay starts and after each segment it
  // replays (from the opening thread), e.g. for /api/v1/status/walreplay.
  std::function<void(const WalReplayProgress&)> on_wal_replay_progress;

  // Size of the in-memory exemplar ring (Prometheus's
  // storage.exemplars.max_exemplars); 0 stores no exemplars.
  // DB::SetMaxExemplars resizes it while open.
  int64_t max_exemplars = 0;

  // Accept native histogram samples (Prometheus 2.42's
  // --enable-feature=native-histograms). When off, AppendHistogram refuses
  // them with NotSupported; histograms already stored (WAL, blocks) are
  // still read.
  bool enable_native_histograms = false;

  // Write every completed head chunk to <dir>/chunks_head/ (Prometheus
  // 2.42's head-chunk file format) and drop it from memory; the head reads
  // it back when queried. Open then loads the chunk references and
  // replays only the WAL samples newer than each series' last chunk on
  // disk. Damaged files are cut at the damage and the WAL fills in. When
  // off, Open removes chunks_head/ and every chunk stays in memory.
  bool head_chunks_on_disk = true;

  // Prometheus's storage.tsdb.out_of_order_time_window: a sample older
  // than its series' newest one (or than the head accepts in order) is
  // accepted if it is at most this many ms older than the head's newest
  // sample. Such samples are logged in <dir>/wbl/ (not the WAL), kept in
  // an out-of-order head merged into queries, and compacted into blocks
  // marked "from-out-of-order" (lib/head/FORMAT.md). 0: refused, as
  // before. DB::SetOutOfOrderTimeWindow changes it while open.
  int64_t out_of_order_time_window_ms = 0;
  // Samples per open out-of-order chunk (Prometheus's
  // out_of_order_cap_max, 1..255).
  int out_of_order_cap_max = 32;

  // Not owned; must outlive the DB. nullptr means the POSIX file system.
  FileSystem* file_system = nullptr;
};

}  // namespace strata

#endif  // STRATA_OPTIONS_H_
