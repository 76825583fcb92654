// Reading a server's own /metrics (Prometheus text exposition format).
#ifndef STRATA_BENCH_COMPARE_METRICS_TEXT_H_
#define STRATA_BENCH_COMPARE_METRICS_TEXT_H_

#include <initializer_list>
#include <string>
#include <string_view>

namespace strata::bench {

// Sum of every series of the first metric in `names` that `text` has
// (all label combinations), or -1 when none is present. Several names let
// one call cover both servers (prometheus_tsdb_* and strata_*).
double SumMetric(std::string_view text,
                 std::initializer_list<std::string_view> names);

// Scrapes 127.0.0.1:`port`/metrics and applies SumMetric; -1 on failure.
double ScrapeMetric(int port, std::initializer_list<std::string_view> names);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_METRICS_TEXT_H_
