// Rule evaluation and notification in strata-server: the rules::Manager
// and the notifier::Manager, built from the configuration file and
// re-applied on every reload.
//
// A configuration is applied whole or not at all: every rule file it names
// is read and checked first (as promtool checks them), then the
// Alertmanager settings, and any error leaves the running configuration as
// it was. Rules start evaluating once the DB is open (Start); a
// configuration applied before that waits for it.
//
// Thread-safety: every method may be called from any thread; Apply, Start
// and Stop serialize with each other.
#ifndef STRATA_TOOLS_SERVER_ALERTING_H_
#define STRATA_TOOLS_SERVER_ALERTING_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config_file.h"
#include "notifier/manager.h"
#include "promql/engine.h"
#include "rules/manager.h"
#include "rules/rule_file.h"
#include "strata/db.h"
#include "strata/status.h"
#include "util/mutex.h"

namespace strata::server {

// What the flags fix for the process's life.
struct AlertingSettings {
  // For templates' externalURL and alerts' generatorURL.
  std::string external_url;
  int64_t outage_tolerance_ms = 60 * 60 * 1000;
  int64_t for_grace_period_ms = 10 * 60 * 1000;
  int64_t resend_delay_ms = 60 * 1000;
  size_t queue_capacity = 10000;
  // The rules' PromQL limits (the query API's).
  promql::EngineOptions engine;
};

class Alerting {
 public:
  // Starts the notifier, with no Alertmanagers until Apply.
  static StatusOr<std::unique_ptr<Alerting>> Create(AlertingSettings settings);
  ~Alerting();  // Stop()
  Alerting(const Alerting&) = delete;
  Alerting& operator=(const Alerting&) = delete;

  // Applies `config`: its rule files (rule_files globs), external labels,
  // evaluation interval, Alertmanagers and alert relabelling. On error
  // (a rule file that does not load, a bad relabel config) nothing
  // changes; the error names the file and every problem in it.
  Status Apply(const ConfigFile& config);

  // Starts evaluating the applied rules on `db` (not owned; open until
  // Stop). The first evaluation of each group restores `for` state from
  // ALERTS_FOR_STATE.
  void Start(DB* db);

  // Stops every group and the notifier. Idempotent.
  void Stop();

  // For the HTTP API and the metrics.
  std::vector<rules::GroupStatus> Groups() const;
  // Empty summaries until Start.
  rules::EvaluationDurations Durations() const;
  std::vector<std::string> Alertmanagers() const;
  notifier::Stats NotifierStats() const;

 private:
  using RuleFiles = std::vector<std::pair<std::string, rules::RuleFile>>;

  Alerting(AlertingSettings settings,
           std::unique_ptr<notifier::Manager> notifier);

  // Every rule file the patterns match, loaded and checked.
  static StatusOr<RuleFiles> LoadRuleFiles(
      const std::vector<std::string>& patterns);
  rules::ManagerOptions RuleOptions(const ConfigFile& config) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  notifier::Options NotifierOptions(const ConfigFile& config) const;
  // Hands the rules' alerts to the notifier.
  void Notify(std::vector<rules::Notification> notifications) const;

  // Constant after construction.
  const AlertingSettings settings_;
  const promql::Engine engine_;
  // Created by Create, never replaced; internally synchronized.
  const std::unique_ptr<notifier::Manager> notifier_;

  mutable Mutex mu_;
  DB* db_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  // The applied configuration's rules, for Start.
  RuleFiles rule_files_ ABSL_GUARDED_BY(mu_);
  rules::ManagerOptions rule_options_ ABSL_GUARDED_BY(mu_);
  // Null until Start. Internally synchronized; the pointer is guarded.
  std::unique_ptr<rules::Manager> rules_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata::server

#endif  // STRATA_TOOLS_SERVER_ALERTING_H_
