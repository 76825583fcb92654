#include "rules/manager.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <utility>

#include "util/log.h"
#include "util/strings.h"

namespace strata::rules {

namespace {

int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A stop flag that wakes a sleeping thread.
class StopSignal {
 public:
  // Sleeps until the wall clock reaches `deadline_ns`; false if stopped.
  bool SleepUntil(int64_t deadline_ns) {
    MutexLock lock(&mu_);
    const absl::Time deadline = absl::FromUnixNanos(deadline_ns);
    while (!stopped_ && absl::Now() < deadline) {
      cv_.WaitWithDeadline(&mu_, deadline);
    }
    return !stopped_;
  }
  void Stop() {
    MutexLock lock(&mu_);
    stopped_ = true;
    cv_.SignalAll();
  }

 private:
  Mutex mu_;
  CondVar cv_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

// Runs one group as Prometheus's Group.run: the first evaluation at the
// group's next slot, then one per interval; after a start, for-state is
// restored once the second evaluation is done.
class Manager::GroupRunner {
 public:
  GroupRunner(std::unique_ptr<RuleGroup> group, bool restore)
      : group_(std::move(group)), restore_(restore) {}
  ~GroupRunner() { Stop(); }

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  // Waits for an evaluation in progress. Idempotent.
  void Stop() {
    stop_.Stop();
    if (thread_.joinable()) thread_.join();
  }
  RuleGroup& group() { return *group_; }
  std::unique_ptr<RuleGroup> TakeGroup() { return std::move(group_); }

 private:
  void Run() {
    const int64_t interval_ns = group_->interval_ms() * 1000000;
    int64_t eval_ns = group_->EvalTimestampNs(WallNowNs()) + interval_ns;
    if (!stop_.SleepUntil(eval_ns)) return;
    Iterate(eval_ns);
    if (restore_) {
      // The first evaluation may have run before enough data arrived and
      // before recording rules updated; restore after the second.
      if (!NextTick(interval_ns, &eval_ns)) return;
      Iterate(eval_ns);
      group_->RestoreForState(WallNowNs() / 1000000);
    }
    while (NextTick(interval_ns, &eval_ns)) Iterate(eval_ns);
  }

  // Waits for the tick after `*eval_ns` and advances it past the slots
  // missed meanwhile (counted, not run). False if stopped.
  bool NextTick(int64_t interval_ns, int64_t* eval_ns) {
    if (!stop_.SleepUntil(*eval_ns + interval_ns)) return false;
    const int64_t missed = (WallNowNs() - *eval_ns) / interval_ns - 1;
    if (missed > 0) {
      group_->AddIterations(static_cast<uint64_t>(missed),
                            static_cast<uint64_t>(missed));
    }
    *eval_ns += (std::max<int64_t>(missed, 0) + 1) * interval_ns;
    return true;
  }

  void Iterate(int64_t eval_ns) {
    group_->AddIterations(1, 0);
    group_->Eval(eval_ns / 1000000);
  }

  std::unique_ptr<RuleGroup> group_;
  const bool restore_;
  StopSignal stop_;
  std::thread thread_;
};

// A group removed by a reload: two intervals later (time for a renamed
// rule to write its new series) its series get staleness markers stamped
// with the removal time, unless the manager stops first.
class Manager::StaleMarker {
 public:
  StaleMarker(std::unique_ptr<RuleGroup> group, int64_t removed_ms)
      : group_(std::move(group)) {
    thread_ = std::thread([this, removed_ms] {
      const int64_t wait_ns = 2 * group_->interval_ms() * 1000000;
      if (stop_.SleepUntil(WallNowNs() + wait_ns)) {
        group_->MarkAllSeriesStale(removed_ms);
      }
      done_.store(true);
    });
  }
  ~StaleMarker() { Cancel(); }
  void Cancel() {
    stop_.Stop();
    if (thread_.joinable()) thread_.join();
  }
  bool done() const { return done_.load(); }

