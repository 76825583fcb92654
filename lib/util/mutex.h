// strata::Mutex, MutexLock, ReaderMutexLock and CondVar: Abseil's mutex and
// condition variable, visible to ThreadSanitizer.
//
// Why a wrapper: Debian builds Abseil without ThreadSanitizer, so TSan does
// not see absl::Mutex acquire and release anything, and reports every
// access to guarded state as a race. Under -fsanitize=thread the wrapper
// tells TSan about each lock and unlock through its mutex annotation API
// (sanitizer/tsan_interface.h); otherwise it compiles to the absl::Mutex
// calls alone. Every Strata mutex is one of these; lock annotations
// (ABSL_GUARDED_BY and friends) work as with absl::Mutex.
//
// Waits (Await, CondVar::Wait) release the lock inside Abseil and take it
// again before returning; they are annotated as one unlock before and one
// lock after, and the wait itself runs with TSan ignoring this thread's
// accesses, as do Abseil's lock and unlock paths (which evaluate waiters'
// conditions).
//
// Thread-safety: as absl::Mutex.
#ifndef STRATA_UTIL_MUTEX_H_
#define STRATA_UTIL_MUTEX_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define STRATA_TSAN_MUTEX 1
#endif

namespace strata {

namespace mutex_internal {
#if defined(STRATA_TSAN_MUTEX)
inline void PreLock(void* m, unsigned flags) {
  __tsan_mutex_pre_lock(m, flags);
}
inline void PostLock(void* m, unsigned flags) {
  __tsan_mutex_post_lock(m, flags, 0);
}
inline void PreUnlock(void* m, unsigned flags) {
  __tsan_mutex_pre_unlock(m, flags);
}
inline void PostUnlock(void* m, unsigned flags) {
  __tsan_mutex_post_unlock(m, flags);
}
inline constexpr unsigned kRead = __tsan_mutex_read_lock;
inline constexpr unsigned kTry = __tsan_mutex_try_lock;
inline constexpr unsigned kTryFailed = __tsan_mutex_try_lock_failed;
#else
inline void PreLock(void*, unsigned) {}
inline void PostLock(void*, unsigned) {}
inline void PreUnlock(void*, unsigned) {}
inline void PostUnlock(void*, unsigned) {}
inline constexpr unsigned kRead = 0;
inline constexpr unsigned kTry = 0;
inline constexpr unsigned kTryFailed = 0;
#endif
}  // namespace mutex_internal

class CondVar;

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    mutex_internal::PreLock(this, 0);
    mu_.Lock();
    mutex_internal::PostLock(this, 0);
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    mutex_internal::PreUnlock(this, 0);
    mu_.Unlock();
    mutex_internal::PostUnlock(this, 0);
  }
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    mutex_internal::PreLock(this, mutex_internal::kTry);
    const bool locked = mu_.TryLock();
    mutex_internal::PostLock(
        this, mutex_internal::kTry | (locked ? 0 : mutex_internal::kTryFailed));
    return locked;
  }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() {
    mutex_internal::PreLock(this, mutex_internal::kRead);
    mu_.ReaderLock();
    mutex_internal::PostLock(this, mutex_internal::kRead);
  }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() {
    mutex_internal::PreUnlock(this, mutex_internal::kRead);
    mu_.ReaderUnlock();
    mutex_internal::PostUnlock(this, mutex_internal::kRead);
  }

  // Releases the lock until `cond` holds, then returns holding it again.
  void Await(const absl::Condition& cond) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    mutex_internal::PreUnlock(this, 0);
    mu_.Await(cond);
    AfterWait();
  }
  // As Await, for at most `timeout`; returns whether `cond` holds.
  bool AwaitWithTimeout(const absl::Condition& cond, absl::Duration timeout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    mutex_internal::PreUnlock(this, 0);
    const bool met = mu_.AwaitWithTimeout(cond, timeout);
    AfterWait();
    return met;
  }

  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() { mu_.AssertHeld(); }
  void AssertReaderHeld() const ABSL_ASSERT_SHARED_LOCK() {
    mu_.AssertReaderHeld();
  }

 private:
  friend class CondVar;

  // Ends the ignored region a wait began with PreUnlock and records the
  // lock the wait took again.
  void AfterWait() {
    mutex_internal::PostUnlock(this, 0);
    mutex_internal::PreLock(this, 0);
    mutex_internal::PostLock(this, 0);
  }

  absl::Mutex mu_;
};

// Holds `mu` exclusively for the scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->Lock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }

 private:
  Mutex* const mu_;
};

// Holds `mu` shared for the scope.
class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(Mutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->ReaderLock();
  }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->ReaderUnlock(); }

 private:
  Mutex* const mu_;
};

// absl::CondVar over a strata::Mutex.
class CondVar {
 public:
  // Releases `mu` (held by the caller) until signalled, then takes it
  // again. Spurious wakeups happen: wait in a loop.
  void Wait(Mutex* mu) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    mutex_internal::PreUnlock(mu, 0);
    cv_.Wait(&mu->mu_);
    mu->AfterWait();
  }
  // As Wait, for at most `timeout`; returns true on timeout.
  bool WaitWithTimeout(Mutex* mu, absl::Duration timeout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    mutex_internal::PreUnlock(mu, 0);
    const bool timed_out = cv_.WaitWithTimeout(&mu->mu_, timeout);
    mu->AfterWait();
    return timed_out;
  }
  // As Wait, until `deadline`; returns true on timeout.
  bool WaitWithDeadline(Mutex* mu, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    mutex_internal::PreUnlock(mu, 0);
    const bool timed_out = cv_.WaitWithDeadline(&mu->mu_, deadline);
    mu->AfterWait();
    return timed_out;
  }
  void Signal() { cv_.Signal(); }
  void SignalAll() { cv_.SignalAll(); }

 private:
  absl::CondVar cv_;
};

}  // namespace strata

#endif  // STRATA_UTIL_MUTEX_H_
