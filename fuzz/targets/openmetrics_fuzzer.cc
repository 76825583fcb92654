// The OpenMetrics text reader of `strata-tsdb import openmetrics`
// (inspect/exposition.h) on arbitrary text. Invariant: the samples read,
// written back in the form `export` writes, read back as the same samples
// (values compare by bits, any NaN equal to any NaN, as text has one NaN).
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "inspect/exposition.h"
#include "util/go_format.h"

namespace {

using strata::inspect::OpenMetricsReader;
using strata::inspect::TextSample;

// More samples than this are read but not compared.
constexpr size_t kMaxCompared = 1000;

std::vector<TextSample> ReadAll(std::string_view text) {
  std::vector<TextSample> samples;
  if (text.empty()) return samples;  // fmemopen refuses a size of 0.
  std::FILE* in = fmemopen(const_cast<char*>(text.data()), text.size(), "r");
  if (in == nullptr) return samples;
  OpenMetricsReader reader(in, {});
  TextSample sample;
  while (reader.Next(&sample)) {
    if (samples.size() < kMaxCompared) samples.push_back(sample);
  }
  std::fclose(in);
  return samples;
}

bool SameValue(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) ||
         std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<TextSample> samples = ReadAll(text);
  std::string written;
  for (const TextSample& s : samples) {
    written += strata::inspect::OpenMetricsSeries(s.labels) + " ";
    strata::AppendGoFloat(&written, s.v, strata::GoFloatFormat::kShortest);
    written += " " + strata::inspect::OpenMetricsTimestamp(s.t) + "\n";
  }
  written += "# EOF\n";
  const std::vector<TextSample> again = ReadAll(written);
  FUZZ_CHECK(again.size() == samples.size(),
             "written samples read back differently: " + written);
  for (size_t i = 0; i < samples.size(); ++i) {
    FUZZ_CHECK(again[i].labels == samples[i].labels &&
                   again[i].t == samples[i].t &&
                   SameValue(again[i].v, samples[i].v),
               "sample does not round-trip: " + written);
  }
  (void)strata::inspect::ParseOpenMetricsTimestamp(text);
  (void)strata::inspect::ParseSampleValue(text);
  return 0;
}