 private:
  std::unique_ptr<RuleGroup> group_;
  StopSignal stop_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

Manager::Manager(ManagerOptions options) : options_(std::move(options)) {}

Manager::~Manager() { Stop(); }

strata::Status Manager::Update(
    const std::vector<std::pair<std::string, RuleFile>>& files,
    ManagerOptions options) {
  MutexLock lock(&mu_);
  if (stopped_) return Status::FailedPrecondition("rule manager stopped");
  std::map<std::string, std::unique_ptr<RuleGroup>> loaded;
  for (const auto& [file, content] : files) {
    for (const RuleGroupSpec& spec : content.groups) {
      GroupOptions g;
      g.db = options.db;
      g.engine = options.engine;
      g.interval_ms = options.default_interval_ms;
      g.external_labels = options.external_labels;
      g.external_url = options.external_url;
      g.outage_tolerance_ms = options.outage_tolerance_ms;
      g.for_grace_period_ms = options.for_grace_period_ms;
      g.resend_delay_ms = options.resend_delay_ms;
      g.notify = options.notify;
      g.restore_for_state = !restored_;
      g.summaries = &summaries_;
      // Only a ticker needs a positive interval: promtool's unit tests
      // evaluate a group of interval 0 (a test without `interval`).
      StatusOr<std::unique_ptr<RuleGroup>> group =
          spec.interval_ms == 0 && g.interval_ms <= 0
              ? Status::InvalidArgument("rule group interval must be positive")
              : RuleGroup::Create(file, spec, std::move(g));
      if (!group.ok()) {
        STRATA_LOG(kError, "loading groups failed",
                   {{"err", std::string(group.status().message())}});
        return group.status();
      }
      loaded[Cat(file, ";", spec.name)] = std::move(*group);
    }
  }
  const bool restore = !restored_;
  restored_ = true;
  options_ = std::move(options);

  std::map<std::string, std::unique_ptr<GroupRunner>> running;
  for (auto& [key, group] : loaded) {
    std::unique_ptr<GroupRunner> old;
    if (auto it = groups_.find(key); it != groups_.end()) {
      old = std::move(it->second);
      groups_.erase(it);
    }
    if (old != nullptr && old->group().Equals(*group)) {
      running[key] = std::move(old);  // Unchanged: keeps running.
      continue;
    }
    if (old != nullptr) {
      old->Stop();
      group->CopyStateFrom(old->group());
    }
    auto runner = std::make_unique<GroupRunner>(std::move(group), restore);
    runner->Start();
    running[key] = std::move(runner);
  }
  // Groups no longer configured.
  std::erase_if(stale_markers_, [](const std::unique_ptr<StaleMarker>& m) {
    return m->done();
  });
  for (auto& [key, old] : groups_) {
    old->Stop();
    // Read after the stop, as Prometheus does: an evaluation that began
    // before it may have written samples stamped later than a time read
    // before, which would make the markers out of order (refused).
    const int64_t removed_ms = WallNowNs() / 1000000;
    stale_markers_.push_back(
        std::make_unique<StaleMarker>(old->TakeGroup(), removed_ms));
  }
  groups_ = std::move(running);
  return strata::Status::OK();
}

std::vector<GroupStatus> Manager::Groups() const {
  std::vector<GroupStatus> out;
  MutexLock lock(&mu_);
  out.reserve(groups_.size());
  for (const auto& [key, runner] : groups_) {
    out.push_back(runner->group().Status());
  }
  std::sort(out.begin(), out.end(),
            [](const GroupStatus& a, const GroupStatus& b) {
              if (a.file != b.file) return a.file < b.file;
              return a.name < b.name;
            });
  return out;
}

void Manager::Stop() {
  MutexLock lock(&mu_);
  if (stopped_) return;
  stopped_ = true;
  for (auto& [key, runner] : groups_) runner->Stop();
  for (auto& marker : stale_markers_) marker->Cancel();
  stale_markers_.clear();
}

}  // namespace strata::rules
