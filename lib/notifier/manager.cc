#include "notifier/manager.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <thread>

#include "http_client/http_client.h"
#include "util/log.h"
#include "util/mutex.h"
#include "util/strings.h"
#include "util/summary.h"

namespace strata::notifier {
namespace {

using Clock = std::chrono::steady_clock;

// Prometheus's notifier latency summary (newAlertMetrics): objectives
// 0.5, 0.9 and 0.99, client_golang's default window.
SummaryOptions LatencySummaryOptions() {
  SummaryOptions options;
  options.quantiles = {0.5, 0.9, 0.99};
  return options;
}

// Go's path.Clean of an absolute path: no empty or "." elements, ".."
// removes the element before it.
std::string CleanPath(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? "" : path.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (std::string_view p : parts) CatTo(&out, "/", p);
  return out.empty() ? "/" : out;
}

// One Alertmanager: where to POST, and the connection the sender thread
// keeps to it (used by one thread at a time: one POST per batch).
struct Endpoint {
  std::string url;
  std::unique_ptr<http_client::Connection> connection;
  std::string target;  // the request target: path
};

// The Alertmanagers of one configuration, replaced as a whole by
// ApplyConfig; the sender keeps the set it took until its batch is done.
struct EndpointSet {
  std::vector<std::unique_ptr<Endpoint>> endpoints;
};

StatusOr<std::shared_ptr<EndpointSet>> NewEndpointSet(
    const std::vector<AlertmanagerConfig>& configs) {
  auto set = std::make_shared<EndpointSet>();
  for (const AlertmanagerConfig& c : configs) {
    if (c.api_version != "v2") {
      return Status::InvalidArgument(Cat("Alertmanager API version ",
                                         GoQuoted(c.api_version),
                                         " is not supported: only v2 is"));
    }
    if (c.scheme != "http") {
      return Status::NotSupported(Cat("Alertmanager scheme ",
                                      GoQuoted(c.scheme),
                                      " is not supported yet: only http is"));
    }
    const std::string path =
        CleanPath(Cat("/", c.path_prefix, "/api/", c.api_version, "/alerts"));
    std::vector<std::string> seen;  // URLs, deduplicated per entry
    for (const std::string& target : c.targets) {
      if (target.find('/') != std::string::npos) {
        return Status::InvalidArgument(
            Cat(GoQuoted(target), " is not a valid hostname"));
      }
      const std::string url = Cat(c.scheme, "://", target, path);
      if (std::find(seen.begin(), seen.end(), url) != seen.end()) continue;
      seen.push_back(url);
      STRATA_ASSIGN_OR_RETURN(http_client::Url parsed,
                              http_client::ParseUrl(url));
      http_client::Options options;
      options.timeout = std::chrono::milliseconds(c.timeout_ms);
      auto endpoint = std::make_unique<Endpoint>();
      endpoint->url = url;
      endpoint->target = parsed.path_prefix;
      endpoint->connection = std::make_unique<http_client::Connection>(
          parsed.host, parsed.port, options);
      set->endpoints.push_back(std::move(endpoint));
    }
  }
  return set;
}

// Counters of one URL (what AlertmanagerStats reports).
struct UrlStats {
  uint64_t sent_total = 0;
  uint64_t errors_total = 0;
  Summary latency{LatencySummaryOptions()};
};

}  // namespace

// Lock order: mu before stats_mu (GetStats takes both).
struct Manager::State {
  // Constant after construction.
  size_t queue_capacity = 0;

  mutable Mutex mu;
  CondVar more;  // signalled when the queue gains alerts, and on Stop
  bool stopped ABSL_GUARDED_BY(mu) = false;
  std::deque<Alert> queue ABSL_GUARDED_BY(mu);
  Labels external_labels ABSL_GUARDED_BY(mu);
  relabel::Relabeler relabeler ABSL_GUARDED_BY(mu);
  std::string user_agent ABSL_GUARDED_BY(mu);
  std::shared_ptr<EndpointSet> endpoints ABSL_GUARDED_BY(mu);

