// ConnectionAdmission: how many connections the HTTP server serves, and how
// (HttpServerOptions::max_connections, reserved_connections,
// reserved_paths; strata-server's --web.max-connections with 16 connections
// reserved for /-/healthy and /-/ready).
//
// Every accepted connection is admitted as one of three kinds, counted
// while it is open:
//   kFull           the first max_connections: served normally.
//   kReservedPaths  the next reserved_connections: one request, served only
//                   if its path is one of reserved_paths, else 503.
//   kRefused        any more: one request, answered 503 with Retry-After.
// A connection that is not kFull has kOverLimitHeaderTimeout at most to
// send its request, then closes after the response. Refused connections
// are short-lived but each holds a file descriptor: once max_connections of
// them are open, the server stops accepting (the rest wait in the listen
// backlog) until one closes. With max_connections 0, every connection is
// kFull and accepting never pauses.
//
// Invariants: Open(kind) is the number of Admit calls that returned `kind`
// minus the Release calls for it; Open(kFull) <= max_connections and
// Open(kReservedPaths) <= reserved_connections (when limited). Accepting
// is paused (accept_paused()) from the Admit that reports pause_accept
// until the Release that reports resume_accept; exactly one of those
// calls reports each transition, so the acceptor neither stalls nor
// accepts twice.
//
// Thread-safety: all methods may be called from any thread; the counts
// live under one mutex.
#ifndef STRATA_SERVER_HTTP_CONNECTION_ADMISSION_H_
#define STRATA_SERVER_HTTP_CONNECTION_ADMISSION_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "util/mutex.h"

namespace strata::server {

// How a connection was admitted (see above).
enum class Admission {
  kFull,
  kReservedPaths,
  kRefused,
};

class ConnectionAdmission {
 public:
  // A connection past max_connections has at most this long to send its
  // one request, and a refused request is told to come back after
  // kRetryAfterSeconds.
  static constexpr std::chrono::milliseconds kOverLimitHeaderTimeout =
      std::chrono::seconds(5);
  static constexpr std::string_view kRetryAfterSeconds = "5";
  // The body of that 503.
  static constexpr std::string_view kRefusedBody =
      "503 Service Unavailable: too many open connections, retry later\n";

  // max_connections 0 (or less): no limit.
  ConnectionAdmission(int max_connections, int reserved_connections,
                      std::vector<std::string> reserved_paths);

  ConnectionAdmission(const ConnectionAdmission&) = delete;
  ConnectionAdmission& operator=(const ConnectionAdmission&) = delete;

  struct Admitted {
    Admission admission = Admission::kFull;
    // The acceptor must not accept again until a Release says so.
    bool pause_accept = false;
  };

  // Counts a connection accepted now. The caller must Release it exactly
  // once, with the admission returned.
  [[nodiscard]] Admitted Admit();
  // Counts a connection admitted as `admission` as closed. Returns true if
  // accepting was paused and must resume now.
  [[nodiscard]] bool Release(Admission admission);

  // Whether a connection admitted as `admission` serves one request only
  // and then closes.
  static bool OneRequestOnly(Admission admission) {
    return admission != Admission::kFull;
  }
  // Whether a request for `target` (path and query) may be served on a
  // connection admitted as `admission`; if not, it gets 503 + Retry-After.
  bool MayServe(Admission admission, std::string_view target) const;
  // The time a connection admitted as `admission` has to send a request's
  // headers, given the configured `header_timeout`.
  static std::chrono::milliseconds HeaderTimeout(
      Admission admission, std::chrono::milliseconds header_timeout);

  // Connections of kind `admission` open now.
  int Open(Admission admission) const;
  bool accept_paused() const;

 private:
  static constexpr int kKinds = 3;

  // Whether accepting must pause: too many connections are being refused.
  bool MustPauseAccept() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  const int max_connections_;
  const int reserved_connections_;
  const std::vector<std::string> reserved_paths_;

  mutable Mutex mu_;
  // Open connections by Admission.
  int open_[kKinds] ABSL_GUARDED_BY(mu_) = {};
  bool accept_paused_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_CONNECTION_ADMISSION_H_
