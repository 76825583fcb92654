// Differential checks for end-to-end tests that run strata-server beside a
// live Prometheus: the same request to both, the answers compared.
// gtest expectations; header-only (the tests that use it link
// nlohmann_json).
#ifndef STRATA_TESTS_E2E_DIFFERENTIAL_H_
#define STRATA_TESTS_E2E_DIFFERENTIAL_H_

#include <string>
#include <utility>
#include <vector>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
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

}  // namespace strata::e2e

#endif  // STRATA_TESTS_E2E_DIFFERENTIAL_H_
