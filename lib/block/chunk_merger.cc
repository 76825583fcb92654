#include "block/chunk_merger.h"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "chunk/chunk_decoding.h"
#include "chunk/cut_policy.h"
#include "chunk/encoding.h"
#include "chunk/histogram_series.h"
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
constexpr uint8_t kDense = static_cast<uint8_t>(chunk::Encoding::kDense);

}  // namespace

Status ChunkMerger::DecodeHistograms(const SourceChunk& c,
                                     const ChunkBytes& bytes, int64_t lo,
                                     int64_t hi) {
  const bool integer =
      bytes.encoding == static_cast<uint8_t>(chunk::Encoding::kHistogram);
  chunk::ChunkSampleIterator it;
  it.Reset(bytes.encoding, bytes.data);
  while (it.Next()) {
    const int64_t t = it.t();
    if (t < lo) continue;
    if (t > hi) break;
    if (IsDeleted(c.deleted, t)) continue;
    if (integer) {
      samples_.push_back(
          {t, histograms_.size(), c.source, SampleValueType::kHistogram});
      histograms_.push_back(it.histogram());
    } else {
      samples_.push_back({t, float_histograms_.size(), c.source,
                          SampleValueType::kFloatHistogram});
      float_histograms_.push_back(it.float_histogram());
    }
  }
  if (it.error()) {
    return Status::Corruption("chunk " + std::to_string(c.meta.ref) + ": " +
                              std::string(it.error_message()));
  }
  return Status::OK();
}

Status ChunkMerger::Decode(const SourceChunk& c, const ChunkBytes& bytes) {
  // Samples past the chunk's meta are dropped too: a head chunk may have
  // grown since its meta was read, and keeping to the metas keeps clusters
  // disjoint.
  const int64_t lo = std::max(mint_, c.meta.mint);
  const int64_t hi = std::min(maxt_, c.meta.maxt);
  if (chunk::IsHistogramEncoding(bytes.encoding)) {
    return DecodeHistograms(c, bytes, lo, hi);
  }
  if (!chunk::IsSupportedEncoding(bytes.encoding)) {
    return Status::NotSupported("cannot re-encode chunk encoding " +
                                std::to_string(bytes.encoding));
  }
  chunk::ChunkSampleIterator it;
  it.Reset(bytes.encoding, bytes.data);
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
      samples_.push_back(
          {t, DoubleBits(vs[i]), c.source, SampleValueType::kFloat});
    }
    if (n < kBatch) break;
  }
  if (it.error()) {
    return Status::Corruption("chunk " + std::to_string(c.meta.ref) + ": " +
                              std::string(it.error_message()));
  }
  return Status::OK();
}

void ChunkMerger::SetData(std::string_view xor_data, OutputChunk* o) {
  std::string xor_owned;
  if (xor_data.empty()) {
    xor_owned = chunk::EncodeXorChunk(ts_, vs_);
    xor_data = xor_owned;
  }
  if (format_ == ChunkFormat::kDense) {
    chunk::EncodedChunk e = chunk::EncodeColdChunk(ts_, vs_, xor_data);
    o->encoding = e.encoding;
    o->owned = std::move(e.data);
  } else {
    o->encoding = kXor;
    o->owned = xor_owned.empty() ? std::string(xor_data) : std::move(xor_owned);
  }
}

void ChunkMerger::EncodeFloats(size_t begin, size_t end,
                               std::vector<OutputChunk>* out) {
  ts_.clear();
  for (size_t i = begin; i < end; ++i) ts_.push_back(samples_[i].t);
  std::vector<size_t> starts = chunk::ChunkStarts(ts_, chunk_range_);
  starts.push_back(end - begin);
  for (size_t k = 0; k + 1 < starts.size(); ++k) {
    ts_.clear();
    vs_.clear();
    for (size_t i = begin + starts[k]; i < begin + starts[k + 1]; ++i) {
      ts_.push_back(samples_[i].t);
      vs_.push_back(BitsToDouble(samples_[i].v_bits));
    }
    OutputChunk o;
    SetData({}, &o);
    o.mint = ts_.front();
    o.maxt = ts_.back();
    o.num_samples = static_cast<int>(ts_.size());
    out->push_back(std::move(o));
  }
}