  mutable Mutex stats_mu;
  std::map<std::string, UrlStats> url_stats ABSL_GUARDED_BY(stats_mu);
  uint64_t dropped_total ABSL_GUARDED_BY(stats_mu) = 0;

  std::thread sender;

  void Run();
  // POSTs `batch` to every endpoint; true if one accepted it.
  bool SendAll(const std::vector<Alert>& batch, const EndpointSet& set,
               const std::string& user_agent);
  // One POST; updates that URL's stats.
  bool SendOne(Endpoint* endpoint, const std::string& payload,
               const std::string& user_agent, size_t count,
               Clock::time_point begin);
  void CountDropped(size_t n) {
    MutexLock l(&stats_mu);
    dropped_total += n;
  }
  // Creates the URLs' counters at 0, as Prometheus does on sync.
  void InitStats(const EndpointSet& set) {
    MutexLock l(&stats_mu);
    for (const auto& e : set.endpoints) url_stats[e->url];
  }
};

void Manager::State::Run() {
  while (true) {
    std::vector<Alert> batch;
    std::shared_ptr<EndpointSet> set;
    std::string agent;
    {
      MutexLock l(&mu);
      while (!stopped && queue.empty()) more.Wait(&mu);
      if (stopped) return;
      const size_t n = std::min(queue.size(), kMaxBatchSize);
      batch.assign(std::make_move_iterator(queue.begin()),
                   std::make_move_iterator(queue.begin() + n));
      queue.erase(queue.begin(), queue.begin() + n);
      set = endpoints;
      agent = user_agent;
    }
    if (!SendAll(batch, *set, agent)) CountDropped(batch.size());
  }
}

bool Manager::State::SendAll(const std::vector<Alert>& batch,
                             const EndpointSet& set,
                             const std::string& user_agent) {
  if (batch.empty()) return true;
  const Clock::time_point begin = Clock::now();
  const std::string payload = EncodePostableAlerts(batch);
  const size_t n = set.endpoints.size();
  if (n == 1) {
    return SendOne(set.endpoints[0].get(), payload, user_agent, batch.size(),
                   begin);
  }
  std::vector<char> ok(n, 0);
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      ok[i] = SendOne(set.endpoints[i].get(), payload, user_agent, batch.size(),
                      begin);
    });
  }
  for (std::thread& t : threads) t.join();
  return std::find(ok.begin(), ok.end(), 1) != ok.end();
}

bool Manager::State::SendOne(Endpoint* endpoint, const std::string& payload,
                             const std::string& user_agent, size_t count,
                             Clock::time_point begin) {
  http_client::Request request;
  request.method = "POST";
  request.target = endpoint->target;
  request.headers = {{"User-Agent", user_agent},
                     {"Content-Type", "application/json"}};
  request.body = payload;
  Status status;
  auto response = endpoint->connection->Send(request);
  if (!response.ok()) {
    status = response.status();
  } else if (response->status / 100 != 2) {
    status = Status::Unavailable(Cat("bad response status ", response->status,
                                     ": ", response->body.substr(0, 256)));
  }
  const double seconds =
      std::chrono::duration<double>(Clock::now() - begin).count();
  if (!status.ok()) {
    STRATA_LOG(kError, "Error sending alert",
               {{"alertmanager", endpoint->url},
                {"count", std::to_string(count)},
                {"err", status.ToString()}});
  }
  MutexLock l(&stats_mu);
  UrlStats& s = url_stats[endpoint->url];
  s.sent_total += count;
  if (!status.ok()) ++s.errors_total;
  s.latency.Observe(seconds);
  return status.ok();
}

