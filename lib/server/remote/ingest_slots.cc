#include "server/remote/ingest_slots.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "absl/time/time.h"

namespace strata::server {
namespace {

// How often a waiting request re-checks its cancellation flag.
constexpr absl::Duration kCancelPoll = absl::Milliseconds(20);

int SlotsFor(int slots) {
  if (slots > 0) return slots;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace

IngestSlots::IngestSlots(int slots) : size_(SlotsFor(slots)) {
  MutexLock lock(&mu_);
  for (int i = 0; i < size_; ++i) {
    free_.push_back(std::make_unique<IngestBuffers>());
  }
}

IngestSlots::Lease::~Lease() {
  if (buffers_ != nullptr) slots_->Return(std::move(buffers_));
}

std::optional<IngestSlots::Lease> IngestSlots::Acquire(
    const std::atomic<bool>* cancel) {
  MutexLock lock(&mu_);
  ++waiting_;
  while (!HasFree()) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      --waiting_;
      return std::nullopt;
    }
    mu_.AwaitWithTimeout(absl::Condition(this, &IngestSlots::HasFree),
                         kCancelPoll);
  }
  --waiting_;
  std::unique_ptr<IngestBuffers> buffers = std::move(free_.back());
  free_.pop_back();
  return Lease(this, std::move(buffers));
}

void IngestSlots::Return(std::unique_ptr<IngestBuffers> buffers) {
  if (buffers->decoded.capacity() > kMaxRetainedBytes ||
      buffers->transcoded.capacity() > kMaxRetainedBytes) {
    *buffers = IngestBuffers();
  }
  MutexLock lock(&mu_);
  free_.push_back(std::move(buffers));
}

int IngestSlots::busy() const {
  MutexLock lock(&mu_);
  return size_ - static_cast<int>(free_.size());
}

int IngestSlots::waiting() const {
  MutexLock lock(&mu_);
  return waiting_;
}

}  // namespace strata::server
