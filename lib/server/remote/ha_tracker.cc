#include "server/remote/ha_tracker.h"

#include <algorithm>
#include <utility>

#include "util/log.h"

namespace strata::server {
namespace {

// Whether `labels` hold non-empty values of both HA labels; sets them.
bool HaLabelsIn(std::span<const WireLabel> labels,
                const HaTrackerOptions& options, HaLabels* found) {
  HaLabels ha;
  for (const WireLabel& l : labels) {
    if (l.name == options.replica_label) ha.replica = l.value;
    if (l.name == options.cluster_label) ha.cluster = l.value;
  }
  if (ha.cluster.empty() || ha.replica.empty()) return false;
  *found = ha;
  return true;
}

// Decoding deferred labels costs more than looking for the label names in
// their encoding: a series whose bytes lack either name cannot have both.
bool MayHaveHaLabels(std::string_view label_bytes,
                     const HaTrackerOptions& options) {
  return label_bytes.find(options.replica_label) != std::string_view::npos &&
         label_bytes.find(options.cluster_label) != std::string_view::npos;
}

}  // namespace

std::optional<HaLabels> FindHaLabels(const WriteBatch& batch,
                                     const HaTrackerOptions& options,
                                     std::vector<WireLabel>* scratch) {
  HaLabels found;
  for (const WireSeries& s : batch.series) {
    if (!s.labels_deferred) {
      if (HaLabelsIn(batch.LabelsOf(s), options, &found)) return found;
      continue;
    }
    if (!MayHaveHaLabels(s.label_bytes, options)) continue;
    scratch->clear();
    // Malformed label fields are the ingester's to reject; here they just
    // carry no HA labels.
    if (!DecodeLabelFields(s.label_bytes, scratch).ok()) continue;
    if (HaLabelsIn(*scratch, options, &found)) return found;
  }
  return std::nullopt;
}

HaTracker::HaTracker(HaTrackerOptions options, MetricsRegistry* registry)
    : options_(std::move(options)) {
  if (registry == nullptr) return;
  changes_ = registry->AddCounterFamily(
      "strata_ha_elected_replica_changes_total",
      "Times another replica of an HA cluster was elected because the "
      "elected one had sent nothing for the failover timeout.",
      {"cluster"});
  requests_deduplicated_ = registry->AddCounterFamily(
      "strata_ha_requests_deduplicated_total",
      "Remote write requests of a non-elected HA replica, acknowledged and "
      "dropped.",
      {"cluster"});
  samples_deduplicated_ = registry->AddCounterFamily(
      "strata_ha_samples_deduplicated_total",
      "Samples of a non-elected HA replica, acknowledged and dropped.",
      {"cluster"});
  samples_replayed_ = registry->AddCounterFamily(
      "strata_ha_samples_replayed_total",
      "Samples of a newly elected HA replica's buffered (deduplicated) "
      "requests stored at its failover, filling the gap the previous "
      "replica left.",
      {"cluster"});
  registry->AddGaugeFunc(
      "strata_ha_standby_buffer_bytes",
      "Bytes of deduplicated HA requests kept for replay at a failover.",
      [this] { return static_cast<double>(StandbyBufferBytes()); });
  registry->AddCollector(
      {"strata_ha_elected_replica"},
      [this](std::vector<MetricFamily>* out) { CollectElected(out); });
}

HaTrackerOptions::Clock::time_point HaTracker::Now() const {
  return options_.now ? options_.now() : HaTrackerOptions::Clock::now();
}

HaTracker::Decision HaTracker::Admit(std::string_view cluster,
                                     std::string_view replica, int64_t samples,
                                     StandbyRequest* request,
                                     std::vector<StandbyRequest>* replay) {
  // This Abseil's heterogeneous lookup takes absl::string_view only.
  const std::string key(cluster);
  std::string previous;  // The replica a failover replaced.
  bool elected = false;
  size_t replayed_requests = 0;
  const Decision decision = [&] {
    MutexLock lock(&mu_);
    // Requests of a replica being replayed wait for the replay (see the
    // ordering invariant in the header).
    auto not_replaying = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      auto it = elections_.find(key);
      return it == elections_.end() || !it->second.replaying ||
             it->second.replica != replica;
    };
    mu_.Await(absl::Condition(&not_replaying));
    const auto now = Now();
    TrimStandbyBuffer(now, 0);
    auto it = elections_.find(key);
    if (it == elections_.end()) {
      if (elections_.size() >= options_.max_clusters) ForgetIdleClusters(now);
      if (elections_.size() >= options_.max_clusters) {
        return Decision::kTooManyClusters;
      }
      elections_.emplace(key, Election{std::string(replica), now});
      elected = true;
      return Decision::kAccept;
    }
    Election& e = it->second;
    if (e.replica == replica) {
      e.last_seen = std::max(e.last_seen, now);
      return Decision::kAccept;
    }
    if (now - e.last_seen < options_.failover_timeout) {
      if (request != nullptr && options_.standby_buffer_bytes > 0) {
        BufferedRequest entry{key, std::string(replica), now,
                              std::move(*request)};
        const size_t bytes = entry.bytes();
        if (bytes <= options_.standby_buffer_bytes) {
          TrimStandbyBuffer(now, bytes);
          standby_.push_back(std::move(entry));
          standby_bytes_ += bytes;
        }
      }
      return Decision::kDeduplicate;
    }
    previous = std::exchange(e.replica, std::string(replica));
    e.last_seen = now;
    elected = true;
    const size_t before = replay == nullptr ? 0 : replay->size();
    TakeBuffered(
        [&](const BufferedRequest& b) {
          return b.cluster == key && b.replica == replica;
        },
        replay);
    replayed_requests = replay == nullptr ? 0 : replay->size() - before;
    e.replaying = replayed_requests > 0;
    return Decision::kAccept;
  }();
  if (decision == Decision::kDeduplicate && requests_deduplicated_ != nullptr) {
    requests_deduplicated_->WithLabelValues({cluster})->Inc();
    samples_deduplicated_->WithLabelValues({cluster})->Inc(
        static_cast<double>(samples));
  }
  if (elected) {
    if (changes_ != nullptr) {
      // The first election of a cluster creates its series at 0, so that
      // rate() and alerts see them from the start; a failover counts.
      Counter* changes = changes_->WithLabelValues({cluster});
      if (!previous.empty()) changes->Inc();
      requests_deduplicated_->WithLabelValues({cluster});
      samples_deduplicated_->WithLabelValues({cluster});
      samples_replayed_->WithLabelValues({cluster});
    }
    STRATA_LOG(kInfo, "Elected HA replica",
               {{"cluster", std::string(cluster)},
                {"replica", std::string(replica)},
                {"previous", previous},
                {"buffered_requests", std::to_string(replayed_requests)}});
  }
  return decision;
}

