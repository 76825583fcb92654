// HaTracker: deduplicates HA pairs of Prometheus servers (the Cortex/Mimir
// HA tracker model). Both replicas of a pair scrape the same targets and
// remote write the same series, told apart only by their external labels:
// a cluster label (same value on both) and a replica label (one value
// each). Per cluster, one replica is elected and only its requests are
// stored; the others' are acknowledged and dropped. When the elected
// replica has sent nothing for the failover timeout, the next replica to
// write is elected. The replica label is removed before storage, so both
// replicas' data land in the same series; the cluster label is kept.
//
// The decision is per request, not per series: Prometheus adds its
// external labels to every series of a request, so the first series
// carrying both labels speaks for the whole request (FindHaLabels). A
// request without them is not tracked and handled as if HA tracking were
// off (its labels untouched), as in Mimir.
//
// State lives in memory only: after a restart the first replica to write
// is elected. Its samples may then overlap what the previous one wrote;
// the handler acknowledges such overlap (see remote_write_handler.h).
//
// Standby buffer (filling the failover gap). A failover happens only after
// the elected replica has been silent for the failover timeout, and the
// standby's requests of that time were acknowledged and dropped: the plain
// model leaves a gap of about the timeout. So the tracker keeps the raw
// (still compressed) bodies of deduplicated requests, bounded in bytes
// across all clusters (standby_buffer_bytes; the oldest go first) and in
// age (failover timeout + standby_buffer_margin). When a failover elects
// replica R, Admit hands R's buffered bodies, in arrival order, to the
// caller, which stores them (decoded as usual, replica label removed)
// before R's current request. Their samples older than what the previous
// replica stored come back as overlap and are dropped; the newer ones fill
// the gap. Entries of an elected replica, of clusters forgotten, and entries
// too old are dropped.
//
// Replay ordering invariant: no request of R is stored between the
// failover and the end of the replay, since anything newer stored first
// would turn the replayed samples into out-of-order rejections. Admit marks
// the cluster as replaying when it hands out bodies; until FinishReplay,
// Admit calls of the elected replica of that cluster wait (other replicas'
// requests are decided, and buffered, without waiting). Buffering happens
// under the same lock as the decision, so a request of R is either
// buffered before the failover (and replayed) or decided after it.
//
// Thread-safety: safe to use concurrently; every method takes mu_ once
// (Admit may wait on it for a replay, see above).
#ifndef STRATA_SERVER_REMOTE_HA_TRACKER_H_
#define STRATA_SERVER_REMOTE_HA_TRACKER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "server/metrics/metrics.h"
#include "server/remote/remote_write_decoder.h"
#include "util/mutex.h"

namespace strata::server {

struct HaTrackerOptions {
  using Clock = std::chrono::steady_clock;

  // The label naming a sender's replica; "" turns HA tracking off.
  std::string replica_label;
  // The label naming the HA pair (Prometheus's external label).
  std::string cluster_label = "cluster";
  // How long the elected replica may send nothing before another replica
  // that writes takes over.
  std::chrono::milliseconds failover_timeout = std::chrono::seconds(30);
  // Clusters tracked at once; requests of a further cluster are refused
  // (as Mimir's ha_max_clusters), so that arbitrary cluster values cannot
  // grow the table without bound. Clusters idle for longer than the
  // failover timeout are forgotten first to make room.
  size_t max_clusters = 1000;
  // Bytes of deduplicated request bodies kept for replay at a failover,
  // across all clusters; 0 disables the standby buffer.
  size_t standby_buffer_bytes = 32 << 20;
  // Buffered bodies older than failover_timeout + this are dropped (those
  // before the previous replica's last request mostly overlap it; the
  // margin covers its batching and retry lag).
  std::chrono::milliseconds standby_buffer_margin = std::chrono::seconds(10);
  // The time source; empty means Clock::now (tests inject their own).
  std::function<Clock::time_point()> now;

  bool enabled() const { return !replica_label.empty(); }
};

// The HA labels of a request: the values of the first series that has both
// the cluster and the replica label (non-empty).
struct HaLabels {
  std::string_view cluster;
  std::string_view replica;
};

// Looks for the HA labels in `batch` (deferred 1.0 labels are decoded into
// `scratch` as needed; the views point into the request body or into
// `batch`, never into `scratch`). nullopt if no series has both.
std::optional<HaLabels> FindHaLabels(const WriteBatch& batch,
                                     const HaTrackerOptions& options,
                                     std::vector<WireLabel>* scratch);

// A deduplicated request as received, kept for replay at a failover.
struct StandbyRequest {
  RemoteWriteVersion version = RemoteWriteVersion::kV1;
  // The body as received (snappy-compressed).
  std::string body;
};

class HaTracker {
 public:
  enum class Decision : uint8_t {
    kAccept,           // From the elected replica (possibly just elected).
    kDeduplicate,      // From another replica: acknowledge, drop.
    kTooManyClusters,  // A new cluster past max_clusters: refuse.
  };

