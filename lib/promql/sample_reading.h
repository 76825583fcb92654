// How the evaluator reads samples that may be native histograms: the
// forms Prometheus 2.42 gives an integer histogram in its windows and
// selectors, stale markers of both kinds, and where the histograms of a
// window are kept while it is evaluated. Internal to lib/promql.
//
// Thread-safety: as the evaluator (one query, one thread).
#ifndef STRATA_PROMQL_SAMPLE_READING_H_
#define STRATA_PROMQL_SAMPLE_READING_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <utility>

#include "promql/evaluator.h"
#include "promql/histogram_math.h"
#include "promql/sample_cursor.h"
#include "strata/querier.h"

namespace strata::promql::internal {

// The histograms of one series' window samples, charged to the query's
// budget while they are held.
class ScratchHistograms {
 public:
  explicit ScratchHistograms(QueryContext* query) : query_(query) {}
  ~ScratchHistograms() { Clear(); }

  const FloatHistogram* Add(FloatHistogram h) {
    const int64_t n = HistogramBytes(h);
    bytes_ += n;
    query_->Charge(n);
    return &store_.emplace_back(std::move(h));
  }
  void Clear() {
    query_->Charge(-bytes_);
    bytes_ = 0;
    store_.clear();
  }

 private:
  QueryContext* const query_;
  std::deque<FloatHistogram> store_;
  int64_t bytes_ = 0;
};

inline bool SameCounts(const FloatHistogram& a, const FloatHistogram& b) {
  return a.count == b.count && a.zero_count == b.zero_count &&
         a.positive_buckets == b.positive_buckets &&
         a.negative_buckets == b.negative_buckets;
}

// The current sample of `cursor` as a window point and its histogram
// (null for a float), kept by `keep` (FloatHistogram -> const
// FloatHistogram*). False for a stale
// marker: a float StaleNaN, or a histogram whose sum is one (Prometheus
// 2.42's matrixIterSlice skips both).
//
// Prometheus 2.42 converts an integer histogram two ways: the samples of
// a window come out of its sample ring as Histogram.ToFloat
// (ToFloatHistogram here), the one exactly at the window's end out of the
// chunk iterator (float_histogram() here); they differ past 2^53. The
// point gets the ring's form; `*at_end` the iterator's when it differs,
// else null.
template <typename Keep>
bool ReadPoint(const SampleCursor& cursor, Point* p, const FloatHistogram** ph,
               const Keep& keep, const FloatHistogram** at_end) {
  *at_end = nullptr;
  if (cursor.RunFloat(&p->t, &p->v)) [[likely]] {
    *ph = nullptr;
    return !IsStaleNaN(p->v);
  }
  p->t = cursor.t();
  if (cursor.is_float()) {
    p->v = cursor.v();
    *ph = nullptr;
    return !IsStaleNaN(p->v);
  }
  const SampleIterator& it = cursor.iterator();
  FloatHistogram h = it.float_histogram();
  if (IsStaleNaN(h.sum)) return false;
  p->v = 0;
  if (it.value_type() == SampleValueType::kHistogram) {
    FloatHistogram ring = ToFloatHistogram(it.histogram());
    if (!SameCounts(ring, h)) *at_end = keep(std::move(h));
    *ph = keep(std::move(ring));
  } else {
    *ph = keep(std::move(h));
  }
  return true;
}

// A sample an instant selector has read, a histogram copied but stored in
// the query only once a step uses it (a sample may be passed over, or used
// by many steps).
struct SelectedSample {
  int64_t t = 0;
  double v = 0;
  bool is_histogram = false;
  // Allocated at the first histogram, then reused: swapping two samples
  // stays as cheap as for floats.
  std::unique_ptr<FloatHistogram> histogram;
  const FloatHistogram* stored = nullptr;

  void Read(const SampleCursor& cursor) {
    stored = nullptr;
    if (cursor.RunFloat(&t, &v)) [[likely]] {
      is_histogram = false;
      return;
    }
    t = cursor.t();
    is_histogram = !cursor.is_float();
    if (is_histogram) {
      v = 0;
      if (histogram == nullptr) histogram = std::make_unique<FloatHistogram>();
      *histogram = cursor.iterator().float_histogram();
    } else {
      v = cursor.v();
    }
  }
  // Prometheus 2.42's vectorSelectorSingle: a float StaleNaN ends a
  // histogram series too.
  bool IsStale() const {
    return is_histogram ? IsStaleNaN(histogram->sum) : IsStaleNaN(v);
  }
  const FloatHistogram* Stored(QueryContext* query) {
    if (is_histogram && stored == nullptr) {
      stored = query->KeepHistogram(*histogram);
    }
    return stored;
  }
};

}  // namespace strata::promql::internal

#endif  // STRATA_PROMQL_SAMPLE_READING_H_
