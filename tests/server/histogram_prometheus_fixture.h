// A live Prometheus 2.42 with native histograms and the remote write
// receiver on, for the tests that feed it histograms and compare the query
// API's JSON with its answers (histogram_json_test.cc,
// histogram_promql_test.cc). Without `prometheus` on PATH the test skips
// (fails with CI=true).
#ifndef STRATA_TESTS_SERVER_HISTOGRAM_PROMETHEUS_FIXTURE_H_
#define STRATA_TESTS_SERVER_HISTOGRAM_PROMETHEUS_FIXTURE_H_

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "prometheus_process.h"
#include "temp_dir.h"
#include "test_env.h"

namespace strata::server::testing {

class HistogramPrometheusFixture : public ::testing::Test {
 protected:
  // Starts Prometheus in tmp_ and waits until it is ready.
  void SetUp() override {
    if (!strata::testing::HavePrometheus()) {
      STRATA_SKIP_OR_FAIL_IF_MISSING("prometheus");
    }
    ASSERT_TRUE(tmp_.ok());
    prom_.emplace(
        tmp_.path() + "/data", "global:\n  scrape_interval: 1m\n", tmp_.path(),
        std::vector<std::string>{"--enable-feature=native-histograms",
                                 "--web.enable-remote-write-receiver"});
    ASSERT_TRUE(prom_->WaitReady()) << prom_->log();
  }

  strata::testing::TempDir tmp_;
  std::optional<strata::testing::PrometheusProcess> prom_;  // Set in SetUp.
};

}  // namespace strata::server::testing

#endif  // STRATA_TESTS_SERVER_HISTOGRAM_PROMETHEUS_FIXTURE_H_