  // `registry` (may be null, e.g. in tests) receives the strata_ha_*
  // metrics; not owned.
  HaTracker(HaTrackerOptions options, MetricsRegistry* registry);
  HaTracker(const HaTracker&) = delete;
  HaTracker& operator=(const HaTracker&) = delete;

  // Decides about one request of `replica` in `cluster` carrying `samples`
  // samples (histograms included), and records it: an accepted request
  // renews its replica's lease; a deduplicated one is counted.
  Decision Admit(std::string_view cluster, std::string_view replica,
                 int64_t samples) {
    return Admit(cluster, replica, samples, nullptr, nullptr);
  }

  // As above, with the standby buffer. On kDeduplicate, `request` (may be
  // null) is moved into the buffer if it fits. On kAccept by a failover,
  // the new replica's buffered requests are moved to *replay (may be null:
  // they are dropped), oldest first; if *replay is non-empty, the caller
  // must store them before this request and then call FinishReplay. While
  // a replay of `cluster` runs, calls for its elected replica wait.
  Decision Admit(std::string_view cluster, std::string_view replica,
                 int64_t samples, StandbyRequest* request,
                 std::vector<StandbyRequest>* replay);

  // Ends the replay Admit handed out for `cluster`, of which
  // `samples_stored` samples were stored (counted).
  void FinishReplay(std::string_view cluster, int64_t samples_stored);

  // Bytes held by the standby buffer.
  size_t StandbyBufferBytes() const;

  // The elected replica of `cluster`; "" if none.
  std::string ElectedReplica(std::string_view cluster) const;

  const HaTrackerOptions& options() const { return options_; }

 private:
  struct Election {
    std::string replica;
    // When the elected replica's last accepted request arrived.
    HaTrackerOptions::Clock::time_point last_seen;
    // Between a failover that handed out buffered requests and
    // FinishReplay.
    bool replaying = false;
  };
  struct BufferedRequest {
    std::string cluster;
    std::string replica;
    HaTrackerOptions::Clock::time_point received;
    StandbyRequest request;

    size_t bytes() const {
      return request.body.size() + cluster.size() + replica.size() +
             sizeof(BufferedRequest);
    }
  };

  HaTrackerOptions::Clock::time_point Now() const;
  // Forgets clusters whose elected replica has been silent for longer than
  // the failover timeout (an entry in that state decides nothing: the next
  // writer is elected either way).
  void ForgetIdleClusters(HaTrackerOptions::Clock::time_point now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops buffered requests older than the age bound, then the oldest
  // until `incoming` more bytes fit the byte bound.
  void TrimStandbyBuffer(HaTrackerOptions::Clock::time_point now,
                         size_t incoming) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes the buffered requests matching `pred`, moving them to `out`
  // (may be null) in arrival order.
  template <typename Pred>
  void TakeBuffered(Pred pred, std::vector<StandbyRequest>* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CollectElected(std::vector<MetricFamily>* out) const;

  // Constant after construction.
  const HaTrackerOptions options_;

  mutable Mutex mu_;
  // Invariant: at most options_.max_clusters entries; every replica
  // non-empty. Keyed by cluster value.
  absl::flat_hash_map<std::string, Election> elections_ ABSL_GUARDED_BY(mu_);
  // The standby buffer, in arrival order. Invariants: standby_bytes_ is the
  // sum of bytes() of its entries and at most
  // options_.standby_buffer_bytes; every entry's cluster is in elections_
  // and its replica is not that cluster's elected one.
  std::deque<BufferedRequest> standby_ ABSL_GUARDED_BY(mu_);
  size_t standby_bytes_ ABSL_GUARDED_BY(mu_) = 0;

  // Owned by the registry; null without one.
  CounterFamily* changes_ = nullptr;
  CounterFamily* requests_deduplicated_ = nullptr;
  CounterFamily* samples_deduplicated_ = nullptr;
  CounterFamily* samples_replayed_ = nullptr;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_HA_TRACKER_H_
