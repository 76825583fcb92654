// JSON of native histogram values as Prometheus 2.42's HTTP API writes them
// (web/api/v1 marshalHistogram, marshalPointJSON):
//   {"count":"42","sum":"34593.34","buckets":[[3,"-0.25","0.25","3"],
//    [0,"0.25","0.5","12"]]}
// count, sum and each bucket's bounds and count are point values
// (AppendJsonSampleValue); buckets come in ascending order as
// AllHistogramBuckets (strata/histogram.h) yields them, empty ones left
// out, "buckets" left out when all are; the first element says which
// bounds are inclusive: 0 upper only, 1 lower only, 2 neither, 3 both. An
// integer histogram is written as its float form (ToFloatHistogram), as
// Prometheus's engine hands it over.
//
// An instant vector's element carries `"histogram":<point>` in place of
// `"value"`, a matrix's series `"histograms":[<point>,...]` after its
// `"values"`, where a point is `[<timestamp>,<histogram>]`.
//
// Thread-safety: pure functions.
#ifndef STRATA_SERVER_API_HISTOGRAM_JSON_H_
#define STRATA_SERVER_API_HISTOGRAM_JSON_H_

#include <cstdint>
#include <string>

#include "strata/histogram.h"

namespace strata::server {

// marshalHistogram: the object alone.
void AppendHistogramJson(std::string* out, const FloatHistogram& h);

// marshalPointJSON for a histogram point: [<timestamp>,<histogram>].
void AppendHistogramPointJson(std::string* out, int64_t t_ms,
                              const FloatHistogram& h);

}  // namespace strata::server

#endif  // STRATA_SERVER_API_HISTOGRAM_JSON_H_
