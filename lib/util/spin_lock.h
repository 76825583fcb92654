// strata::SpinLock and SpinLockHolder: a one-byte test-and-set lock for
// critical sections of a few dozen instructions taken at a very high rate
// and rarely contended: the head's per-series lock, taken once per
// committed sample. Uncontended, Lock is one atomic exchange and Unlock one
// release store, where absl::Mutex (strata::Mutex) costs an atomic
// compare-exchange each way.
//
// Contended, Lock spins a short while with the CPU's pause hint, then
// yields the CPU between attempts, so a holder that was preempted gets to
// run (the machine may have fewer cores than threads). There is no
// fairness, no waiting on conditions and no reader mode: use strata::Mutex
// for anything else, and never block (I/O, other locks taken for long)
// while holding one.
//
// ThreadSanitizer sees the acquire/release atomics; the lock is also
// announced through its mutex annotations, as strata::Mutex does, so lock
// order and double unlocks are reported. Lock annotations (ABSL_GUARDED_BY
// and friends) work as with strata::Mutex.
//
// Thread-safety: safe for concurrent use.
#ifndef STRATA_UTIL_SPIN_LOCK_H_
#define STRATA_UTIL_SPIN_LOCK_H_

#include <atomic>
#include <thread>

#include "util/mutex.h"

namespace strata {

class ABSL_LOCKABLE SpinLock {
 public:
  SpinLock() = default;
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    mutex_internal::PreLock(this, 0);
    if (locked_.exchange(true, std::memory_order_acquire)) LockSlow();
    mutex_internal::PostLock(this, 0);
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    mutex_internal::PreUnlock(this, 0);
    locked_.store(false, std::memory_order_release);
    mutex_internal::PostUnlock(this, 0);
  }

 private:
  void LockSlow() {
    for (int spins = 0;; ++spins) {
      // Wait for a release with plain loads (no cache-line ping-pong),
      // then try again.
      while (locked_.load(std::memory_order_relaxed)) {
        if (spins < kSpinsBeforeYield) {
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause();
#endif
          ++spins;
        } else {
          std::this_thread::yield();
        }
      }
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
    }
  }

  static constexpr int kSpinsBeforeYield = 100;
  std::atomic<bool> locked_{false};
};

class ABSL_SCOPED_LOCKABLE SpinLockHolder {
 public:
  explicit SpinLockHolder(SpinLock* lock) ABSL_EXCLUSIVE_LOCK_FUNCTION(lock)
      : lock_(lock) {
    lock_->Lock();
  }
  ~SpinLockHolder() ABSL_UNLOCK_FUNCTION() { lock_->Unlock(); }
  SpinLockHolder(const SpinLockHolder&) = delete;
  SpinLockHolder& operator=(const SpinLockHolder&) = delete;

 private:
  SpinLock* const lock_;
};

}  // namespace strata

#endif  // STRATA_UTIL_SPIN_LOCK_H_
