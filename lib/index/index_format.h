// Constants and small codecs of the block index file: Prometheus TSDB index
// format version 2 exactly as Prometheus 2.42 writes it. The layout is in
// FORMAT.md next to this file.
#ifndef STRATA_INDEX_INDEX_FORMAT_H_
#define STRATA_INDEX_INDEX_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::index_format {

inline constexpr uint32_t kMagic = 0xBAAAD700;
inline constexpr uint8_t kVersion = 2;
// Magic (4 bytes) and version (1 byte).
inline constexpr int kHeaderSize = 5;

// Series entries start at multiples of this; a series' id is offset / 16.
inline constexpr uint64_t kSeriesAlignment = 16;
// Label indices and postings lists start at multiples of this.
inline constexpr uint64_t kListAlignment = 4;
inline constexpr int kCrcSize = 4;
// A section's big-endian length field.
inline constexpr int kLengthSize = 4;
// The index can address series only up to 16 * 2^32 bytes.
inline constexpr uint64_t kMaxFileSize = kSeriesAlignment * 0xFFFFFFFFull;

// Postings offset table and label offset table entries hold this many keys.
inline constexpr uint64_t kPostingsKeyCount = 2;
inline constexpr uint64_t kLabelIndexKeyCount = 1;

// The postings list of every series is stored under the empty label pair.
inline constexpr std::string_view kAllPostingsName = "";
inline constexpr std::string_view kAllPostingsValue = "";

// Readers keep every Nth postings offset table entry of a label name (plus
// its last) in memory and scan the table from there, like Prometheus.
inline constexpr uint32_t kPostingsSampleInterval = 32;

// The table of contents at the end of the file: six big-endian uint64
// section offsets and a CRC32C over them. 0 means the section is absent.
struct Toc {
  static constexpr int kEncodedSize = 6 * 8 + kCrcSize;

  uint64_t symbols = 0;
  uint64_t series = 0;
  uint64_t label_indices = 0;
  uint64_t label_indices_table = 0;
  uint64_t postings = 0;
  uint64_t postings_table = 0;

  // Appends kEncodedSize bytes.
  void EncodeTo(std::string* dst) const;
  // Decodes exactly kEncodedSize bytes; false if the size or CRC is wrong.
  bool DecodeFrom(std::string_view src);
};

}  // namespace strata::index_format

#endif  // STRATA_INDEX_INDEX_FORMAT_H_
