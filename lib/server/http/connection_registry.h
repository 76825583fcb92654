// ConnectionRegistry: the HTTP server's open connections, each with the
// Admission it was accepted with (connection_admission.h), so that
// Shutdown can reach every live connection and wait for them to close.
//
// Invariants: a connection is registered from its Add until its Remove
// (called from its destructor); the registry holds it weakly, so it never
// keeps one alive.
//
// Thread-safety: all methods may be called from any thread. Live() hands
// out strong references: drop them outside any lock a connection's
// destructor takes (it calls Remove).
#ifndef STRATA_SERVER_HTTP_CONNECTION_REGISTRY_H_
#define STRATA_SERVER_HTTP_CONNECTION_REGISTRY_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "server/http/connection_admission.h"
#include "util/mutex.h"

namespace strata::server {

// What the registry needs of a connection, whatever its transport.
class Connection {
 public:
  virtual ~Connection() = default;
  // Begins serving, once registered, as `admission` allows.
  virtual void Start(Admission admission) = 0;
  // Finish the current request, if any, then close.
  virtual void PostServerStopping() = 0;
  // Close now (after the grace period).
  virtual void PostForceClose() = 0;
};

class ConnectionRegistry {
 public:
  ConnectionRegistry() = default;
  ConnectionRegistry(const ConnectionRegistry&) = delete;
  ConnectionRegistry& operator=(const ConnectionRegistry&) = delete;

  void Add(const std::shared_ptr<Connection>& connection, Admission admission);
  // The admission `connection` was added with, or nothing if it was not
  // registered.
  std::optional<Admission> Remove(Connection* connection);

  // The registered connections still alive.
  std::vector<std::shared_ptr<Connection>> Live() const;
  int64_t size() const;
  // Waits until no connection is registered, at most `timeout`; true if
  // none is.
  bool AwaitEmpty(std::chrono::milliseconds timeout) const;

 private:
  struct Entry {
    std::weak_ptr<Connection> connection;
    Admission admission;
  };

  mutable Mutex mu_;
  absl::flat_hash_map<Connection*, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_CONNECTION_REGISTRY_H_
