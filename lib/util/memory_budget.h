// Byte budgets for requests that build large results in memory (PromQL
// queries, remote reads).
//
// A MemoryPool is the server-wide budget shared by every request running at
// once (--query.max-total-memory-bytes). A MemoryBudget is one request's
// account: it counts the bytes the request holds (its own limit, e.g.
// --query.max-memory-bytes) and reserves the same bytes in the pool, so a
// request is refused when it alone would hold too much or when the requests
// running together would.
//
// The counts are estimates the callers compute from what they allocate
// (points, label bytes, encoded buffers), taken before the allocation so a
// refused request never allocates past its limit.
//
// Once a budget refuses, it stays exceeded (`exceeded()`), so a caller may
// charge from code that cannot return a Status (label interning) and check
// once per step or series.
//
// Thread-safety: MemoryPool is safe to use from any thread. A MemoryBudget
// belongs to one request on one thread at a time.
#ifndef STRATA_UTIL_MEMORY_BUDGET_H_
#define STRATA_UTIL_MEMORY_BUDGET_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace strata {

class MemoryPool {
 public:
  // `limit` <= 0: no limit (the pool still counts).
  explicit MemoryPool(int64_t limit) : limit_(limit) {}
  MemoryPool(const MemoryPool&) = delete;
  MemoryPool& operator=(const MemoryPool&) = delete;

  // Takes `bytes` (>= 0) if they fit under the limit; false leaves the
  // pool unchanged.
  bool TryReserve(int64_t bytes);
  // Returns bytes taken by TryReserve.
  void Release(int64_t bytes);

  int64_t used() const { return used_.load(std::memory_order_relaxed); }
  int64_t limit() const { return limit_; }

 private:
  const int64_t limit_;
  std::atomic<int64_t> used_{0};
};

class MemoryBudget {
 public:
  // Why a budget refused.
  enum class Exceeded { kNo, kRequestLimit, kPoolLimit };

  // `limit` <= 0: no per-request limit. `pool` (not owned, may be null)
  // must outlive the budget.
  MemoryBudget(int64_t limit, MemoryPool* pool) : limit_(limit), pool_(pool) {}
  // Returns what the request still holds to the pool; releases freed
  // memory to the operating system after a large request
  // (ReleaseFreeMemoryToOs).
  ~MemoryBudget();
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Counts `bytes` more (negative: fewer). False, and exceeded() from then
  // on, when the request would hold more than its limit or the pool has no
  // room; the refused bytes are not counted.
  bool Add(int64_t bytes);
  // Sets the count to `bytes`, as Add(bytes - used()).
  bool Set(int64_t bytes) { return Add(bytes - used_); }

  bool exceeded() const { return exceeded_ != Exceeded::kNo; }
  Exceeded exceeded_reason() const { return exceeded_; }
  // Bytes counted now, and the most counted at once.
  int64_t used() const { return used_; }
  int64_t peak() const { return peak_; }
  int64_t limit() const { return limit_; }
  const MemoryPool* pool() const { return pool_; }
  // Bytes the request may still add before reaching its own limit or the
  // pool's (INT64_MAX without limits).
  int64_t Remaining() const;

 private:
  const int64_t limit_;
  MemoryPool* const pool_;
  int64_t used_ = 0;
  int64_t peak_ = 0;
  Exceeded exceeded_ = Exceeded::kNo;
};

// A request whose peak reached this many bytes gives freed memory back to
// the operating system when its budget ends.
inline constexpr int64_t kTrimAfterPeakBytes = 64 << 20;

// Returns the allocator's free memory to the operating system (glibc's
// malloc_trim), so the resident size falls back after a large request
// instead of staying at its peak. At most one trim runs at a time; a call
// while another runs does nothing. A no-op without glibc.
void ReleaseFreeMemoryToOs();

}  // namespace strata

#endif  // STRATA_UTIL_MEMORY_BUDGET_H_
