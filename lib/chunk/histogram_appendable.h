// Prometheus's appendability and recoding rules, once for both histogram
// chunk kinds (histogram_chunk.h: integer counts, buckets as deltas;
// float_histogram_chunk.h: float counts, absolute buckets). The chunks
// call these with their encoder state; see HistogramChunk for the rules.
//
// Thread-safety: stateless functions.
#ifndef STRATA_CHUNK_HISTOGRAM_APPENDABLE_H_
#define STRATA_CHUNK_HISTOGRAM_APPENDABLE_H_

#include <span>
#include <vector>

#include "chunk/histogram.h"
#include "chunk/histogram_layout.h"

namespace strata::chunk {

// Whether a counter histogram fits the chunk (Prometheus's Appendable).
struct HistogramAppendability {
  // Buckets the chunk lacks: Recode with these before appending.
  std::vector<BucketInsert> positive_inserts;
  std::vector<BucketInsert> negative_inserts;
  // False: start a new chunk (schema or zero threshold changed, a stale
  // marker ends the chunk, or a counter reset).
  bool ok = false;
  // A counter reset: the count, zero count or a bucket went down, or a
  // bucket vanished. Never set with ok.
  bool counter_reset = false;
};

// Whether a gauge histogram fits the chunk (Prometheus's AppendableGauge):
// buckets may come and go, so both the chunk and the histogram may need
// new (zero) buckets to reach the union of both layouts.
struct GaugeHistogramAppendability {
  std::vector<BucketInsert> positive_inserts;  // For Recode.
  std::vector<BucketInsert> negative_inserts;
  std::vector<BucketInsert> positive_backward_inserts;  // For the histogram.
  std::vector<BucketInsert> negative_backward_inserts;
  std::vector<HistogramSpan> positive_spans;  // The union layout.
  std::vector<HistogramSpan> negative_spans;
  bool ok = false;
};

// What the checks need to know about a chunk's last sample.
template <typename Count, typename Bucket>
struct ChunkTail {
  int num_samples = 0;
  CounterResetHeader header = CounterResetHeader::kUnknown;
  bool last_stale = false;
  const HistogramLayout* layout = nullptr;
  Count count{};
  Count zero_count{};
  std::span<const Bucket> positive_buckets;
  std::span<const Bucket> negative_buckets;
};

template <typename H, typename Count, typename Bucket>
HistogramAppendability CheckAppendable(const ChunkTail<Count, Bucket>& c,
                                       const H& h) {
  HistogramAppendability r;
  if (c.num_samples > 0 && c.header == CounterResetHeader::kGauge) return r;
  if (IsStaleNaN(h.sum)) {  // Its buckets and spans do not matter.
    r.ok = true;
    return r;
  }
  if (c.last_stale) return r;  // Only stale markers may follow one.
  if (h.count < c.count) {
    r.counter_reset = true;
    return r;
  }
  const HistogramLayout& l = *c.layout;
  if (h.schema != l.schema || h.zero_threshold != l.zero_threshold) return r;
  if (h.zero_count < c.zero_count) {
    r.counter_reset = true;
    return r;
  }
  if (!ExpandSpansForward(l.positive_spans, h.positive_spans,
                          &r.positive_inserts) ||
      !ExpandSpansForward(l.negative_spans, h.negative_spans,
                          &r.negative_inserts)) {
    r.counter_reset = true;  // A bucket vanished.
    return r;
  }
  if (CounterResetInAnyBucket(c.positive_buckets,
                              std::span<const Bucket>(h.positive_buckets),
                              l.positive_spans, h.positive_spans) ||
      CounterResetInAnyBucket(c.negative_buckets,
                              std::span<const Bucket>(h.negative_buckets),
                              l.negative_spans, h.negative_spans)) {
    r.positive_inserts.clear();
    r.negative_inserts.clear();
    r.counter_reset = true;
    return r;
  }
  r.ok = true;
  return r;
}

template <typename H, typename Count, typename Bucket>
GaugeHistogramAppendability CheckAppendableGauge(
    const ChunkTail<Count, Bucket>& c, const H& h) {
  GaugeHistogramAppendability r;
  if (c.num_samples > 0 && c.header != CounterResetHeader::kGauge) return r;
  if (IsStaleNaN(h.sum)) {
    r.ok = true;
    return r;
  }
  if (c.last_stale) return r;
  const HistogramLayout& l = *c.layout;
  if (h.schema != l.schema || h.zero_threshold != l.zero_threshold) return r;
  ExpandSpansBothWays(l.positive_spans, h.positive_spans, &r.positive_inserts,
                      &r.positive_backward_inserts, &r.positive_spans);
  ExpandSpansBothWays(l.negative_spans, h.negative_spans, &r.negative_inserts,
                      &r.negative_backward_inserts, &r.negative_spans);
  r.ok = true;
  return r;
}

// Gives `h` the buckets of `inserts` (new ones count zero) and `spans`.
template <typename H>
void WidenHistogram(H* h, std::span<const BucketInsert> positive_inserts,
                    std::span<const BucketInsert> negative_inserts,
                    std::span<const HistogramSpan> positive_spans,
                    std::span<const HistogramSpan> negative_spans) {
  h->positive_spans.assign(positive_spans.begin(), positive_spans.end());
  h->negative_spans.assign(negative_spans.begin(), negative_spans.end());
  if (!positive_inserts.empty()) {
    h->positive_buckets = InsertBuckets(h->positive_buckets, positive_inserts);
  }
  if (!negative_inserts.empty()) {
    h->negative_buckets = InsertBuckets(h->negative_buckets, negative_inserts);
  }
}

// `c`'s samples re-appended to a new chunk of the same header with the
// wider layout (Prometheus's Recode).
template <typename Chunk>
Chunk RecodeChunk(const Chunk& c,
                  std::span<const BucketInsert> positive_inserts,
                  std::span<const BucketInsert> negative_inserts,
                  std::span<const HistogramSpan> positive_spans,
                  std::span<const HistogramSpan> negative_spans) {
  Chunk out;
  auto it = c.Iterator();
  while (it.Next()) {
    auto h = it.At();
    WidenHistogram(&h, positive_inserts, negative_inserts, positive_spans,
                   negative_spans);
    out.Append(it.t(), h);
  }
  out.SetCounterResetHeader(c.counter_reset_header());
  return out;
}

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_HISTOGRAM_APPENDABLE_H_
