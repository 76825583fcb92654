// SalvagingReader: every intact record of one WAL segment, also the ones
// after damage. Replay (and through it `strata-tsdb verify --repair`) reads
// segments with it, so one flipped byte costs the record it hits, not the
// rest of the segment.
//
// A record is intact when its fragments pass SegmentReader's checks (valid
// type, fit their page, CRC32C, complete and in order) and it decompresses.
// Every fragment carries its own CRC and no fragment crosses a 32 KiB page,
// so after the SegmentReader fails, reading can resume at the next record
// start that passes its checks. Candidates, in order (each must lie past the
// start of the record that failed, so reading always advances):
//   1. the fragment where reading failed, if it is a valid record start
//      (a record began inside an unfinished one: only that one is lost);
//   2. the fragment right behind the damaged one, found through its length
//      field (a flipped payload byte, the common case, costs one record);
//   3. the start of each later page: a page begins with a fragment header or
//      with padding, whatever happened to the page before it.
// From a candidate, continuation fragments (kMiddle, kLast) of a record
// whose start was lost are stepped over and zero padding ends a page; the
// first valid kFull or kFirst fragment is where reading resumes. A false
// resume point needs a matching CRC32C at a wrong offset (about 2^-32).
//
// The bytes from the start of the record that failed to the resume point
// (or to the end of the data when nothing intact follows) form a
// DamagedRange. A range that reaches the end of the data is also what a
// torn tail looks like; the caller tells them apart (replay.h).
//
// Thread-safety: one thread at a time.
#ifndef STRATA_WAL_SALVAGE_H_
#define STRATA_WAL_SALVAGE_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "strata/status.h"
#include "wal/segment_reader.h"

namespace strata::wal {

struct DamagedRange {
  int64_t offset = 0;  // Start of the record that could not be read.
  int64_t bytes = 0;   // Up to where reading resumed (or the data's end).
  Status reason;       // What the reader found, with its exact offset.
};

class SalvagingReader {
 public:
  // `data` (one whole segment) must outlive the reader.
  explicit SalvagingReader(std::string_view data);

  // Advances to the next intact record, skipping damage (noted in
  // damaged()). Returns false at the end of the data.
  bool Next(std::string_view* record);

  // Of the record last returned; see SegmentReader.
  int64_t record_offset() const { return reader_->record_offset(); }
  int64_t offset() const { return reader_->offset(); }
  std::string_view stored_record() const { return reader_->stored_record(); }
  uint8_t stored_flags() const { return reader_->stored_flags(); }

  // Every range skipped so far, in order.
  const std::vector<DamagedRange>& damaged() const { return damaged_; }
  // Whether the last range skipped runs to the end of the data.
  bool damaged_to_end() const;

 private:
  const std::string_view data_;
  std::optional<SegmentReader> reader_;
  std::vector<DamagedRange> damaged_;
  bool at_end_ = false;
};

// Where reading resumes after a SegmentReader failed on the record starting
// at `lost` (its record_offset) with the offending fragment or byte at
// `error_offset`: the offset of the next valid record start (> lost), or -1
// if none follows. See the candidates above.
int64_t FindResumePoint(std::string_view data, int64_t lost,
                        int64_t error_offset);

}  // namespace strata::wal

#endif  // STRATA_WAL_SALVAGE_H_
