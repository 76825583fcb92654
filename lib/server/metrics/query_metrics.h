// Query latency and timeouts by endpoint:
//   strata_query_duration_seconds{endpoint}  histogram, from the request's
//                                            arrival to the last byte of
//                                            its answer
//   strata_query_timeouts_total{endpoint}    queries that ran out of time
//                                            (waiting for a slot or
//                                            evaluating)
// Every endpoint of kQueryEndpoints is reported from the start (at 0), so
// rate() and alerts see the series before the first query.
//
// Thread-safety: all methods are safe to call concurrently.
#ifndef STRATA_SERVER_METRICS_QUERY_METRICS_H_
#define STRATA_SERVER_METRICS_QUERY_METRICS_H_

#include <array>
#include <string_view>

#include "server/metrics/metrics.h"

namespace strata::server {

// The `endpoint` label values.
inline constexpr std::string_view kQueryEndpointQuery = "query";
inline constexpr std::string_view kQueryEndpointQueryRange = "query_range";
inline constexpr std::string_view kQueryEndpointSeries = "series";
inline constexpr std::string_view kQueryEndpointLabels = "labels";
inline constexpr std::string_view kQueryEndpointLabelValues = "label_values";
inline constexpr std::string_view kQueryEndpointRemoteRead = "remote_read";
inline constexpr std::array<std::string_view, 6> kQueryEndpoints = {
    kQueryEndpointQuery,  kQueryEndpointQueryRange,  kQueryEndpointSeries,
    kQueryEndpointLabels, kQueryEndpointLabelValues, kQueryEndpointRemoteRead};

class QueryMetrics {
 public:
  // Registers the families in `registry` (not owned; must outlive this).
  explicit QueryMetrics(MetricsRegistry* registry);

  // `endpoint` is one of kQueryEndpoints.
  void ObserveDuration(std::string_view endpoint, double seconds);
  void CountTimeout(std::string_view endpoint);

 private:
  HistogramFamily* duration_;
  CounterFamily* timeouts_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_METRICS_QUERY_METRICS_H_
