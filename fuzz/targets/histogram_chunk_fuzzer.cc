// Histogram chunks (chunk/histogram_chunk.h, encoding 2) and float
// histogram chunks (chunk/float_histogram_chunk.h, encoding 3) on arbitrary
// bytes, the input read as each kind: decoding gives samples or an error,
// never a crash, a read outside the input or an allocation beyond what the
// input could describe; and what decodes is consistent:
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
#include <utility>
#include <vector>

#include "chunk/float_histogram_chunk.h"
#include "chunk/histogram.h"
#include "chunk/histogram_chunk.h"
#include "fuzz_check.h"

namespace {

using strata::chunk::FloatHistogram;
using strata::chunk::FloatHistogramChunk;
using strata::chunk::Histogram;
using strata::chunk::HistogramChunk;

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

// The layout codes a zero threshold of -0.0 as 0.0, as Prometheus does.
uint64_t ThresholdBits(double zt) { return zt == 0 ? 0 : Bits(zt); }

bool SameCounts(uint64_t a, uint64_t b) { return a == b; }
bool SameCounts(double a, double b) { return Bits(a) == Bits(b); }
bool SameBuckets(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  return a == b;
}
bool SameBuckets(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Bits(a[i]) != Bits(b[i])) return false;
  }
  return true;
}

template <typename H>
bool Same(const H& a, const H& b) {
  return Bits(a.sum) == Bits(b.sum) &&
         a.counter_reset_hint == b.counter_reset_hint && a.schema == b.schema &&
         ThresholdBits(a.zero_threshold) == ThresholdBits(b.zero_threshold) &&
         SameCounts(a.zero_count, b.zero_count) &&
         SameCounts(a.count, b.count) && a.positive_spans == b.positive_spans &&
         a.negative_spans == b.negative_spans &&
         SameBuckets(a.positive_buckets, b.positive_buckets) &&
         SameBuckets(a.negative_buckets, b.negative_buckets);
}

template <typename H>
struct Sample {
  int64_t t;
  H h;
};

// Decodes; false on a decoding error.
template <typename Chunk, typename H>
bool Decode(std::string_view bytes, std::vector<Sample<H>>* out) {
  using Iterator = decltype(std::declval<const Chunk&>().Iterator());
  Iterator it(bytes);
  while (it.Next()) out->push_back({it.t(), it.At()});
  return !it.error();
}

template <typename H>
bool SameSamples(const std::vector<Sample<H>>& a,
                 const std::vector<Sample<H>>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].t != b[i].t || !Same(a[i].h, b[i].h)) return false;
  }
  return true;
}

template <typename Chunk, typename H>
void Check(const std::string& input) {
  std::vector<Sample<H>> decoded;
  const bool ok = Decode<Chunk>(input, &decoded);

  Chunk adopted(input);
  const bool resumed = input.size() >= 3 && adopted.ResumeAppending();
  FUZZ_CHECK(resumed == ok, "ResumeAppending disagrees with the iterator");
  if (!ok) return;

  // Appenders never put a real histogram after a stale marker (their
  // state after one differs from the decoder's, as in Prometheus).
  bool after_stale = false;
  for (const Sample<H>& s : decoded) {
    const bool stale = strata::chunk::IsStaleNaN(s.h.sum);
    if (after_stale && !stale) return;
    after_stale |= stale;
  }
  Chunk fresh;
  fresh.SetCounterResetHeader(strata::chunk::ReadCounterResetHeader(input));
  for (const Sample<H>& s : decoded) fresh.Append(s.t, s.h);
  std::vector<Sample<H>> again;
  FUZZ_CHECK(Decode<Chunk>(fresh.Bytes(), &again),
             "re-encoded chunk does not decode");
  FUZZ_CHECK(SameSamples(again, decoded), "samples changed in a round trip");

  if (decoded.empty() || adopted.Full() || decoded.back().t == INT64_MAX) {
    return;
  }
  const Sample<H>& last = decoded.back();
  adopted.Append(last.t + 1, last.h);
  std::vector<Sample<H>> more;
  FUZZ_CHECK(Decode<Chunk>(adopted.Bytes(), &more),
             "resumed chunk does not decode");
  FUZZ_CHECK(more.size() == decoded.size() + 1, "appended sample missing");
  H expected = last.h;
  expected.counter_reset_hint = more.back().h.counter_reset_hint;
  FUZZ_CHECK(more.back().t == last.t + 1 && Same(more.back().h, expected),
             "resumed append decodes differently");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Exactly the input's bytes, so that ASan sees any read past them.
  const std::string copy(reinterpret_cast<const char*>(data), size);
  Check<HistogramChunk, Histogram>(copy);
  Check<FloatHistogramChunk, FloatHistogram>(copy);
  return 0;
}
