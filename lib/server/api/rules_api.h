// RulesApi: Prometheus 2.42's rule, alert and configuration endpoints:
//   GET /api/v1/rules[?type=alert|record]   rule groups, their rules' health
//                                           and active alerts
//   GET /api/v1/alerts                      every active alert
//   GET /api/v1/alertmanagers               where alerts are sent
//   GET /api/v1/status/config               the configuration text
// with Prometheus's JSON (rules_json.h) inside the API envelope. A `type`
// other than alert or record (case-insensitive) is bad_data `invalid
// parameter "type": not supported value "<type>"`. Like the rest of
// /api/v1, they answer 503 until the server is ready.
//
// The data comes through the providers in RulesApiOptions, so the handler
// knows neither the rule manager nor the notifier (tools/strata-server
// wires them) and tests feed it hand-built snapshots.
//
// Thread-safety: RegisterRoutes once before serving; handlers run
// concurrently and call the providers concurrently.
#ifndef STRATA_SERVER_API_RULES_API_H_
#define STRATA_SERVER_API_RULES_API_H_

#include <functional>
#include <string>
#include <vector>

#include "rules/rule_group.h"
#include "server/http/cross_origin.h"
#include "server/http/http.h"
#include "server/http/router.h"

namespace strata::server {

struct RulesApiOptions {
  // The rule groups now (rules::Manager::Groups). Unset: no groups.
  std::function<std::vector<rules::GroupStatus>()> groups;
  // The Alertmanager URLs alerts go to (notifier::Manager::
  // ActiveAlertmanagers). Unset: none.
  std::function<std::vector<std::string>()> alertmanagers;
  // The text /api/v1/status/config shows (the loaded configuration file).
  // Unset: "".
  std::function<std::string()> config_yaml;
  // False while the server is starting: endpoints answer 503.
  std::function<bool()> ready;
  // --web.cors.origin: the CORS headers of every endpoint's response.
  CrossOriginPolicy cross_origin{};
};

class RulesApi {
 public:
  explicit RulesApi(RulesApiOptions options);

  void RegisterRoutes(Router* router);

  // The endpoints, public for tests (readiness is checked by the routes).
  Response Rules(const Request& request) const;
  Response Alerts(const Request& request) const;
  Response Alertmanagers(const Request& request) const;
  Response Config(const Request& request) const;

 private:
  std::vector<rules::GroupStatus> Groups() const;

  // Constant after construction.
  const RulesApiOptions options_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_API_RULES_API_H_
