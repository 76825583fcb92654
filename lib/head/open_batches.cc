#include "head/open_batches.h"

namespace strata {

uint64_t OpenBatches::Begin() {
  MutexLock lock(&mu_);
  ++open_[current_];
  return current_;
}

void OpenBatches::End(uint64_t started) {
  MutexLock lock(&mu_);
  auto it = open_.find(started);
  if (it != open_.end() && --it->second == 0) open_.erase(it);
}

uint64_t OpenBatches::Advance() {
  MutexLock lock(&mu_);
  return current_++;
}

uint64_t OpenBatches::OldestOpen() const {
  MutexLock lock(&mu_);
  return open_.empty() ? std::numeric_limits<uint64_t>::max()
                       : open_.begin()->first;
}

}  // namespace strata
