#include "block/chunk_merger.h"

#include <algorithm>

#include "chunk/cut_policy.h"
#include "chunk/encoding.h"
#include "chunk/xor_chunk.h"
#include "chunk/xor_iterator.h"
#include "util/coding.h"

namespace strata {
namespace {

bool TouchesDeleted(const Intervals* deleted, int64_t lo, int64_t hi) {
  if (deleted == nullptr) return false;
  for (const Interval& iv : *deleted) {
    if (iv.mint <= hi && lo <= iv.maxt) return true;
  }
  return false;
}

bool IsDeleted(const Intervals* deleted, int64_t t) {
  if (deleted == nullptr) return false;
  for (const Interval& iv : *deleted) {
    if (iv.Contains(t)) return true;
  }
  return false;
}

constexpr uint8_t kXor = static_cast<uint8_t>(chunk::Encoding::kXor);

}  // namespace

Status ChunkMerger::Decode(const SourceChunk& c, const ChunkBytes& bytes) {
  if (bytes.encoding != kXor) {
    return Status::NotSupported("cannot re-encode chunk encoding " +
                                std::to_string(bytes.encoding));
  }
  // Samples past the chunk's meta are dropped too: a head chunk may have
  // grown since its meta was read, and keeping to the metas keeps clusters
  // disjoint.
  const int64_t lo = std::max(mint_, c.meta.mint);
  const int64_t hi = std::min(maxt_, c.meta.maxt);
  chunk::XorIterator it(bytes.data);
  // Whole chunks decode fastest in batches.
  constexpr size_t kBatch = 128;
  int64_t ts[kBatch];
  double vs[kBatch];
  bool past_end = false;
  while (!past_end) {
    const size_t n = it.NextBatch(ts, vs, kBatch);
    for (size_t i = 0; i < n; ++i) {
      const int64_t t = ts[i];
      if (t < lo) continue;
      if (t > hi) {
        past_end = true;
        break;
      }
      if (IsDeleted(c.deleted, t)) continue;
      samples_.push_back({t, DoubleBits(vs[i]), c.source});
    }
    if (n < kBatch) break;
  }
  if (it.error()) {
    return Status::Corruption("chunk " + std::to_string(c.meta.ref) + ": " +
                              std::string(it.error_message()));
  }
  return Status::OK();
}

void ChunkMerger::Encode(std::vector<OutputChunk>* out) {
  ts_.clear();
  for (const Sample& s : samples_) ts_.push_back(s.t);
  std::vector<size_t> starts = chunk::ChunkStarts(ts_, chunk_range_);
  starts.push_back(samples_.size());
  for (size_t k = 0; k + 1 < starts.size(); ++k) {
    chunk::XorChunk c;
    std::optional<chunk::XorAppender> app = c.NewAppender();
    for (size_t i = starts[k]; i < starts[k + 1]; ++i) {
      app->Append(samples_[i].t, BitsToDouble(samples_[i].v_bits));
    }
    OutputChunk o;
    o.encoding = kXor;
    o.owned = std::string(c.Bytes());
    o.data = o.owned;
    o.mint = samples_[starts[k]].t;
    o.maxt = samples_[starts[k + 1] - 1].t;
    o.num_samples = static_cast<int>(starts[k + 1] - starts[k]);
    out->push_back(std::move(o));
  }
}

bool ChunkMerger::TryCopy(const SourceChunk& c, ChunkBytes bytes,
                          std::vector<OutputChunk>* out) {
  OutputChunk o;
  o.encoding = bytes.encoding;
  o.data = bytes.data;
  if (bytes.encoding == kXor) {
    // The data must match the meta: a head chunk may have grown since its
    // meta was taken (it is then re-encoded up to the meta's maxt), and a
    // damaged chunk must not be copied on.
    int64_t lo, hi;
    if (!chunk::XorTimeRange(bytes.data, &lo, &hi) || lo != c.meta.mint ||
        hi != c.meta.maxt) {
      return false;
    }
    o.mint = lo;
    o.maxt = hi;
    o.num_samples = chunk::XorNumSamples(bytes.data);
  } else {
    // Histogram chunks are not decoded here; their meta is trusted.
    o.mint = c.meta.mint;
    o.maxt = c.meta.maxt;
    o.num_samples = std::max(0, chunk::XorNumSamples(bytes.data));
  }
  o.copied = true;
  o.pin = std::move(bytes);
  out->push_back(std::move(o));
  return true;
}

Status ChunkMerger::Merge(std::vector<SourceChunk> chunks,
                          std::vector<OutputChunk>* out) {
  out->clear();
  std::sort(chunks.begin(), chunks.end(),
            [](const SourceChunk& a, const SourceChunk& b) {
              if (a.meta.mint != b.meta.mint) return a.meta.mint < b.meta.mint;
              return a.source < b.source;
            });
  for (size_t i = 0, j; i < chunks.size(); i = j) {
    // A cluster: chunks whose time ranges overlap, transitively.
    j = i + 1;
    int64_t cluster_max = chunks[i].meta.maxt;
    while (j < chunks.size() && chunks[j].meta.mint <= cluster_max) {
      cluster_max = std::max(cluster_max, chunks[j].meta.maxt);
      ++j;
    }
    const SourceChunk& first = chunks[i];
    samples_.clear();
    if (j == i + 1 && first.meta.mint >= mint_ && first.meta.maxt <= maxt_ &&
        !TouchesDeleted(first.deleted, first.meta.mint, first.meta.maxt)) {
      STRATA_ASSIGN_OR_RETURN(ChunkBytes bytes,
                              first.reader->Chunk(first.meta));
      if (TryCopy(first, bytes, out)) continue;
      STRATA_RETURN_IF_ERROR(Decode(first, bytes));
    } else {
      for (size_t k = i; k < j; ++k) {
        STRATA_ASSIGN_OR_RETURN(ChunkBytes bytes,
                                chunks[k].reader->Chunk(chunks[k].meta));
        STRATA_RETURN_IF_ERROR(Decode(chunks[k], bytes));
      }
    }
    // By time, the lowest source first among equal timestamps; keep that.
    std::stable_sort(samples_.begin(), samples_.end(),
                     [](const Sample& a, const Sample& b) {
                       if (a.t != b.t) return a.t < b.t;
                       return a.source < b.source;
                     });
    samples_.erase(std::unique(samples_.begin(), samples_.end(),
                               [](const Sample& a, const Sample& b) {
                                 return a.t == b.t;
                               }),
                   samples_.end());
    if (!samples_.empty()) Encode(out);
  }
  return Status::OK();
}

}  // namespace strata
