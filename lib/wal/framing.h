// Encoding side of the WAL framing: how a record's bytes become fragments
// inside 32 KiB pages at a given segment offset. Pure functions, no I/O.
// The decoding side is SegmentReader (segment_reader.h).
#ifndef STRATA_WAL_FRAMING_H_
#define STRATA_WAL_FRAMING_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::wal {

// Appends to *out the fragments of one record whose (possibly compressed)
// bytes are `data`, as they belong at segment offset `offset`, and returns
// the segment offset after them. `flags` (kSnappyFlag, kZstdFlag or 0) is
// or-ed into every fragment's type byte.
//
// Like Prometheus, a page left with fewer than kHeaderSize bytes after a
// fragment is padded with zeros at once, so the next fragment always starts
// where a header fits. Precondition: `offset` itself satisfies this (it is
// 0, or an offset this function returned).
int64_t AppendFragments(int64_t offset, std::string_view data, uint8_t flags,
                        std::string* out);

// Zero bytes needed to pad `offset` to the next page boundary (0 if it is on
// one).
int64_t PagePadding(int64_t offset);

// How many record bytes still fit in a segment of `segment_bytes` whose
// data ends at `offset`, counting one header per remaining page (the same
// rule as Prometheus). A record larger than this goes to a new segment,
// unless the segment is empty: then it is written anyway and the segment
// grows past `segment_bytes`.
int64_t SegmentRoom(int64_t offset, int64_t segment_bytes);

}  // namespace strata::wal

#endif  // STRATA_WAL_FRAMING_H_
