// The records of a head snapshot (the shutdown snapshot) and the name of
// its directory. The layout is in FORMAT.md, "Head snapshot".
//
// A snapshot is a directory `head_snapshot.<segment>.<offset>` in the data
// directory holding WAL segments (wal/FORMAT.md framing: CRC32C per
// fragment) whose records are, in order: one header, series records,
// tombstone records, exemplar records, one footer.
//
// Encoders append to a std::string; decoders return Corruption (never
// crash) on malformed input. Decoded views point into the record.
//
// Thread-safety: pure functions.
#ifndef STRATA_DB_HEAD_SNAPSHOT_FORMAT_H_
#define STRATA_DB_HEAD_SNAPSHOT_FORMAT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "head/series_state.h"
#include "strata/labels.h"
#include "strata/status.h"
#include "util/file_system.h"
#include "wal/record.h"

namespace strata::snapshot {

// The WAL position a snapshot covers: the end of segment `segment` (its
// size in bytes, `offset`) when the DB closed. Records after it are in
// segments > segment.
struct WalPosition {
  int segment = -1;
  int64_t offset = 0;
  friend bool operator==(const WalPosition&, const WalPosition&) = default;
  friend auto operator<=>(const WalPosition&, const WalPosition&) = default;
};

inline constexpr char kDirPrefix[] = "head_snapshot.";
inline constexpr char kTmpSuffix[] = ".tmp";
// "head_snapshot.00000012.0000032768".
std::string DirName(const WalPosition& pos);
// The position of a complete snapshot's name; nullopt for other names
// (including the ".tmp" of one being written).
std::optional<WalPosition> ParseDirName(std::string_view name);

// Version 3 writes series as kSeriesWithEncodings; versions 2
// (kSeriesWithRefs: XOR chunks only) and 1 (kSeries, every chunk's bytes
// inline) are still read.
inline constexpr uint8_t kVersion = 3;
inline constexpr uint8_t kOldestReadableVersion = 1;

enum class RecordType : uint8_t {
  kSeries = 1,      // As Prometheus's chunkSnapshotRecordTypeSeries.
  kTombstones = 2,  // As Prometheus's chunkSnapshotRecordTypeTombstones.
  kExemplars = 3,   // As Prometheus's chunkSnapshotRecordTypeExemplars.
  // A series whose completed chunks are each inline or a reference into
  // chunks_head/ (version 2).
  kSeriesWithRefs = 4,
  // As kSeriesWithRefs, with each chunk's encoding (native histogram
  // chunks), the open histogram chunk's encoder windows and the newest
  // histogram (version 3).
  kSeriesWithEncodings = 5,
  kHeader = 0x53,  // 'S'
  kFooter = 0x45,  // 'E'
  kUnknown = 0xff,
};
RecordType GetRecordType(std::string_view record);

struct Header {
  uint8_t version = kVersion;
  WalPosition position;
  // Name of the WAL's newest checkpoint when the snapshot was written ("" if
  // none): a different one at load time means the head was truncated since.
  std::string checkpoint;
  int64_t chunk_range_ms = 0;
};
// The base name of the WAL's newest checkpoint, "" if none: what
// Header::checkpoint records.
StatusOr<std::string> NewestCheckpointName(FileSystem* fs,
                                           const std::string& wal_dir);

void EncodeHeader(const Header& h, std::string* dst);
// Also fails on an unknown version or a bad magic.
Status DecodeHeader(std::string_view record, Header* h);

// One series: its head id (also its WAL ref), labels and chunk state, as a
// kSeriesWithEncodings record (completed chunks with a disk_ref are
// written as that reference, the others' bytes inline).
void EncodeSeries(uint64_t id, const Labels& labels,
                  const SeriesStateView& state, std::string* dst);
// Decodes a kSeries, kSeriesWithRefs or kSeriesWithEncodings record.
// `labels` and `state` are overwritten (state's vectors reused); the chunk
// views point into `record`.
Status DecodeSeries(std::string_view record, uint64_t* id, Labels* labels,
                    SeriesStateView* state);

// Deleted intervals, in the WAL's tombstone record after the type byte.
void EncodeTombstones(std::span<const wal::Stone> stones, std::string* dst);
Status DecodeTombstones(std::string_view record, std::vector<wal::Stone>* out);

// Exemplars of snapshot series (ref = the series' id), oldest first, in the
// WAL's exemplar record after the type byte.
void EncodeExemplars(std::span<const wal::RefExemplar> exemplars,
                     std::string* dst);
Status DecodeExemplars(std::string_view record,
                       std::vector<wal::RefExemplar>* out);

// Counts of what precedes it: a snapshot without a footer, or whose counts
// differ, is truncated.
struct Footer {
  uint64_t series = 0;
  uint64_t chunks = 0;
  uint64_t tombstone_records = 0;
  friend bool operator==(const Footer&, const Footer&) = default;
};
void EncodeFooter(const Footer& f, std::string* dst);
Status DecodeFooter(std::string_view record, Footer* f);

}  // namespace strata::snapshot

#endif  // STRATA_DB_HEAD_SNAPSHOT_FORMAT_H_
