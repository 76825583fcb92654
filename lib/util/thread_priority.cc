#include "util/thread_priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace strata {
namespace {

// linux/ioprio.h's values, which glibc does not export.
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassIdle = 3;
constexpr int kIoprioClassShift = 13;
constexpr int kLowestNice = 19;

}  // namespace

void LowerThisThreadPriority() {
#if defined(__linux__)
  const pid_t tid = static_cast<pid_t>(syscall(SYS_gettid));
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(tid), kLowestNice);
  (void)syscall(SYS_ioprio_set, kIoprioWhoProcess, tid,
                kIoprioClassIdle << kIoprioClassShift);
#endif
}

}  // namespace strata