StatusOr<std::unique_ptr<Manager>> Manager::Create(Options options) {
  auto state = std::make_unique<State>();
  state->queue_capacity = options.queue_capacity;
  {
    MutexLock l(&state->mu);
    state->endpoints = std::make_shared<EndpointSet>();
  }
  std::unique_ptr<Manager> manager(new Manager(std::move(state)));
  STRATA_RETURN_IF_ERROR(manager->ApplyConfig(std::move(options)));
  State* s = manager->state_.get();
  s->sender = std::thread([s] { s->Run(); });
  return manager;
}

Manager::Manager(std::unique_ptr<State> state) : state_(std::move(state)) {}

Manager::~Manager() { Stop(); }

Status Manager::ApplyConfig(Options options) {
  STRATA_ASSIGN_OR_RETURN(
      relabel::Relabeler relabeler,
      relabel::Relabeler::Compile(std::move(options.alert_relabel_configs)));
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<EndpointSet> endpoints,
                          NewEndpointSet(options.alertmanagers));
  state_->InitStats(*endpoints);
  MutexLock l(&state_->mu);
  state_->external_labels = std::move(options.external_labels);
  state_->relabeler = std::move(relabeler);
  state_->user_agent = std::move(options.user_agent);
  state_->endpoints = std::move(endpoints);
  return Status::OK();
}

void Manager::Send(std::vector<Alert> alerts) {
  State& s = *state_;
  MutexLock l(&s.mu);
  if (s.stopped) return;
  std::vector<Alert> kept;
  kept.reserve(alerts.size());
  for (Alert& a : alerts) {
    if (!s.external_labels.empty()) {
      std::vector<Label> merged = a.labels.pairs();
      for (const Label& e : s.external_labels) {
        if (!a.labels.Has(e.name)) merged.push_back(e);
      }
      a.labels = Labels::FromUnchecked(std::move(merged));
    }
    if (s.relabeler.Process(&a.labels)) kept.push_back(std::move(a));
  }
  if (kept.empty()) return;
  size_t dropped = 0;
  if (kept.size() > s.queue_capacity) {
    const size_t d = kept.size() - s.queue_capacity;
    kept.erase(kept.begin(), kept.begin() + d);
    STRATA_LOG(kWarn, "Alert batch larger than queue capacity, dropping alerts",
               {{"num_dropped", std::to_string(d)}});
    dropped += d;
  }
  if (s.queue.size() + kept.size() > s.queue_capacity) {
    const size_t d = s.queue.size() + kept.size() - s.queue_capacity;
    s.queue.erase(s.queue.begin(), s.queue.begin() + d);
    STRATA_LOG(kWarn, "Alert notification queue full, dropping alerts",
               {{"num_dropped", std::to_string(d)}});
    dropped += d;
  }
  for (Alert& a : kept) s.queue.push_back(std::move(a));
  if (dropped > 0) s.CountDropped(dropped);
  s.more.Signal();
}

std::vector<std::string> Manager::ActiveAlertmanagers() const {
  MutexLock l(&state_->mu);
  std::vector<std::string> urls;
  for (const auto& e : state_->endpoints->endpoints) urls.push_back(e->url);
  return urls;
}

Stats Manager::GetStats() const {
  State& s = *state_;
  Stats out;
  out.queue_capacity = s.queue_capacity;
  MutexLock l(&s.mu);
  out.queue_length = s.queue.size();
  out.alertmanagers_discovered = s.endpoints->endpoints.size();
  MutexLock sl(&s.stats_mu);
  out.dropped_total = s.dropped_total;
  for (const auto& [url, u] : s.url_stats) {
    AlertmanagerStats a;
    a.url = url;
    a.sent_total = u.sent_total;
    a.errors_total = u.errors_total;
    a.latency = u.latency.Snapshot();
    out.alertmanagers.push_back(std::move(a));
  }
  return out;
}

void Manager::Stop() {
  {
    MutexLock l(&state_->mu);
    if (state_->stopped) return;
    state_->stopped = true;
    state_->more.SignalAll();
  }
  if (state_->sender.joinable()) state_->sender.join();
}

}  // namespace strata::notifier
