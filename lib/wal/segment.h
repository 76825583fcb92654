// The files of a WAL directory: numbered segments, abandon markers and
// checkpoint directories. See FORMAT.md.
//
//   <dir>/00000000, 00000001, ...   segments, 8-digit zero-padded index
//   <dir>/00000003.abandoned        marker: the writer gave up on segment 3
//                                   after an I/O error (see below)
//   <dir>/checkpoint.00000002/      checkpoint of segments <= 2 (Prometheus's
//                                   convention; see checkpoint.h)
//
// Thread-safety: free functions; safe to call concurrently on different
// directories.
#ifndef STRATA_WAL_SEGMENT_H_
#define STRATA_WAL_SEGMENT_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"
#include "util/file_system.h"

namespace strata::wal {

// "00000042".
std::string SegmentName(int index);
std::string SegmentPath(std::string_view dir, int index);
// The index of a segment file name (all digits), or -1 for other names.
int ParseSegmentName(std::string_view name);

struct SegmentRef {
  int index;
  std::string name;
};
// Segments of `dir` in ascending index order. Names that are not all digits
// are ignored. Does not require the indexes to be consecutive.
StatusOr<std::vector<SegmentRef>> ListSegments(FileSystem* fs,
                                               const std::string& dir);

// Inclusive index range; both -1 when there is no segment.
struct SegmentRange {
  int first = -1;
  int last = -1;
};
StatusOr<SegmentRange> GetSegmentRange(FileSystem* fs, const std::string& dir);

// Deletes the segments with index < `index` and their abandon markers: what
// a checkpoint covering them makes redundant. Syncs the directory.
Status RemoveSegmentsBefore(FileSystem* fs, const std::string& dir, int index);

// Checkpoints (Prometheus's layout): directory "checkpoint.NNNNNNNN" holding
// the records of segments <= NNNNNNNN still needed, itself in segment files.
// A name with a suffix (e.g. ".tmp" while being written) is not a checkpoint.
std::string CheckpointName(int index);
int ParseCheckpointName(std::string_view name);
struct CheckpointRef {
  int index;
  std::string name;
};
// Checkpoints of `dir`, ascending.
StatusOr<std::vector<CheckpointRef>> ListCheckpoints(FileSystem* fs,
                                                     const std::string& dir);

// Abandon markers. When a write or fdatasync on segment N fails and the
// writer cannot restore the segment to a clean state, it stops writing to N,
// records how many leading bytes of N are known good and durable, and moves
// on to N+1. Replay then treats damage at or after that offset of N as a
// torn tail (cut away) rather than as corruption (which would quarantine
// N+1 and later, losing records acknowledged after the failure).
//
// Marker file content: valid bytes <8 bytes BE> | CRC32C of them <4 bytes BE>.
std::string AbandonMarkerName(int index);  // "00000003.abandoned"
std::string AbandonMarkerPath(std::string_view dir, int index);
// Writes and fsyncs the marker and syncs the directory.
Status WriteAbandonMarker(FileSystem* fs, const std::string& dir, int index,
                          int64_t valid_bytes);
// segment index -> valid bytes, for every readable marker in `dir`.
// Unreadable or malformed markers are skipped (the segment then gets the
// stricter, marker-less treatment).
StatusOr<std::map<int, int64_t>> ReadAbandonMarkers(FileSystem* fs,
                                                    const std::string& dir);

}  // namespace strata::wal

#endif  // STRATA_WAL_SEGMENT_H_
