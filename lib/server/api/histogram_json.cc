#include "server/api/histogram_json.h"

#include <vector>

#include "server/api/query_json.h"

namespace strata::server {
namespace {

// The first element of a bucket's array in Prometheus's API.
int BoundaryRule(const HistogramBucket& b) {
  if (b.lower_inclusive) return b.upper_inclusive ? 3 : 1;
  return b.upper_inclusive ? 0 : 2;
}

void AppendBucket(std::string* out, const HistogramBucket& b) {
  out->push_back('[');
  out->append(std::to_string(BoundaryRule(b)));
  out->push_back(',');
  AppendJsonSampleValue(out, b.lower);
  out->push_back(',');
  AppendJsonSampleValue(out, b.upper);
  out->push_back(',');
  AppendJsonSampleValue(out, b.count);
  out->push_back(']');
}

}  // namespace

void AppendHistogramJson(std::string* out, const FloatHistogram& h) {
  out->append("{\"count\":");
  AppendJsonSampleValue(out, h.count);
  out->append(",\"sum\":");
  AppendJsonSampleValue(out, h.sum);
  bool any_bucket = false;
  for (const HistogramBucket& b : AllHistogramBuckets(h)) {
    if (b.count == 0) continue;  // Prometheus leaves empty buckets out.
    out->append(any_bucket ? "," : ",\"buckets\":[");
    any_bucket = true;
    AppendBucket(out, b);
  }
  if (any_bucket) out->push_back(']');
  out->push_back('}');
}

void AppendHistogramPointJson(std::string* out, int64_t t_ms,
                              const FloatHistogram& h) {
  out->push_back('[');
  AppendJsonTimestamp(out, t_ms);
  out->push_back(',');
  AppendHistogramJson(out, h);
  out->push_back(']');
}

}  // namespace strata::server
