// UsableCores: how many CPUs this process may run on (its affinity mask,
// e.g. under `taskset` or a cgroup cpuset), which is what sizing a pool of
// CPU-bound threads needs; std::thread::hardware_concurrency counts every
// CPU of the machine instead.
//
// Thread-safety: safe to call from any thread.
#ifndef STRATA_UTIL_USABLE_CORES_H_
#define STRATA_UTIL_USABLE_CORES_H_

namespace strata {

// At least 1.
int UsableCores();

}  // namespace strata

#endif  // STRATA_UTIL_USABLE_CORES_H_