void HaTracker::FinishReplay(std::string_view cluster, int64_t samples_stored) {
  {
    MutexLock lock(&mu_);
    auto it = elections_.find(std::string(cluster));
    if (it != elections_.end()) it->second.replaying = false;
  }
  if (samples_replayed_ != nullptr) {
    samples_replayed_->WithLabelValues({cluster})->Inc(
        static_cast<double>(samples_stored));
  }
}

size_t HaTracker::StandbyBufferBytes() const {
  MutexLock lock(&mu_);
  return standby_bytes_;
}

void HaTracker::TrimStandbyBuffer(HaTrackerOptions::Clock::time_point now,
                                  size_t incoming) {
  const auto max_age =
      options_.failover_timeout + options_.standby_buffer_margin;
  // Entries are appended in the order of `now` under mu_, so the oldest
  // are at the front.
  while (!standby_.empty() &&
         (now - standby_.front().received > max_age ||
          standby_bytes_ + incoming > options_.standby_buffer_bytes)) {
    standby_bytes_ -= standby_.front().bytes();
    standby_.pop_front();
  }
}

template <typename Pred>
void HaTracker::TakeBuffered(Pred pred, std::vector<StandbyRequest>* out) {
  std::deque<BufferedRequest> kept;
  for (BufferedRequest& b : standby_) {
    if (!pred(b)) {
      kept.push_back(std::move(b));
      continue;
    }
    standby_bytes_ -= b.bytes();
    if (out != nullptr) out->push_back(std::move(b.request));
  }
  standby_.swap(kept);
}

void HaTracker::ForgetIdleClusters(HaTrackerOptions::Clock::time_point now) {
  absl::erase_if(elections_, [&](const auto& entry) {
    return !entry.second.replaying &&
           now - entry.second.last_seen >= options_.failover_timeout;
  });
  TakeBuffered(
      [&](const BufferedRequest& b) { return !elections_.contains(b.cluster); },
      nullptr);
}

std::string HaTracker::ElectedReplica(std::string_view cluster) const {
  MutexLock lock(&mu_);
  auto it = elections_.find(std::string(cluster));
  return it == elections_.end() ? std::string() : it->second.replica;
}

void HaTracker::CollectElected(std::vector<MetricFamily>* out) const {
  MetricFamily family;
  family.name = "strata_ha_elected_replica";
  family.help = "The elected replica of each HA cluster (always 1).";
  family.type = MetricType::kGauge;
  {
    MutexLock lock(&mu_);
    for (const auto& [cluster, election] : elections_) {
      MetricPoint point;
      point.labels = {{"cluster", cluster}, {"replica", election.replica}};
      point.value = 1;
      family.points.push_back(std::move(point));
    }
  }
  std::sort(family.points.begin(), family.points.end(),
            [](const MetricPoint& a, const MetricPoint& b) {
              return a.labels < b.labels;
            });
  out->push_back(std::move(family));
}

}  // namespace strata::server
