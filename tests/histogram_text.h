// Native histogram values as text, for tests comparing samples read back
// with what was written: what the value means, not how it is laid out
// (the non-empty buckets by index with their counts, so the empty buckets
// a recode adds do not count), and without the counter-reset hint (a
// reader derives it from the sample's place in its chunk, which changes
// when chunks are re-encoded while the value does not).
#ifndef STRATA_TESTS_HISTOGRAM_TEXT_H_
#define STRATA_TESTS_HISTOGRAM_TEXT_H_

#include <bit>
#include <cstdint>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "strata/histogram.h"
#include "strata/querier.h"

namespace strata::testing {

namespace histogram_text_internal {
// " idx:count" for each non-empty bucket; integer buckets are deltas.
template <typename T>
void PutBuckets(std::ostream& os, const std::vector<HistogramSpan>& spans,
                const std::vector<T>& values) {
  int64_t index = 0;
  T count = 0;
  size_t b = 0;
  for (const HistogramSpan& span : spans) {
    index += span.offset;
    for (uint32_t j = 0; j < span.length && b < values.size(); ++j, ++index) {
      if constexpr (std::is_integral_v<T>) {
        count += values[b++];
      } else {
        count = values[b++];
      }
      if (count != 0) os << " " << index << ":" << count;
    }
  }
}
// A stale marker is its sum alone (the rest is the chunk's layout).
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
template <typename H>
std::string Text(const char* kind, const H& h) {
  if (std::bit_cast<uint64_t>(h.sum) == kStaleNaNBits) {
    return std::string(kind) + " stale";
  }
  std::ostringstream os;
  os.precision(17);
  os << kind << " s" << h.schema << " zt" << h.zero_threshold << " zc"
     << h.zero_count << " c" << h.count << " sum" << h.sum << " p";
  PutBuckets(os, h.positive_spans, h.positive_buckets);
  os << " n";
  PutBuckets(os, h.negative_spans, h.negative_buckets);
  return os.str();
}
}  // namespace histogram_text_internal

// "h s<schema> zt<threshold> zc<zero count> c<count> sum<sum> p <index>:
// <count>... n <index>:<count>..." ("fh" for float histograms), or "h
// stale" for a stale marker.
inline std::string HistogramText(const Histogram& h) {
  return histogram_text_internal::Text("h", h);
}
inline std::string HistogramText(const FloatHistogram& h) {
  return histogram_text_internal::Text("fh", h);
}
inline std::string FloatText(double v) {
  std::ostringstream os;
  os.precision(17);
  os << "f " << v;
  return os.str();
}

// "<t> <value text>" of the iterator's current sample.
inline std::string SampleText(const SampleIterator& it) {
  std::string value;
  switch (it.value_type()) {
    case SampleValueType::kHistogram:
      value = HistogramText(it.histogram());
      break;
    case SampleValueType::kFloatHistogram:
      value = HistogramText(it.float_histogram());
      break;
    case SampleValueType::kFloat:
      value = FloatText(it.v());
      break;
  }
  return std::to_string(it.t()) + " " + value;
}

// Every sample of the series `q` selects, as SampleText, by the series'
// labels (Labels::ToString).
inline std::map<std::string, std::vector<std::string>> SampleTexts(
    Querier& q, const std::vector<Matcher>& matchers, std::string* error) {
  std::map<std::string, std::vector<std::string>> out;
  std::unique_ptr<SeriesSet> set = q.Select(matchers);
  while (set->Next()) {
    std::vector<std::string>& samples = out[set->At().labels().ToString()];
    std::unique_ptr<SampleIterator> it = set->At().NewIterator();
    while (it->Next()) samples.push_back(SampleText(*it));
    if (!it->status().ok()) *error = it->status().ToString();
  }
  if (!set->status().ok()) *error = set->status().ToString();
  return out;
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_HISTOGRAM_TEXT_H_
