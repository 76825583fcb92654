// What part of the storage a corruption was found in: the label of
// strata_storage_corruptions_total{kind}, shared by the query path (which
// skips damaged data), the DB's scrub and strata-tsdb verify.
//
// Thread-safety: constants.
#ifndef STRATA_UTIL_CORRUPTION_H_
#define STRATA_UTIL_CORRUPTION_H_

#include <cstdint>
#include <string_view>

namespace strata {

enum class CorruptionKind : uint8_t {
  kChunk,  // A block's chunk: CRC mismatch, does not decode.
  kIndex,  // A block's index: a series entry or section failing its CRC.
  kBlock,  // The rest of a block: meta.json, tombstones, stats.
  kWal,
};

inline constexpr std::string_view CorruptionKindName(CorruptionKind kind) {
  switch (kind) {
    case CorruptionKind::kChunk:
      return "chunk";
    case CorruptionKind::kIndex:
      return "index";
    case CorruptionKind::kWal:
      return "wal";
    case CorruptionKind::kBlock:
      break;
  }
  return "block";
}

}  // namespace strata

#endif  // STRATA_UTIL_CORRUPTION_H_
