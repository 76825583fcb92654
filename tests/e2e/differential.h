// Differential checks for end-to-end tests that run strata-server beside a
// live Prometheus: the same request to both, the answers compared; and the
// same through two more Prometheus servers reading each by remote read.
// gtest expectations; header-only (the tests that use it link
// nlohmann_json).
#ifndef STRATA_TESTS_E2E_DIFFERENTIAL_H_
#define STRATA_TESTS_E2E_DIFFERENTIAL_H_

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "prometheus_process.h"
#include "url_encode.h"

namespace strata::e2e {

// Sends the encoded remote write 1.0 request `raw` to both; the status
// codes must agree and be `want`.
inline void ExpectSameWriteStatus(int prom_port, int strata_port,
                                  const std::string& raw, int want) {
  const http_client::Response p = RemoteWriteV1(prom_port, raw);
  const http_client::Response s = RemoteWriteV1(strata_port, raw);
  EXPECT_EQ(s.status, p.status)
      << "prometheus: " << p.body << "\nstrata: " << s.body;
  EXPECT_EQ(p.status, want) << p.body;
}

// The same GET `path`?`params` to both: identical status and JSON body.
// Returns Prometheus's body (discarded JSON if it was none).
inline nlohmann::json ExpectSameAnswer(
    int prom_port, int strata_port, const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& params) {
  const std::string target = strata::testing::ApiTarget(path, params);
  const http_client::Response p = Http(prom_port, "GET", target);
  const http_client::Response s = Http(strata_port, "GET", target);
  SCOPED_TRACE(target);
  EXPECT_EQ(s.status, p.status)
      << "prometheus: " << p.body << "\nstrata: " << s.body;
  const nlohmann::json pj = nlohmann::json::parse(p.body, nullptr, false);
  const nlohmann::json sj = nlohmann::json::parse(s.body, nullptr, false);
  EXPECT_EQ(sj, pj) << "prometheus: " << p.body << "\nstrata: " << s.body;
  return pj;
}

// Two more Prometheus servers that store nothing and read everything by
// remote read (`read_recent: true`, Prometheus's own remote-read client),
// one from the Prometheus of the pair, one from strata-server: the same
// query to both must answer the same, so a Prometheus federating reads
// from Strata sees what it sees from Prometheus. Each keeps its files in
// its own folder under `work_dir`.
class RemoteReadReaders {
 public:
  RemoteReadReaders(int prom_port, int strata_port, const std::string& work_dir,
                    const std::vector<std::string>& flags = {})
      : via_prometheus_(
            Start(prom_port, work_dir + "/read-via-prometheus", flags)),
        via_strata_(Start(strata_port, work_dir + "/read-via-strata", flags)) {}

  // Waits until both answer /-/ready.
  bool WaitReady() {
    return via_prometheus_->WaitReady() && via_strata_->WaitReady();
  }
  std::string logs() const {
    return via_prometheus_->log() + via_strata_->log();
  }

  // The same GET to both readers, as ExpectSameAnswer; returns the
  // answer of the one reading Prometheus.
  nlohmann::json ExpectSame(
      const std::string& path,
      const std::vector<std::pair<std::string, std::string>>& params) {
    return ExpectSameAnswer(via_prometheus_->port(), via_strata_->port(), path,
                            params);
  }

 private:
  static std::unique_ptr<strata::testing::PrometheusProcess> Start(
      int remote_port, const std::string& dir,
      const std::vector<std::string>& flags) {
    std::filesystem::create_directories(dir);
    const std::string config =
        "global:\n  scrape_interval: 15s\nremote_read:\n"
        "  - url: http://127.0.0.1:" +
        std::to_string(remote_port) + "/api/v1/read\n    read_recent: true\n";
    return std::make_unique<strata::testing::PrometheusProcess>(
        dir + "/data", config, dir, flags);
  }

  std::unique_ptr<strata::testing::PrometheusProcess> via_prometheus_;
  std::unique_ptr<strata::testing::PrometheusProcess> via_strata_;
};

}  // namespace strata::e2e

#endif  // STRATA_TESTS_E2E_DIFFERENTIAL_H_
