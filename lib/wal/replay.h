// Reading a WAL directory back: ReplayWal for startup (reads every segment,
// repairs what a crash or an I/O error left behind) and ReadSegments for a
// read-only pass over a segment range (checkpointing, tools).
//
// What ReplayWal does with damage (see FORMAT.md, "Replay"):
//   * Damage costs only the records it touches: segments are read with a
//     SalvagingReader (salvage.h), which resumes at the next intact record
//     after a damaged one, and a record the callback rejects as Corruption
//     is skipped the same way. Every intact record is delivered, in order,
//     and replay goes on with the later segments.
//   * Torn tail: damage that runs to the end of the LAST segment, or of an
//     abandoned segment (one with an abandon marker) from at or past its
//     marker's valid length, with no intact record after it. That is what
//     an interrupted write leaves. The segment is truncated at the start of
//     the incomplete record, a warning is logged and the cut is reported in
//     ReplayResult::torn_tails.
//   * Anything else is corruption: each skipped range is logged and
//     reported in ReplayResult::skipped (the first one also in
//     `corruption`). The damaged segment is rewritten as a clean segment
//     under its own name holding exactly the records delivered (its valid
//     prefix as is, the later records framed again), its original going to
//     a quarantine directory, so the next replay and a Wal opened afterwards
//     see only valid data. Nothing is deleted.
//   * A missing segment number: replay stops there; that segment and all
//     later ones are moved into the quarantine.
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
  // false: never modify the directory; torn tails are only reported, and
  // corruption is returned as an error once the damaged segment has been
  // read (its intact records delivered).
  bool repair = true;
  // Where damaged segments go. Default: "<dir>-quarantine-<unix seconds>"
  // beside the WAL directory, made unique with a "-N" suffix.
  std::string quarantine_dir;
  // A Corruption from the callback means "this record is damaged": it is
  // skipped as corruption. When false it ends replay and is returned as is,
  // like any other callback error.
  bool quarantine_on_callback_corruption = true;
  // Segments below this index are neither read nor checked (a head
  // snapshot already holds their records). -1 reads every segment.
  int first_segment = -1;
  // Called before each segment is read, with its index and size (for
  // progress reports).
  std::function<void(int segment, int64_t bytes)> on_segment;
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

  // Damage replay skipped (not torn tails), in log order. Each range cost
  // at least the record starting at `offset`; more only when a damaged
  // fragment header hid where the records of the rest of its page began.
  struct SkippedRange {
    int segment = -1;
    int64_t offset = 0;  // Start of the first record lost.
    int64_t bytes = 0;   // Bytes skipped from there.
    Status reason;       // What the reader or the callback found.
  };
  std::vector<SkippedRange> skipped;
  // Records delivered from behind damage in their segment: what stopping
  // at the first damage would have lost.
  int64_t records_salvaged = 0;

  // The first corruption (a skipped range or a missing segment):
  // Corruption naming the segment and offset. OK if there was none.
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
