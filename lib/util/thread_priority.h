// Lowers the calling thread's CPU and I/O priority, for background work
// that must not compete with ingest and queries (the DB's scrub).
//
// Thread-safety: affects the calling thread only.
#ifndef STRATA_UTIL_THREAD_PRIORITY_H_
#define STRATA_UTIL_THREAD_PRIORITY_H_

namespace strata {

// Nice 19 and the idle I/O class (Linux: both are per thread). Best
// effort: failures (other systems, sandboxes) are ignored.
void LowerThisThreadPriority();

}  // namespace strata

#endif  // STRATA_UTIL_THREAD_PRIORITY_H_