template <typename Appender>
void ChunkMerger::EncodeHistograms(size_t begin, size_t end, Appender app,
                                   std::vector<OutputChunk>* out) {
  for (size_t i = begin; i < end; ++i) {
    const Sample& s = samples_[i];
    if constexpr (std::is_same_v<Appender, chunk::HistogramSeriesAppender>) {
      app.Append(s.t, std::move(histograms_[s.v_bits]));
    } else {
      app.Append(s.t, std::move(float_histograms_[s.v_bits]));
    }
  }
  std::vector<chunk::ClosedHistogramChunk> chunks;
  app.TakeAll(&chunks);
  for (chunk::ClosedHistogramChunk& c : chunks) {
    OutputChunk o;
    o.encoding = static_cast<uint8_t>(Appender::encoding());
    o.owned = std::move(c.data);
    o.mint = c.mint;
    o.maxt = c.maxt;
    o.num_samples = c.num_samples;
    out->push_back(std::move(o));
  }
}

void ChunkMerger::Encode(std::vector<OutputChunk>* out) {
  for (size_t begin = 0, end; begin < samples_.size(); begin = end) {
    const SampleValueType kind = samples_[begin].kind;
    end = begin + 1;
    while (end < samples_.size() && samples_[end].kind == kind) ++end;
    switch (kind) {
      case SampleValueType::kFloat:
        EncodeFloats(begin, end, out);
        break;
      case SampleValueType::kHistogram:
        EncodeHistograms(begin, end,
                         chunk::HistogramSeriesAppender::WithMaxSamples(
                             chunk::kSamplesPerChunk),
                         out);
        break;
      case SampleValueType::kFloatHistogram:
        EncodeHistograms(begin, end,
                         chunk::FloatHistogramSeriesAppender::WithMaxSamples(
                             chunk::kSamplesPerChunk),
                         out);
        break;
    }
  }
}

bool ChunkMerger::TryCopy(const SourceChunk& c, ChunkBytes bytes,
                          std::vector<OutputChunk>* out) {
  OutputChunk o;
  o.encoding = bytes.encoding;
  o.mint = c.meta.mint;
  o.maxt = c.meta.maxt;
  o.num_samples =
      std::max(0, chunk::ChunkNumSamples(bytes.encoding, bytes.data));
  o.copied = true;
  if (bytes.encoding == kXor && format_ == ChunkFormat::kXor) {
    // The data must match the meta: a head chunk may have grown since its
    // meta was taken (it is then re-encoded up to the meta's maxt), and a
    // damaged chunk must not be copied on.
    int64_t lo, hi;
    if (!chunk::XorTimeRange(bytes.data, &lo, &hi) || lo != c.meta.mint ||
        hi != c.meta.maxt) {
      return false;
    }
  } else if (chunk::IsSupportedEncoding(bytes.encoding)) {
    // Dense, or XOR for a dense block: decoded to check it against its meta
    // and, in the wrong format, converted one to one.
    ts_.clear();
    vs_.clear();
    if (chunk::DecodeChunk(bytes.encoding, bytes.data, &ts_, &vs_) != nullptr ||
        ts_.empty() || ts_.front() != c.meta.mint ||
        ts_.back() != c.meta.maxt) {
      return false;
    }
    const bool keep =
        bytes.encoding == kDense && format_ == ChunkFormat::kDense;
    if (!keep) {
      SetData(bytes.encoding == kXor ? bytes.data : std::string_view(), &o);
      if (o.encoding != bytes.encoding || o.owned != bytes.data) {
        o.copied = false;
        out->push_back(std::move(o));
        return true;
      }
      o.owned.clear();  // Unchanged (XOR kept): copy the source's bytes.
    }
  } else if (chunk::IsHistogramEncoding(bytes.encoding)) {
    // Kept in any block format; checked against the meta as XOR is.
    const chunk::ChunkSummary s =
        chunk::SummarizeChunk(bytes.encoding, bytes.data);
    if (!s.error.empty() || s.num_samples == 0 || s.first != c.meta.mint ||
        s.last != c.meta.maxt) {
      return false;
    }
  }
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
    histograms_.clear();
    float_histograms_.clear();
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
