// The body of a series entry in the index's series section: label pairs as
// symbol references, then chunk metas delta-encoded (see FORMAT.md). The
// entry on disk is uvarint(len(body)) body CRC32C(body), 16-byte aligned.
//
// Thread-safety: pure functions.
#ifndef STRATA_INDEX_SERIES_ENCODING_H_
#define STRATA_INDEX_SERIES_ENCODING_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "index/reader.h"

namespace strata::index_format {

// A label pair as indices into the symbol table.
struct LabelRef {
  uint32_t name = 0;
  uint32_t value = 0;
  friend bool operator==(const LabelRef&, const LabelRef&) = default;
};

// Appends the body. Chunk metas must be in time order with non-decreasing
// refs; the encoding cannot represent anything else.
void EncodeSeriesBody(std::span<const LabelRef> labels,
                      std::span<const ChunkMeta> chunks, std::string* dst);

// Decodes a whole body. `chunks` may be null to skip the chunk metas.
// Returns false if the body is malformed or has trailing bytes.
bool DecodeSeriesBody(std::string_view body, std::vector<LabelRef>* labels,
                      std::vector<ChunkMeta>* chunks);

}  // namespace strata::index_format

#endif  // STRATA_INDEX_SERIES_ENCODING_H_
