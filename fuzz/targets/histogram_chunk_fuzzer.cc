// Histogram chunks (chunk/histogram_chunk.h, encoding 2) on arbitrary
// bytes: decoding gives samples or an error, never a crash, a read outside
// the input or an allocation beyond what the input could describe; and
// what decodes is consistent:
//   - the decoded samples, appended to a fresh chunk with the same header,
//     decode back to themselves, bit for bit (unless a real histogram
//     follows a stale marker, which no appender writes);
//   - the input resumes appending (ResumeAppending) exactly when it
//     decodes, and a sample appended then decodes as appended.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chunk/histogram.h"
#include "chunk/histogram_chunk.h"
#include "chunk/histogram_iterator.h"
#include "fuzz_check.h"

namespace {

using strata::chunk::Histogram;
using strata::chunk::HistogramChunk;
using strata::chunk::HistogramIterator;

struct Sample {
  int64_t t;
  Histogram h;
};

// The layout codes a zero threshold of -0.0 as 0.0, as Prometheus does.
uint64_t ThresholdBits(double zt) {
  return zt == 0 ? 0 : std::bit_cast<uint64_t>(zt);
}

bool Same(const Histogram& a, const Histogram& b) {
  return std::bit_cast<uint64_t>(a.sum) == std::bit_cast<uint64_t>(b.sum) &&
         a.counter_reset_hint == b.counter_reset_hint && a.schema == b.schema &&
         ThresholdBits(a.zero_threshold) == ThresholdBits(b.zero_threshold) &&
         a.zero_count == b.zero_count && a.count == b.count &&
         a.positive_spans == b.positive_spans &&
         a.negative_spans == b.negative_spans &&
         a.positive_buckets == b.positive_buckets &&
         a.negative_buckets == b.negative_buckets;
}

// Decodes; false on a decoding error.
bool Decode(std::string_view chunk, std::vector<Sample>* out) {
  HistogramIterator it(chunk);
  while (it.Next()) out->push_back({it.t(), it.AtHistogram()});
  return !it.error();
}

bool SameSamples(const std::vector<Sample>& a, const std::vector<Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].t != b[i].t || !Same(a[i].h, b[i].h)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Exactly the input's bytes, so that ASan sees any read past them.
  const std::string copy(reinterpret_cast<const char*>(data), size);
  std::vector<Sample> decoded;
  const bool ok = Decode(copy, &decoded);

  HistogramChunk adopted(copy);
  const bool resumed = size >= 3 && adopted.ResumeAppending();
  FUZZ_CHECK(resumed == ok, "ResumeAppending disagrees with the iterator");
  if (!ok) return 0;

  // Appenders never put a real histogram after a stale marker (their
  // state after one differs from the decoder's, as in Prometheus), so
  // chunks doing so need not round-trip.
  bool after_stale = false, appendable_order = true;
  for (const Sample& s : decoded) {
    const bool stale = strata::chunk::IsStaleNaN(s.h.sum);
    if (after_stale && !stale) appendable_order = false;
    after_stale |= stale;
  }
  if (!appendable_order) return 0;
  HistogramChunk fresh;
  fresh.SetCounterResetHeader(strata::chunk::ReadCounterResetHeader(copy));
  for (const Sample& s : decoded) fresh.Append(s.t, s.h);
  std::vector<Sample> again;
  FUZZ_CHECK(Decode(fresh.Bytes(), &again), "re-encoded chunk does not decode");
  FUZZ_CHECK(SameSamples(again, decoded), "samples changed in a round trip");

  if (!decoded.empty() && !adopted.Full() && decoded.back().t < INT64_MAX) {
    const Sample& last = decoded.back();
    adopted.Append(last.t + 1, last.h);
    std::vector<Sample> more;
    FUZZ_CHECK(Decode(adopted.Bytes(), &more), "resumed chunk does not decode");
    FUZZ_CHECK(more.size() == decoded.size() + 1, "appended sample missing");
    FUZZ_CHECK(more.back().t == last.t + 1 &&
                   std::bit_cast<uint64_t>(more.back().h.sum) ==
                       std::bit_cast<uint64_t>(last.h.sum) &&
                   more.back().h.positive_buckets == last.h.positive_buckets,
               "resumed append decodes differently");
  }
  return 0;
}
