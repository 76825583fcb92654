// SampleWriter: writes series and their samples to a FILE* in one of the
// dump formats. OpenMetrics output ends with "# EOF" from Finish().
// Native histogram samples: text prints them as promtool does
// (histogram_text.h), JSON as [t, {"histogram": that text}]; OpenMetrics
// text cannot carry them, so they are skipped there and Finish() reports
// how many with FailedPrecondition after writing everything else.
//
// Thread-safety: one thread.
#ifndef STRATA_INSPECT_SAMPLE_WRITER_H_
#define STRATA_INSPECT_SAMPLE_WRITER_H_

#include <cstdint>
#include <cstdio>
#include <string>

#include "strata/querier.h"
#include "strata/status.h"

namespace strata::inspect {

enum class SampleFormat { kText, kOpenMetrics, kJson };
StatusOr<SampleFormat> ParseSampleFormat(const std::string& name);

class SampleWriter {
 public:
  // `out` is not owned.
  SampleWriter(std::FILE* out, SampleFormat format);
  Status WriteSeries(const Series& series);
  Status Finish();
  int64_t series() const { return series_; }
  int64_t samples() const { return samples_; }

 private:
  Status Flush();

  std::FILE* const out_;
  const SampleFormat format_;
  std::string buf_;
  int64_t series_ = 0;
  int64_t samples_ = 0;
  int64_t skipped_histograms_ = 0;
};

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_SAMPLE_WRITER_H_
