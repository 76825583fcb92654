// QueryGate: bounds how many queries evaluate at once
// (--query.max-concurrency). Queries beyond the bound wait in line, as in
// Prometheus, until a slot frees, their deadline passes or they are
// cancelled.
//
// Thread-safety: all methods are safe to call concurrently.
#ifndef STRATA_SERVER_API_QUERY_GATE_H_
#define STRATA_SERVER_API_QUERY_GATE_H_

#include <atomic>
#include <chrono>
#include <optional>

#include "strata/status.h"
#include "util/mutex.h"

namespace strata::server {

class QueryGate {
 public:
  // `max_concurrent` <= 0 means no limit.
  explicit QueryGate(int max_concurrent) : max_(max_concurrent) {}

  // Takes a slot. DeadlineExceeded ("query timed out in query queue") if
  // `deadline` passes first, Cancelled if `*cancel` becomes true.
  Status Acquire(std::optional<std::chrono::steady_clock::time_point> deadline,
                 const std::atomic<bool>* cancel);
  // Returns a slot taken by a successful Acquire.
  void Release();

  // Queries holding a slot, and waiting for one.
  int active() const;
  int queued() const;
  // The bound; <= 0 means none.
  int limit() const { return max_; }

 private:
  bool HasFreeSlot() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Waits until a slot is free (without taking it).
  Status WaitForSlot(
      std::optional<std::chrono::steady_clock::time_point> deadline,
      const std::atomic<bool>* cancel) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int max_;
  mutable Mutex mu_;
  int active_ ABSL_GUARDED_BY(mu_) = 0;
  int queued_ ABSL_GUARDED_BY(mu_) = 0;
};

// Releases a QueryGate slot when it goes out of scope.
class QueryGateSlot {
 public:
  explicit QueryGateSlot(QueryGate* gate) : gate_(gate) {}
  ~QueryGateSlot() { gate_->Release(); }
  QueryGateSlot(const QueryGateSlot&) = delete;
  QueryGateSlot& operator=(const QueryGateSlot&) = delete;

 private:
  QueryGate* const gate_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_API_QUERY_GATE_H_
