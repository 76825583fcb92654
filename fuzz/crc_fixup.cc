#include "crc_fixup.h"

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "block/chunk_format.h"
#include "block/tombstones.h"
#include "index/index_format.h"
#include "util/coding.h"
#include "util/crc32c.h"
#include "wal/log_format.h"

namespace strata::fuzz {
namespace {

constexpr size_t kNone = std::string::npos;

// Writes the CRC32C of s[from, from + len) big-endian at s[from + len],
// if it fits; returns the offset after the CRC, or kNone.
size_t PutCrcAfter(std::string* s, size_t from, size_t len) {
  constexpr size_t kCrc = 4;
  if (from > s->size() || len > s->size() - from ||
      kCrc > s->size() - from - len) {
    return kNone;
  }
  const uint32_t crc = crc32c::Value(std::string_view(*s).substr(from, len));
  EncodeBE32(s->data() + from + len, crc);
  return from + len + kCrc;
}

// A section of the form len <4b> | body | CRC32C(body) <4b> at `pos`.
size_t FixLengthPrefixed(std::string* s, size_t pos) {
  if (pos > s->size() || s->size() - pos < 4) return kNone;
  const uint32_t len = DecodeBE32(s->data() + pos);
  return PutCrcAfter(s, pos + 4, len);
}

size_t AlignUp(size_t pos, size_t alignment) {
  return (pos + alignment - 1) / alignment * alignment;
}

// Consecutive length-prefixed sections from `pos` to `end`, each starting
// at a multiple of `alignment`.
void FixSectionRun(std::string* s, size_t pos, size_t end, size_t alignment) {
  while (pos < end) {
    pos = FixLengthPrefixed(s, AlignUp(pos, alignment));
    if (pos == kNone) return;
  }
}

// Series entries: uvarint len | body | CRC32C(body), each at a multiple
// of 16, from `pos` to `end`.
void FixSeriesEntries(std::string* s, size_t pos, size_t end) {
  end = std::min(end, s->size());
  for (pos = AlignUp(pos, index_format::kSeriesAlignment); pos < end;
       pos = AlignUp(pos, index_format::kSeriesAlignment)) {
    std::string_view rest = std::string_view(*s).substr(pos, end - pos);
    const size_t before = rest.size();
    uint64_t len = 0;
    if (!GetUvarint(&rest, &len) || len == 0) return;
    pos = PutCrcAfter(s, pos + (before - rest.size()), len);
    if (pos == kNone) return;
  }
}

}  // namespace

void FixWalSegmentCrcs(std::string* segment) {
  const size_t page = wal::kPageSize;
  const size_t header = wal::kHeaderSize;
  size_t pos = 0;
  while (pos < segment->size()) {
    const size_t in_page = pos % page;
    const uint8_t type = static_cast<uint8_t>((*segment)[pos]);
    if (page - in_page < header || segment->size() - pos < header ||
        (type & wal::kFragmentTypeMask) == 0) {
      pos += page - in_page;  // Padding to the end of the page.
      continue;
    }
    const size_t len = DecodeBE16(segment->data() + pos + 1);
    if (len > page - in_page - header || len > segment->size() - pos - header) {
      pos += page - in_page;
      continue;
    }
    const std::string_view data =
        std::string_view(*segment).substr(pos + header, len);
    EncodeBE32(segment->data() + pos + 3, crc32c::Value(data));
    pos += header + len;
  }
}

void FixChunkSegmentCrcs(std::string* segment) {
  size_t pos = chunk_format::kHeaderSize;
  while (pos < segment->size()) {
    std::string_view rest = std::string_view(*segment).substr(pos);
    const size_t before = rest.size();
    uint64_t len = 0;
    if (!GetUvarint(&rest, &len)) return;
    // The CRC covers the encoding byte and the data.
    pos = PutCrcAfter(segment, pos + (before - rest.size()),
                      chunk_format::kEncodingSize + len);
    if (pos == kNone) return;
  }
}

void FixTombstonesCrc(std::string* file) {
  const size_t header = tombstone_format::kHeaderSize;
  const size_t crc = tombstone_format::kCrcSize;
  if (file->size() < header + crc) return;
  PutCrcAfter(file, header, file->size() - header - crc);
}

void FixIndexCrcs(std::string* index) {
  const size_t toc_size = index_format::Toc::kEncodedSize;
  if (index->size() < index_format::kHeaderSize + toc_size) return;
  const size_t toc_pos = index->size() - toc_size;
  PutCrcAfter(index, toc_pos, toc_size - index_format::kCrcSize);
  index_format::Toc toc;
  if (!toc.DecodeFrom(std::string_view(*index).substr(toc_pos))) return;
  // Offsets past the TOC are clamped; the fix-ups stop there.
  auto at = [toc_pos](uint64_t offset) {
    return static_cast<size_t>(std::min<uint64_t>(offset, toc_pos));
  };
  if (toc.symbols != 0) FixLengthPrefixed(index, at(toc.symbols));
  if (toc.series != 0) {
    // The series section ends where the next present section begins.
    uint64_t end = toc_pos;
    for (uint64_t next : {toc.label_indices, toc.postings,
                          toc.label_indices_table, toc.postings_table}) {
      if (next > toc.series) end = std::min(end, next);
    }
    FixSeriesEntries(index, at(toc.series), at(end));
  }
  if (toc.label_indices != 0) {
    FixSectionRun(index, at(toc.label_indices), at(toc.postings),
                  index_format::kListAlignment);
  }
  if (toc.postings != 0) {
    FixSectionRun(index, at(toc.postings), at(toc.label_indices_table),
                  index_format::kListAlignment);
  }
  if (toc.label_indices_table != 0) {
    FixLengthPrefixed(index, at(toc.label_indices_table));
  }
  if (toc.postings_table != 0) FixLengthPrefixed(index, at(toc.postings_table));
}

}  // namespace strata::fuzz
