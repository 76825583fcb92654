#include "server/metrics/query_metrics.h"

#include <vector>

namespace strata::server {
namespace {

// client_golang's DefBuckets stretched to the default --query.timeout (2m).
std::vector<double> QueryBuckets() {
  std::vector<double> buckets = DefaultBuckets();
  for (double b : {30.0, 60.0, 120.0}) buckets.push_back(b);
  return buckets;
}

}  // namespace

QueryMetrics::QueryMetrics(MetricsRegistry* registry)
    : duration_(registry->AddHistogramFamily(
          "strata_query_duration_seconds",
          "Duration of queries by API endpoint, from the request to the "
          "last byte of the answer.",
          {"endpoint"}, QueryBuckets())),
      timeouts_(registry->AddCounterFamily(
          "strata_query_timeouts_total",
          "Total number of queries that timed out, by API endpoint.",
          {"endpoint"})) {
  for (std::string_view endpoint : kQueryEndpoints) {
    duration_->WithLabelValues({endpoint});
    timeouts_->WithLabelValues({endpoint});
  }
}

void QueryMetrics::ObserveDuration(std::string_view endpoint, double seconds) {
  duration_->WithLabelValues({endpoint})->Observe(seconds);
}

void QueryMetrics::CountTimeout(std::string_view endpoint) {
  timeouts_->WithLabelValues({endpoint})->Inc();
}

}  // namespace strata::server
