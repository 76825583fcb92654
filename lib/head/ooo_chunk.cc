#include "head/ooo_chunk.h"

#include <algorithm>
#include <memory>

#include "chunk/xor_chunk.h"
#include "chunk/xor_iterator.h"

namespace strata {

bool OooChunk::Insert(int64_t t, double v) {
  // Out-of-order samples mostly come in order among themselves: try the
  // end first.
  if (samples_.empty() || t > samples_.back().t) {
    samples_.push_back({t, v});
    return true;
  }
  auto it =
      std::lower_bound(samples_.begin(), samples_.end(), t,
                       [](const OooSample& s, int64_t ts) { return s.t < ts; });
  if (it->t == t) return false;
  samples_.insert(it, {t, v});
  return true;
}

std::string EncodeXor(std::span<const OooSample> samples) {
  chunk::XorChunk c;
  for (const OooSample& s : samples) c.Append(s.t, s.v);
  return std::string(c.Bytes());
}

bool DecodeXor(std::string_view bytes, std::vector<OooSample>* out) {
  chunk::XorIterator it(bytes);
  while (it.Next()) out->push_back({it.t(), it.v()});
  return !it.error();
}

void SortUnique(std::vector<OooSample>* samples) {
  std::stable_sort(
      samples->begin(), samples->end(),
      [](const OooSample& a, const OooSample& b) { return a.t < b.t; });
  samples->erase(std::unique(samples->begin(), samples->end(),
                             [](const OooSample& a, const OooSample& b) {
                               return a.t == b.t;
                             }),
                 samples->end());
}

void AppendOooChunkMetas(SeriesId id, std::span<const OooSample> samples,
                         std::vector<ChunkMeta>* out) {
  for (size_t i = 0, piece = 0; i < samples.size();
       i += kOooSamplesPerChunk, ++piece) {
    const size_t end = std::min(samples.size(), i + kOooSamplesPerChunk);
    out->push_back({OooChunkRef(id, piece), samples[i].t, samples[end - 1].t});
  }
}

ChunkBytes OooChunkBytes(std::span<const OooSample> samples,
                         const ChunkMeta& meta) {
  const auto by_t = [](const OooSample& s, int64_t t) { return s.t < t; };
  auto begin =
      std::lower_bound(samples.begin(), samples.end(), meta.mint, by_t);
  auto end = begin;
  while (end != samples.end() && end->t <= meta.maxt &&
         end - begin < chunk::xor_format::kMaxSamples) {
    ++end;
  }
  auto bytes = std::make_shared<std::string>(
      EncodeXor(std::span<const OooSample>(begin, end)));
  ChunkBytes out;
  out.encoding = static_cast<uint8_t>(chunk::Encoding::kXor);
  out.data = *bytes;
  out.keep_alive = std::move(bytes);
  return out;
}

}  // namespace strata
