#include "alerting.h"

#include "util/log.h"

namespace strata::server {

StatusOr<std::unique_ptr<Alerting>> Alerting::Create(
    AlertingSettings settings) {
  notifier::Options options;
  options.queue_capacity = settings.queue_capacity;
  StatusOr<std::unique_ptr<notifier::Manager>> notifier =
      notifier::Manager::Create(std::move(options));
  if (!notifier.ok()) return notifier.status();
  return std::unique_ptr<Alerting>(
      new Alerting(std::move(settings), std::move(*notifier)));
}

Alerting::Alerting(AlertingSettings settings,
                   std::unique_ptr<notifier::Manager> notifier)
    : settings_(std::move(settings)),
      engine_(settings_.engine),
      notifier_(std::move(notifier)) {}

Alerting::~Alerting() { Stop(); }

StatusOr<Alerting::RuleFiles> Alerting::LoadRuleFiles(
    const std::vector<std::string>& patterns) {
  StatusOr<std::vector<std::string>> paths = ExpandRuleFiles(patterns);
  if (!paths.ok()) return paths.status();
  RuleFiles files;
  for (const std::string& path : *paths) {
    StatusOr<rules::RuleFile> file = rules::LoadRuleFile(path);
    if (!file.ok()) return file.status();
    files.emplace_back(path, std::move(*file));
  }
  return files;
}

rules::ManagerOptions Alerting::RuleOptions(const ConfigFile& config) const {
  rules::ManagerOptions options;
  options.db = db_;
  options.engine = &engine_;
  options.default_interval_ms = config.global.evaluation_interval_ms;
  options.external_labels = config.global.external_labels;
  options.external_url = settings_.external_url;
  options.outage_tolerance_ms = settings_.outage_tolerance_ms;
  options.for_grace_period_ms = settings_.for_grace_period_ms;
  options.resend_delay_ms = settings_.resend_delay_ms;
  options.notify = [this](std::vector<rules::Notification> notifications) {
    Notify(std::move(notifications));
  };
  return options;
}

notifier::Options Alerting::NotifierOptions(const ConfigFile& config) const {
  notifier::Options options;
  options.queue_capacity = settings_.queue_capacity;
  options.external_labels = config.global.external_labels;
  options.alert_relabel_configs = config.alert_relabel_configs;
  options.alertmanagers = config.alertmanagers;
  return options;
}

Status Alerting::Apply(const ConfigFile& config) {
  StatusOr<RuleFiles> files = LoadRuleFiles(config.rule_files);
  if (!files.ok()) return files.status();
  MutexLock lock(&mu_);
  if (stopped_) return Status::FailedPrecondition("alerting is stopped");
  rules::ManagerOptions rule_options = RuleOptions(config);
  if (Status st = notifier_->ApplyConfig(NotifierOptions(config)); !st.ok()) {
    return st;
  }
  if (rules_ != nullptr) {
    // The rule files passed promtool's checks, so their expressions parse
    // and Update does not fail on them.
    if (Status st = rules_->Update(*files, rule_options); !st.ok()) return st;
  }
  rule_files_ = std::move(*files);
  rule_options_ = std::move(rule_options);
  return Status::OK();
}

void Alerting::Start(DB* db) {
  MutexLock lock(&mu_);
  if (stopped_ || rules_ != nullptr) return;
  db_ = db;
  rule_options_.db = db;
  rules_ = std::make_unique<rules::Manager>(rule_options_);
  if (Status st = rules_->Update(rule_files_, rule_options_); !st.ok()) {
    STRATA_LOG(kError, "Error starting rule evaluation",
               {{"err", st.ToString()}});
  }
}

void Alerting::Stop() {
  std::unique_ptr<rules::Manager> rules;
  {
    MutexLock lock(&mu_);
    stopped_ = true;
    rules = std::move(rules_);
  }
  if (rules != nullptr) rules->Stop();
  notifier_->Stop();
}

std::vector<rules::GroupStatus> Alerting::Groups() const {
  MutexLock lock(&mu_);
  if (rules_ == nullptr) return {};
  return rules_->Groups();
}

rules::EvaluationDurations Alerting::Durations() const {
  MutexLock lock(&mu_);
  if (rules_ == nullptr) return rules::EvaluationSummaries().Snapshot();
  return rules_->Durations();
}

std::vector<std::string> Alerting::Alertmanagers() const {
  return notifier_->ActiveAlertmanagers();
}

notifier::Stats Alerting::NotifierStats() const {
  return notifier_->GetStats();
}

void Alerting::Notify(std::vector<rules::Notification> notifications) const {
  std::vector<notifier::Alert> alerts;
  alerts.reserve(notifications.size());
  for (rules::Notification& n : notifications) {
    notifier::Alert alert;
    alert.labels = std::move(n.labels);
    alert.annotations = std::move(n.annotations);
    alert.starts_at_ms = n.starts_at_ms;
    alert.ends_at_ms = n.ends_at_ms;
    alert.generator_url = std::move(n.generator_url);
    alerts.push_back(std::move(alert));
  }
  notifier_->Send(std::move(alerts));
}

}  // namespace strata::server
