#include "rules/alerting_rule.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "template/expander.h"
#include "util/duration.h"
#include "util/log.h"
#include "util/strings.h"

namespace strata::rules {

namespace {

std::map<std::string, std::string> LabelsToMap(const Labels& labels) {
  std::map<std::string, std::string> out;
  for (const Label& l : labels) out.emplace(l.name, l.value);
  return out;
}

Labels MapToLabels(const std::map<std::string, std::string>& map) {
  std::vector<Label> out;
  out.reserve(map.size());
  for (const auto& [name, value] : map) out.push_back({name, value});
  return Labels::FromUnchecked(std::move(out));
}

// labels.Builder.Set: an empty value deletes the label.
void SetLabel(std::map<std::string, std::string>* labels,
              const std::string& name, std::string value) {
  if (value.empty()) {
    labels->erase(name);
  } else {
    (*labels)[name] = std::move(value);
  }
}

// Go's time.Time.Unix() of a millisecond time: floor division.
int64_t UnixSeconds(int64_t ms) {
  return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

// The templates' `query` function at the evaluation time: Prometheus's
// EngineQueryFunc, its samples as the template module takes them.
tmpl::QueryFunc TemplateQuery(const QueryContext& ctx) {
  return [ctx](std::string_view query) -> StatusOr<std::vector<tmpl::Sample>> {
    StatusOr<promql::Vector> result = QueryVector(ctx, query);
    if (!result.ok()) return result.status();
    std::vector<tmpl::Sample> out;
    out.reserve(result->size());
    for (const promql::Sample& s : *result) {
      out.push_back(tmpl::Sample{LabelsToMap(s.metric), s.v});
    }
    return out;
  };
}

}  // namespace

struct AlertingRule::Pending {
  Labels labels;
  Labels annotations;
  double value = 0;
};

AlertingRule::AlertingRule(std::string alert, promql::ExprPtr expr,
                           AlertingRuleOptions options)
    : Rule(std::move(alert), std::move(expr), options.labels),
      options_(std::move(options)),
      restored_(options_.restored) {}

std::string AlertingRule::Definition() const {
  return Cat("alert: ", name(), "\nexpr: ", query(),
             "\nfor: ", FormatDuration(options_.for_ms),
             "\nkeep_firing_for: ", FormatDuration(options_.keep_firing_for_ms),
             "\nlabels: ", PairsToLabels(label_pairs()).ToString(),
             "\nannotations: ", PairsToLabels(options_.annotations).ToString(),
             "\n");
}

StatusOr<std::vector<AlertingRule::Pending>> AlertingRule::BuildAlerts(
    const QueryContext& ctx, const promql::Vector& samples) {
  std::vector<Pending> out;
  out.reserve(samples.size());
  std::set<Labels> seen;
  for (const promql::Sample& sample : samples) {
    tmpl::AlertData data;
    data.labels = LabelsToMap(sample.metric);
    data.external_labels = LabelsToMap(options_.external_labels);
    data.external_url = options_.external_url;
    data.manager_external_url_unset = options_.manager_external_url_unset;
    data.value = sample.v;
    auto expand = [&](const std::string& text) -> std::string {
      // Text without an action expands to itself; skip the engine.
      if (text.find("{{") == std::string::npos) return text;
      return tmpl::ExpandAlertTemplate(name(), text, data, TemplateQuery(ctx));
    };
    std::map<std::string, std::string> labels = data.labels;
    labels.erase(std::string(kMetricNameLabel));
    for (const auto& [label, text] : label_pairs()) {
      SetLabel(&labels, label, expand(text));
    }
    labels[std::string(kAlertNameLabel)] = name();
    std::map<std::string, std::string> annotations;
    for (const auto& [annotation, text] : options_.annotations) {
      annotations[annotation] = expand(text);
    }
    Pending pending{MapToLabels(labels), MapToLabels(annotations), sample.v};
    if (!seen.insert(pending.labels).second) {
      return Status::FailedPrecondition(
          "vector contains metrics with the same labelset after applying "
          "alert labels");
    }
    out.push_back(std::move(pending));
  }
  return out;
}

StatusOr<promql::Vector> AlertingRule::Eval(const QueryContext& ctx,
                                            int64_t limit) {
  StatusOr<promql::Vector> result = QueryVector(ctx, expr());
  if (!result.ok()) return result.status();
  StatusOr<std::vector<Pending>> current = BuildAlerts(ctx, *result);
  if (!current.ok()) return current.status();
  MutexLock lock(&mu_);
  return Advance(std::move(*current), ctx.ts_ms, limit);
}

StatusOr<promql::Vector> AlertingRule::Advance(std::vector<Pending> current,
                                               int64_t ts_ms, int64_t limit) {
  std::set<Labels> in_result;
  for (Pending& p : current) {
    in_result.insert(p.labels);
    auto it = active_.find(p.labels);
    if (it != active_.end() && it->second.state != AlertState::kInactive) {
      it->second.value = p.value;
      it->second.annotations = std::move(p.annotations);
      continue;
    }
    Alert alert;
    alert.state = AlertState::kPending;
    alert.labels = p.labels;
    alert.annotations = std::move(p.annotations);
    alert.value = p.value;
    alert.active_at_ms = ts_ms;
    active_.insert_or_assign(std::move(p.labels), std::move(alert));
  }

  promql::Vector out;
  int64_t active_pending = 0;
  for (auto it = active_.begin(); it != active_.end();) {
    Alert& a = it->second;
    if (!in_result.contains(it->first)) {
      bool keep_firing = false;
      if (a.state == AlertState::kFiring && options_.keep_firing_for_ms > 0) {
        if (!a.keep_firing_since_ms) a.keep_firing_since_ms = ts_ms;
        keep_firing =
            ts_ms - *a.keep_firing_since_ms < options_.keep_firing_for_ms;
      }
      const bool drop = a.state == AlertState::kPending ||
                        (a.resolved_at_ms &&
                         ts_ms - *a.resolved_at_ms > kResolvedRetentionMs);
      if (a.state != AlertState::kInactive && !keep_firing) {
        a.state = AlertState::kInactive;
        a.resolved_at_ms = ts_ms;
      }
      if (!keep_firing) {
        it = drop ? active_.erase(it) : std::next(it);
        continue;
      }
    } else {
      a.keep_firing_since_ms.reset();
    }
    ++active_pending;
    if (a.state == AlertState::kPending &&
        ts_ms - a.active_at_ms >= options_.for_ms) {
      a.state = AlertState::kFiring;
      a.fired_at_ms = ts_ms;
    }
    if (restored_) {
      out.push_back({SeriesLabels(a, kAlertMetricName, true), ts_ms, 1});
      out.push_back({SeriesLabels(a, kAlertForStateMetricName, false), ts_ms,
                     static_cast<double>(UnixSeconds(a.active_at_ms))});
    }
    ++it;
  }
  if (limit > 0 && active_pending > limit) {
    active_.clear();
    return Status::FailedPrecondition(
        Cat("exceeded limit of ", limit, " with ", active_pending, " alerts"));
  }
  return out;
}

Labels AlertingRule::SeriesLabels(const Alert& alert, std::string_view metric,
                                  bool with_state) const {
  // As Prometheus: the rule's labels as written (templates unexpanded),
  // the alert's labels over them.
  std::map<std::string, std::string> labels;
  for (const auto& [name, value] : label_pairs())
    SetLabel(&labels, name, value);
  for (const Label& l : alert.labels) labels[l.name] = l.value;
  labels[std::string(kMetricNameLabel)] = std::string(metric);
  labels[std::string(kAlertNameLabel)] = name();
  if (with_state) {
    labels[std::string(kAlertStateLabel)] =
        std::string(AlertStateName(alert.state));
  }
  return MapToLabels(labels);
}

RuleStatus AlertingRule::Snapshot() const {
  RuleStatus s = Rule::Snapshot();
  s.annotations = PairsToLabels(options_.annotations);
  s.for_ms = options_.for_ms;
  s.keep_firing_for_ms = options_.keep_firing_for_ms;
  MutexLock lock(&mu_);
  for (const auto& [labels, alert] : active_) {
    s.state = std::max(s.state, alert.state);
    if (!alert.resolved_at_ms) s.alerts.push_back(alert);
  }
  return s;
}

std::vector<Notification> AlertingRule::AlertsToSend(int64_t ts_ms,
                                                     int64_t resend_delay_ms,
                                                     int64_t interval_ms) {
  std::vector<Notification> out;
  MutexLock lock(&mu_);
  for (auto& [labels, a] : active_) {
    // Prometheus's needsSending.
    if (a.state == AlertState::kPending) continue;
    const bool resolved_since_sent =
        a.resolved_at_ms &&
        (!a.last_sent_ms || *a.resolved_at_ms > *a.last_sent_ms);
    if (!resolved_since_sent && a.last_sent_ms &&
        *a.last_sent_ms + resend_delay_ms >= ts_ms) {
      continue;
    }
    a.last_sent_ms = ts_ms;
    // Allow for two evaluation or Alertmanager send failures.
    a.valid_until_ms = ts_ms + 4 * std::max(interval_ms, resend_delay_ms);
    Notification n;
    n.labels = a.labels;
    n.annotations = a.annotations;
    n.starts_at_ms = a.fired_at_ms.value_or(0);
    n.ends_at_ms = a.resolved_at_ms ? *a.resolved_at_ms : *a.valid_until_ms;
    n.generator_url =
        Cat(options_.external_url, "/graph?g0.expr=", GoQueryEscape(query()),
            "&g0.tab=1");
    out.push_back(std::move(n));
  }
  return out;
}

void AlertingRule::RestoreForState(Querier& querier, int64_t ts_ms,
                                   int64_t for_grace_period_ms) {
  MutexLock lock(&mu_);
  const int64_t hold = options_.for_ms;
  if (hold < for_grace_period_ms) {
    // It would wait for the grace period otherwise; it waits `for` instead.
    restored_ = true;
    return;
  }
  for (auto& [labels, a] : active_) {
    const Labels series = SeriesLabels(a, kAlertForStateMetricName, false);
    std::vector<Matcher> matchers;
    for (const Label& l : series)
      matchers.push_back(Matcher::Equal(l.name, l.value));
    std::unique_ptr<SeriesSet> set = querier.Select(matchers);
    std::optional<std::pair<int64_t, double>> last;
    strata::Status status;
    while (set->Next()) {
      if (set->At().labels() != series) continue;
      std::unique_ptr<SampleIterator> it = set->At().NewIterator();
      while (it->Next()) last = {it->t(), it->v()};
      status = it->status();
      break;
    }
    if (status.ok()) status = set->status();
    if (!status.ok()) {
      STRATA_LOG(
          kError, "Failed to restore 'for' state",
          {{"alertname", name()}, {"err", std::string(status.message())}});
      continue;
    }
    if (!last || promql::IsStaleNaN(last->second)) continue;  // Not active.
    const int64_t down_at_ms = last->first / 1000 * 1000;
    int64_t restored_active_at_ms = promql::GoInt64(last->second) * 1000;
    const int64_t time_remaining_pending =
        hold - (down_at_ms - restored_active_at_ms);
    if (time_remaining_pending <= 0) {
      // It was firing when the server went down; the next evaluation makes
      // it fire again if the condition still holds.
    } else if (time_remaining_pending < for_grace_period_ms) {
      // Fire exactly one grace period from now.
      restored_active_at_ms = ts_ms + for_grace_period_ms - hold;
    } else {
      // Extend the pending time by the downtime.
      restored_active_at_ms += ts_ms - down_at_ms;
    }
    a.active_at_ms = restored_active_at_ms;
  }
  restored_ = true;
}

void AlertingRule::SetRestored(bool restored) {
  MutexLock lock(&mu_);
  restored_ = restored;
}

bool AlertingRule::restored() const {
  MutexLock lock(&mu_);
  return restored_;
}

void AlertingRule::CopyAlertsFrom(const AlertingRule& from) {
  if (&from == this) return;
  std::map<Labels, Alert> alerts;
  {
    MutexLock lock(&from.mu_);
    alerts = from.active_;
  }
  MutexLock lock(&mu_);
  for (auto& [labels, alert] : alerts) active_.insert_or_assign(labels, alert);
}

}  // namespace strata::rules
