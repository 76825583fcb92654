// Reading a WAL directory back: ReplayWal for startup (reads every segment,
// repairs what a crash or an I/O error left behind) and ReadSegments for a
// read-only pass over a segment range (checkpointing, tools).
//
// What ReplayWal does with damage (see FORMAT.md, "Replay"):
//   * Torn tail: the data of the LAST segment ends inside a record, or its
//     final record is damaged and no valid fragment follows it; or an
//     abandoned segment (one with an abandon marker) is damaged at or past
//     its marker's valid length. That is what an interrupted write leaves.
//     The segment is truncated at the start of the incomplete record, a
//     warning is logged and the cut is reported in ReplayResult::torn_tails.
//     Replay goes on with the next segment, if any.
//   * Anything else (bad checksum or structure with valid data after it, a
//     damaged non-final segment, a missing segment number, or a Corruption
//     returned by the callback for a record it cannot decode) is
//     corruption. Replay stops there: every record before it has been
//     delivered, ReplayResult::corruption says where (segment and offset),
//     and the damaged segment and all later ones are moved into a
//     quarantine directory. The valid prefix of the damaged segment is first
//     rewritten as a clean segment under its own name, so a Wal opened
//     afterwards continues after only valid data. Nothing is deleted: the
//     quarantine keeps the original bytes.
//
// `fs` null means FileSystem::Default().
//
// Thread-safety: the directory must not be written while these run.
#ifndef STRATA_WAL_REPLAY_H_
#define STRATA_WAL_REPLAY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"
#include "util/file_system.h"

namespace strata::wal {

// Receives each record in log order. `record` is valid only during the
// call. A non-OK status stops reading (see ReplayOptions for Corruption).
using RecordCallback = std::function<Status(std::string_view record)>;

struct ReplayOptions {
  // false: never modify the directory; damage is returned as an error and
  // torn tails are only reported.
  bool repair = true;
  // Where damaged segments go. Default: "<dir>-quarantine-<unix seconds>"
  // beside the WAL directory, made unique with a "-N" suffix.
  std::string quarantine_dir;
  // A Corruption from the callback means "this record is damaged": it is
  // handled as corruption at that record. When false it ends replay and is
  // returned as is, like any other callback error.
  bool quarantine_on_callback_corruption = true;
};

struct TornTail {
  int segment = -1;
  int64_t offset = 0;         // Where the segment was (or would be) cut.
  int64_t bytes_dropped = 0;  // Bytes past the cut.
  Status reason;              // What the reader found there.
};

struct ReplayResult {
  int first_segment = -1;  // Segments read; -1 if none.
  int last_segment = -1;
  int64_t records = 0;  // Records delivered to the callback.
  int64_t bytes = 0;    // Segment bytes read.
  std::vector<TornTail> torn_tails;

  // Set when replay stopped at corruption: Corruption naming the segment
  // and offset. OK otherwise.
  Status corruption;
  int corrupt_segment = -1;
  int64_t corrupt_offset = -1;
  std::string quarantine_dir;            // Empty unless files were moved.
  std::vector<std::string> quarantined;  // Names of the files moved there.
};

// Replays every segment of `dir` in order (a missing or empty directory has
// nothing to replay). Returns OK when the directory is consistent afterwards
// (check result->corruption for a repaired corruption), an IOError if files
// could not be read or repaired, or the callback's error. `result` must not
// be null.
Status ReplayWal(FileSystem* fs, const std::string& dir,
                 const RecordCallback& callback, ReplayResult* result,
                 const ReplayOptions& options = {});

// Reads the records of segments first..last (inclusive; -1 leaves that end
// open) of `dir`, changing nothing. Any damage, including a torn tail, and a
// gap in the segment numbers return Corruption naming segment and offset.
Status ReadSegments(FileSystem* fs, const std::string& dir, int first, int last,
                    const RecordCallback& callback);

}  // namespace strata::wal

#endif  // STRATA_WAL_REPLAY_H_
