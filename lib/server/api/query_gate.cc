#include "server/api/query_gate.h"

#include <algorithm>

#include "absl/time/time.h"

namespace strata::server {
namespace {

// How often a waiting query re-checks its cancellation flag.
constexpr absl::Duration kCancelPoll = absl::Milliseconds(20);

}  // namespace

Status QueryGate::Acquire(
    std::optional<std::chrono::steady_clock::time_point> deadline,
    const std::atomic<bool>* cancel) {
  MutexLock lock(&mu_);
  if (max_ <= 0 || active_ < max_) {
    ++active_;
    return Status::OK();
  }
  ++queued_;
  Status st = WaitForSlot(deadline, cancel);
  --queued_;
  if (st.ok()) ++active_;
  return st;
}

Status QueryGate::WaitForSlot(
    std::optional<std::chrono::steady_clock::time_point> deadline,
    const std::atomic<bool>* cancel) {
  for (;;) {
    if (active_ < max_) return Status::OK();
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      return Status::Cancelled("query was canceled in query queue");
    }
    absl::Duration wait = kCancelPoll;
    if (deadline.has_value()) {
      const auto left = *deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) {
        return Status::DeadlineExceeded("query timed out in query queue");
      }
      wait = std::min(wait, absl::FromChrono(left));
    }
    mu_.AwaitWithTimeout(absl::Condition(this, &QueryGate::HasFreeSlot), wait);
  }
}

bool QueryGate::HasFreeSlot() const { return active_ < max_; }

void QueryGate::Release() {
  MutexLock lock(&mu_);
  --active_;
}

int QueryGate::active() const {
  MutexLock lock(&mu_);
  return active_;
}

int QueryGate::queued() const {
  MutexLock lock(&mu_);
  return queued_;
}

}  // namespace strata::server
