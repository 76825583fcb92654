#include "server/http/connection_admission.h"

#include <algorithm>
#include <utility>

namespace strata::server {

ConnectionAdmission::ConnectionAdmission(
    int max_connections, int reserved_connections,
    std::vector<std::string> reserved_paths)
    : max_connections_(std::max(0, max_connections)),
      reserved_connections_(std::max(0, reserved_connections)),
      reserved_paths_(std::move(reserved_paths)) {}

ConnectionAdmission::Admitted ConnectionAdmission::Admit() {
  MutexLock lock(&mu_);
  Admitted admitted;
  if (max_connections_ == 0 ||
      open_[static_cast<int>(Admission::kFull)] < max_connections_) {
    admitted.admission = Admission::kFull;
  } else if (open_[static_cast<int>(Admission::kReservedPaths)] <
             reserved_connections_) {
    admitted.admission = Admission::kReservedPaths;
  } else {
    admitted.admission = Admission::kRefused;
  }
  ++open_[static_cast<int>(admitted.admission)];
  if (!accept_paused_ && MustPauseAccept()) {
    accept_paused_ = true;
    admitted.pause_accept = true;
  }
  return admitted;
}

bool ConnectionAdmission::Release(Admission admission) {
  MutexLock lock(&mu_);
  --open_[static_cast<int>(admission)];
  if (accept_paused_ && !MustPauseAccept()) {
    accept_paused_ = false;
    return true;
  }
  return false;
}

bool ConnectionAdmission::MustPauseAccept() const {
  return max_connections_ > 0 &&
         open_[static_cast<int>(Admission::kRefused)] >= max_connections_;
}

bool ConnectionAdmission::MayServe(Admission admission,
                                   std::string_view target) const {
  if (admission == Admission::kFull) return true;
  if (admission == Admission::kRefused) return false;
  const std::string_view path = target.substr(0, target.find('?'));
  return std::find(reserved_paths_.begin(), reserved_paths_.end(), path) !=
         reserved_paths_.end();
}

std::chrono::milliseconds ConnectionAdmission::HeaderTimeout(
    Admission admission, std::chrono::milliseconds header_timeout) {
  if (admission == Admission::kFull) return header_timeout;
  return std::min(header_timeout, kOverLimitHeaderTimeout);
}

int ConnectionAdmission::Open(Admission admission) const {
  MutexLock lock(&mu_);
  return open_[static_cast<int>(admission)];
}

bool ConnectionAdmission::accept_paused() const {
  MutexLock lock(&mu_);
  return accept_paused_;
}

}  // namespace strata::server
