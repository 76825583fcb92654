#include "server/http/connection_registry.h"

#include <utility>

#include "absl/time/time.h"

namespace strata::server {

void ConnectionRegistry::Add(const std::shared_ptr<Connection>& connection,
                             Admission admission) {
  MutexLock lock(&mu_);
  entries_[connection.get()] = {connection, admission};
}

std::optional<Admission> ConnectionRegistry::Remove(Connection* connection) {
  MutexLock lock(&mu_);
  auto it = entries_.find(connection);
  if (it == entries_.end()) return std::nullopt;
  const Admission admission = it->second.admission;
  entries_.erase(it);
  return admission;
}

std::vector<std::shared_ptr<Connection>> ConnectionRegistry::Live() const {
  std::vector<std::shared_ptr<Connection>> live;
  MutexLock lock(&mu_);
  for (const auto& [ptr, entry] : entries_) {
    if (auto connection = entry.connection.lock()) {
      live.push_back(std::move(connection));
    }
  }
  return live;
}

int64_t ConnectionRegistry::size() const {
  MutexLock lock(&mu_);
  return static_cast<int64_t>(entries_.size());
}

bool ConnectionRegistry::AwaitEmpty(std::chrono::milliseconds timeout) const {
  auto empty = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return entries_.empty();
  };
  MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&empty),
                              absl::FromChrono(timeout));
}

}  // namespace strata::server
