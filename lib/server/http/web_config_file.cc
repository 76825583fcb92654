#include "server/http/web_config_file.h"

#include <sys/stat.h>

#include <utility>

#include "util/log.h"
#include "util/strings.h"

namespace strata::server {

StatusOr<std::unique_ptr<WebConfigFile>> WebConfigFile::Open(std::string path) {
  StatusOr<std::shared_ptr<const Snapshot>> loaded = Load(path);
  if (!loaded.ok()) return loaded.status();
  const bool tls = (*loaded)->tls != nullptr;
  std::unique_ptr<WebConfigFile> file(new WebConfigFile(std::move(path), tls));
  MutexLock lock(&file->mu_);
  file->seen_ = file->StampsFor((*loaded)->config);
  file->current_ = std::move(*loaded);
  return file;
}

StatusOr<std::shared_ptr<const WebConfigFile::Snapshot>> WebConfigFile::Load(
    const std::string& path) {
  auto snapshot = std::make_shared<Snapshot>();
  StatusOr<WebConfig> config = ReadWebConfigFile(path);
  if (!config.ok()) return config.status();
  snapshot->config = std::move(*config);
  if (snapshot->config.tls.enabled()) {
    StatusOr<std::shared_ptr<const TlsContext>> tls =
        TlsContext::Build(snapshot->config.tls);
    if (!tls.ok()) return tls.status();
    snapshot->tls = std::move(*tls);
  }
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

WebConfigFile::Stamps WebConfigFile::StampsFor(const WebConfig& config) const {
  Stamps stamps;
  auto add = [&stamps](const std::string& file) {
    FileStamp stamp;
    struct stat st;
    if (!file.empty() && ::stat(file.c_str(), &st) == 0) {
      stamp.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 +
                       st.st_mtim.tv_nsec;
      stamp.size = st.st_size;
      stamp.inode = st.st_ino;
    }
    stamps.push_back(stamp);
  };
  add(path_);
  if (tls_enabled_) {
    add(config.tls.cert_file);
    add(config.tls.key_file);
    add(config.tls.client_ca_file);
  }
  return stamps;
}

std::shared_ptr<const WebConfigFile::Snapshot> WebConfigFile::Current() {
  std::shared_ptr<const Snapshot> snapshot;
  {
    MutexLock lock(&mu_);
    snapshot = current_;
  }
  // stat() outside the lock; the comparison and any reload under it (one
  // reload at a time; others keep using the snapshot they hold).
  const Stamps stamps = StampsFor(snapshot->config);
  MutexLock lock(&mu_);
  if (stamps == seen_ || current_ != snapshot) return current_;
  seen_ = stamps;
  StatusOr<std::shared_ptr<const Snapshot>> loaded = Load(path_);
  Status status = loaded.status();
  if (status.ok() && ((*loaded)->tls != nullptr) != tls_enabled_) {
    status = Status::InvalidArgument(
        tls_enabled_ ? "TLS can not be turned off without a restart"
                     : "TLS can not be turned on without a restart");
  }
  if (!status.ok()) {
    STRATA_LOG(kError,
               "Unable to reload the web configuration; keeping the last "
               "good one",
               {{"file", path_}, {"err", std::string(status.message())}});
    return current_;
  }
  current_ = std::move(*loaded);
  seen_ = StampsFor(current_->config);
  ++reloads_;
  STRATA_LOG(kInfo, "Reloaded the web configuration", {{"file", path_}});
  return current_;
}

std::optional<Response> WebConfigFile::Authorize(const Snapshot& snapshot,
                                                 const Request& request) {
  const auto& users = snapshot.config.basic_auth_users;
  if (users.empty() || authenticator_.Authenticate(
                           users, request.headers.Get("Authorization"))) {
    return std::nullopt;
  }
  // Go's http.Error(w, "Unauthorized", 401).
  Response response = Response::Text(kHttpUnauthorized, "Unauthorized\n");
  response.headers.Set("WWW-Authenticate", "Basic");
  response.headers.Set("X-Content-Type-Options", "nosniff");
  return response;
}

void WebConfigFile::ApplyHeaders(const Snapshot& snapshot, Response* response) {
  for (const auto& [name, value] : snapshot.config.http.headers) {
    response->headers.Set(name, value);
  }
}

int64_t WebConfigFile::reloads() const {
  MutexLock lock(&mu_);
  return reloads_;
}

}  // namespace strata::server
