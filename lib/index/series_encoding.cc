#include "index/series_encoding.h"

#include <limits>

#include "util/coding.h"

namespace strata::index_format {

void EncodeSeriesBody(std::span<const LabelRef> labels,
                      std::span<const ChunkMeta> chunks, std::string* dst) {
  PutUvarint(dst, labels.size());
  for (const LabelRef& l : labels) {
    PutUvarint(dst, l.name);
    PutUvarint(dst, l.value);
  }
  PutUvarint(dst, chunks.size());
  if (chunks.empty()) return;
  // Differences are taken in uint64 so that they wrap like Go's, never UB.
  const ChunkMeta& first = chunks[0];
  PutVarint(dst, first.mint);
  PutUvarint(dst, static_cast<uint64_t>(first.maxt) -
                      static_cast<uint64_t>(first.mint));
  PutUvarint(dst, first.ref);
  int64_t prev_maxt = first.maxt;
  uint64_t prev_ref = first.ref;
  for (const ChunkMeta& c : chunks.subspan(1)) {
    PutUvarint(
        dst, static_cast<uint64_t>(c.mint) - static_cast<uint64_t>(prev_maxt));
    PutUvarint(dst,
               static_cast<uint64_t>(c.maxt) - static_cast<uint64_t>(c.mint));
    PutVarint(dst, static_cast<int64_t>(c.ref - prev_ref));
    prev_maxt = c.maxt;
    prev_ref = c.ref;
  }
}

bool DecodeSeriesBody(std::string_view body, std::vector<LabelRef>* labels,
                      std::vector<ChunkMeta>* chunks) {
  constexpr uint64_t kMaxRef = std::numeric_limits<uint32_t>::max();
  uint64_t num_labels;
  // Each label takes at least two bytes.
  if (!GetUvarint(&body, &num_labels) || num_labels > body.size() / 2) {
    return false;
  }
  labels->clear();
  labels->reserve(num_labels);
  for (uint64_t i = 0; i < num_labels; ++i) {
    uint64_t name, value;
    if (!GetUvarint(&body, &name) || !GetUvarint(&body, &value) ||
        name > kMaxRef || value > kMaxRef) {
      return false;
    }
    labels->push_back(
        {static_cast<uint32_t>(name), static_cast<uint32_t>(value)});
  }
  if (chunks == nullptr) return true;
  chunks->clear();
  uint64_t num_chunks;
  // Each chunk meta takes at least three bytes.
  if (!GetUvarint(&body, &num_chunks) || num_chunks > body.size() / 3) {
    return false;
  }
  chunks->reserve(num_chunks);
  uint64_t prev_maxt = 0;
  uint64_t prev_ref = 0;
  for (uint64_t i = 0; i < num_chunks; ++i) {
    uint64_t mint;
    if (i == 0) {
      int64_t first;
      if (!GetVarint(&body, &first)) return false;
      mint = static_cast<uint64_t>(first);
    } else {
      uint64_t delta;
      if (!GetUvarint(&body, &delta)) return false;
      mint = prev_maxt + delta;
    }
    uint64_t span;
    if (!GetUvarint(&body, &span)) return false;
    uint64_t ref;
    if (i == 0) {
      if (!GetUvarint(&body, &ref)) return false;
    } else {
      int64_t delta;
      if (!GetVarint(&body, &delta)) return false;
      ref = prev_ref + static_cast<uint64_t>(delta);
    }
    ChunkMeta meta;
    meta.ref = ref;
    meta.mint = static_cast<int64_t>(mint);
    meta.maxt = static_cast<int64_t>(mint + span);
    chunks->push_back(meta);
    prev_maxt = mint + span;
    prev_ref = ref;
  }
  return body.empty();
}

}  // namespace strata::index_format
