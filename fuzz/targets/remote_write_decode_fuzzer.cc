// The remote write 1.0 and 2.0 decoder (server/remote/remote_write_decoder.h)
// on arbitrary decompressed bodies.
//
// Input: a flags byte (bit 0: version 2.0; bit 1: defer 1.0 labels; bits
// 2-3: series limit none, 1, 10 or 100), then the body.
// Invariants: on success every series' label and sample range lies inside
// the batch, every string view lies inside the body, and deferred label
// bytes decode with DecodeLabelFields, every histogram range lies inside
// the batch and each histogram validates and lists its buckets (bounded by
// its bucket vectors, whatever its spans say) without failing.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "server/remote/remote_write_decoder.h"
#include "strata/histogram.h"

namespace {

using strata::server::WireHistogram;
using strata::server::WireLabel;
using strata::server::WireSeries;
using strata::server::WriteBatch;

bool Inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() &&
         part.data() + part.size() <= whole.data() + whole.size();
}

void CheckHistogram(const WireHistogram& h) {
  const strata::FloatHistogram f =
      h.is_float ? h.floating : strata::ToFloatHistogram(h.integer);
  (void)(h.is_float ? strata::ValidateFloatHistogram(h.floating)
                    : strata::ValidateHistogram(h.integer));
  const std::vector<strata::HistogramBucket> buckets =
      strata::AllHistogramBuckets(f);
  FUZZ_CHECK(buckets.size() <=
                 f.positive_buckets.size() + f.negative_buckets.size() + 1,
             "more buckets listed than the histogram has");
}

void CheckBatch(const WriteBatch& batch, std::string_view body) {
  for (const WireSeries& s : batch.series) {
    FUZZ_CHECK(uint64_t{s.first_label} + s.num_labels <= batch.labels.size(),
               "label range outside the batch");
    FUZZ_CHECK(uint64_t{s.first_sample} + s.num_samples <= batch.samples.size(),
               "sample range outside the batch");
    FUZZ_CHECK(uint64_t{s.first_histogram} + s.num_histograms <=
                   batch.histograms_list.size(),
               "histogram range outside the batch");
    for (const WireHistogram& h : batch.HistogramsOf(s)) CheckHistogram(h);
    FUZZ_CHECK(Inside(s.label_bytes, body), "label bytes outside the body");
    for (const WireLabel& l : batch.LabelsOf(s)) {
      FUZZ_CHECK(Inside(l.name, body) && Inside(l.value, body),
                 "label outside the body");
    }
    if (s.labels_deferred) {
      std::vector<WireLabel> labels;
      if (strata::server::DecodeLabelFields(s.label_bytes, &labels).ok()) {
        for (const WireLabel& l : labels) {
          FUZZ_CHECK(Inside(l.name, body) && Inside(l.value, body),
                     "deferred label outside the body");
        }
      }
    }
    if (s.has_metadata) {
      FUZZ_CHECK(Inside(s.metadata.help, body) && Inside(s.metadata.unit, body),
                 "metadata outside the body");
    }
  }
  for (const auto& m : batch.metadata) {
    FUZZ_CHECK(Inside(m.metric_family_name, body) && Inside(m.help, body) &&
                   Inside(m.unit, body),
               "metadata outside the body");
    (void)strata::server::MetricTypeName(m.type);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static constexpr size_t kLimits[] = {0, 1, 10, 100};
  const uint8_t flags = data[0];
  // Ends where libFuzzer's buffer ends: overreads are caught.
  const std::string_view body(reinterpret_cast<const char*>(data) + 1,
                              size - 1);
  static WriteBatch batch;  // Reused, as the handler reuses one per thread.
  batch.defer_labels = (flags & 2) != 0;
  batch.max_series = kLimits[(flags >> 2) & 3];
  const auto version = (flags & 1) != 0
                           ? strata::server::RemoteWriteVersion::kV2
                           : strata::server::RemoteWriteVersion::kV1;
  if (strata::server::DecodeWriteRequest(version, body, &batch).ok()) {
    CheckBatch(batch, body);
  }
  return 0;
}
