#include "inspect/histogram_text.h"

#include <cstdint>
#include <string>
#include <vector>

#include "util/go_format.h"

namespace strata::inspect {
namespace {

// One non-empty bucket of one side: its index and count as text.
struct IndexedCount {
  int32_t index;
  std::string count;
};

// The non-empty buckets of one side in index order. `Count` turns the
// running value into text; `accumulate` says whether buckets are deltas.
template <typename T, typename Text>
std::vector<IndexedCount> NonEmpty(const std::vector<HistogramSpan>& spans,
                                   const std::vector<T>& buckets,
                                   bool accumulate, Text text) {
  std::vector<IndexedCount> out;
  int32_t index = 0;
  size_t i = 0;
  T running = 0;
  for (const HistogramSpan& span : spans) {
    index += span.offset;
    for (uint32_t k = 0; k < span.length && i < buckets.size(); ++k, ++i) {
      running = accumulate ? running + buckets[i] : buckets[i];
      if (running != 0) out.push_back({index, text(running)});
      ++index;
    }
  }
  return out;
}

std::string G(double v) { return FormatGoFloat(v, GoFloatFormat::kShortest); }

// "(lower,upper]:count" and its mirror for the negative side.
void AppendBucket(std::string* out, bool positive, int32_t index,
                  int32_t schema, const std::string& count) {
  const double far = HistogramBucketBound(index, schema);
  const double near = HistogramBucketBound(index - 1, schema);
  if (positive) {
    *out += ", (" + G(near) + "," + G(far) + "]:" + count;
  } else {
    *out += ", [" + G(-far) + "," + G(-near) + "):" + count;
  }
}

template <typename H, typename T, typename Text>
std::string Render(const H& h, const std::string& count, bool accumulate,
                   const std::string& zero_count, bool has_zero, Text text) {
  std::string out = "{count:" + count + ", sum:" + G(h.sum);
  const std::vector<IndexedCount> negative =
      NonEmpty<T>(h.negative_spans, h.negative_buckets, accumulate, text);
  for (auto it = negative.rbegin(); it != negative.rend(); ++it) {
    AppendBucket(&out, false, it->index, h.schema, it->count);
  }
  if (has_zero) {
    out += ", [" + G(-h.zero_threshold) + "," + G(h.zero_threshold) +
           "]:" + zero_count;
  }
  for (const IndexedCount& b :
       NonEmpty<T>(h.positive_spans, h.positive_buckets, accumulate, text)) {
    AppendBucket(&out, true, b.index, h.schema, b.count);
  }
  out += "}";
  return out;
}

}  // namespace

std::string HistogramText(const Histogram& h) {
  return Render<Histogram, int64_t>(
      h, std::to_string(h.count), /*accumulate=*/true,
      std::to_string(h.zero_count), h.zero_count != 0,
      [](int64_t v) { return std::to_string(static_cast<uint64_t>(v)); });
}

std::string FloatHistogramText(const FloatHistogram& h) {
  return Render<FloatHistogram, double>(h, G(h.count), /*accumulate=*/false,
                                        G(h.zero_count), h.zero_count != 0,
                                        [](double v) { return G(v); });
}

}  // namespace strata::inspect
