// The notifier: sends alerts to Alertmanagers over API v2, as Prometheus
// 2.42's notifier.Manager does (notifier/notifier.go).
//
// Send attaches external labels (an alert's own label of the same name
// wins), applies alert_relabel_configs (dropping what they drop) and
// appends to a bounded queue; when the queue would overflow, the oldest
// alerts are dropped and counted. One sender thread takes batches of up
// to kMaxBatchSize alerts from the queue and POSTs each batch, as one JSON
// array, to every configured Alertmanager concurrently
// (<scheme>://<target><path_prefix>/api/v2/alerts). A batch that no
// Alertmanager accepted (2xx) counts as dropped, also when there are no
// Alertmanagers; it is not retried (the rules resend firing alerts).
//
// Only API v2 over plain http for now: ApplyConfig rejects api_version v1
// (deprecated; Prometheus 2.42 still speaks it, Alertmanager 0.25 still serves
// it, but v2 is what both default to) and scheme https (until http_client has
// TLS).
//
// Thread-safety: every public method may be called from any thread.
#ifndef STRATA_NOTIFIER_MANAGER_H_
#define STRATA_NOTIFIER_MANAGER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "notifier/alert.h"
#include "relabel/relabel.h"
#include "strata/labels.h"
#include "strata/status.h"
#include "util/summary.h"

namespace strata::notifier {

// Alerts per POST, as Prometheus's maxBatchSize.
inline constexpr size_t kMaxBatchSize = 64;

// One alerting.alertmanagers entry (static_configs only).
struct AlertmanagerConfig {
  std::string scheme = "http";
  // "" or a path such as "/alertmanager"; joined as Go's path.Join.
  std::string path_prefix;
  // For each POST to one of these Alertmanagers.
  int64_t timeout_ms = 10000;
  std::string api_version = "v2";
  // static_configs targets, "host:port" ("host" alone: the scheme's port).
  std::vector<std::string> targets;

  friend bool operator==(const AlertmanagerConfig&,
                         const AlertmanagerConfig&) = default;
};

struct Options {
  // --alertmanager.notification-queue-capacity. Fixed by Create;
  // ApplyConfig ignores it (Prometheus's is a flag, not reloadable).
  size_t queue_capacity = 10000;
  // global.external_labels.
  Labels external_labels;
  // alerting.alert_relabel_configs.
  std::vector<relabel::Config> alert_relabel_configs;
  std::vector<AlertmanagerConfig> alertmanagers;
  // The User-Agent header of every POST.
  std::string user_agent = "Strata";
};

// The counters behind strata_notifications_* for one Alertmanager URL.
// Kept for every URL ever configured (Prometheus's metric vectors never
// forget a label value), so counters stay monotonic across reloads.
struct AlertmanagerStats {
  std::string url;  // "http://host:port/api/v2/alerts"
  // Alerts in the batches POSTed to it, successfully or not, as
  // Prometheus's prometheus_notifications_sent_total counts them.
  uint64_t sent_total = 0;
  // POSTs that failed (transport error, timeout, non-2xx status).
  uint64_t errors_total = 0;
  // prometheus_notifications_latency_seconds: every POST's duration in
  // seconds from the start of its batch; quantiles 0.5, 0.9 and 0.99 over
  // the last 8 to 10 minutes (util/summary.h).
  SummarySnapshot latency;
};

struct Stats {
  std::vector<AlertmanagerStats> alertmanagers;  // sorted by url
  uint64_t dropped_total = 0;                    // ..._dropped_total
  size_t queue_length = 0;                       // ..._queue_length
  size_t queue_capacity = 0;                     // ..._queue_capacity
  size_t alertmanagers_discovered = 0;           // ..._alertmanagers_discovered
};

class Manager {
 public:
  // Validates `options` (relabel configs, Alertmanager configs) and starts
  // the sender thread.
  static StatusOr<std::unique_ptr<Manager>> Create(Options options);
  ~Manager();  // Stop()
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Replaces external labels, relabel configs and Alertmanagers (reload).
  // On an error nothing changes. Queued alerts stay queued and go to the
  // new Alertmanagers.
  Status ApplyConfig(Options options);

  // Labels, relabels and enqueues `alerts`; never blocks on the network.
  // After Stop, alerts are dropped silently.
  void Send(std::vector<Alert> alerts);

  // The URLs alerts are POSTed to, in configuration order, deduplicated
  // within each alertmanagers entry (as Prometheus):
  // "http://127.0.0.1:9093/api/v2/alerts". For /api/v1/alertmanagers.
  std::vector<std::string> ActiveAlertmanagers() const;

  Stats GetStats() const;

  // Stops and joins the sender thread; a POST in flight finishes or times
  // out first. Queued alerts are not sent. Idempotent.
  void Stop();

 private:
  struct State;
  explicit Manager(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace strata::notifier

#endif  // STRATA_NOTIFIER_MANAGER_H_
