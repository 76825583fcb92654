#include "server/remote/ingest_outcome.h"

#include "server/http/http.h"
#include "util/file_system.h"
#include "util/log.h"
#include "util/strings.h"

namespace strata::server {

int64_t WallClockMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

FatalRefusal RefusalOfFatal(const Status& fatal, std::string_view what,
                            const DB& db) {
  STRATA_LOG(kError, what, {{"err", fatal.ToString()}});
  if (fatal.code() == StatusCode::kNotSupported) {
    // Prometheus 2.42's storage.ErrNativeHistogramsDisabled: 500 with the
    // error's text.
    return FatalRefusal{kHttpInternalServerError, "native_histograms_disabled",
                        std::string(fatal.message())};
  }
  const bool unavailable = fatal.Is(StatusCode::kUnavailable);
  return FatalRefusal{
      unavailable ? kHttpServiceUnavailable : kHttpInternalServerError,
      unavailable ? "unavailable" : "commit_failed",
      RelativeToDir(
          Cat("storing the samples failed, retry: ", fatal.ToString()),
          db.dir())};
}

bool OncePerSecond::Allow() {
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
  int64_t last = last_.load(std::memory_order_relaxed);
  return now_s > last && last_.compare_exchange_strong(last, now_s);
}

void PersistMetadata(MetadataStore* metadata, int64_t updates,
                     std::chrono::milliseconds interval) {
  if (metadata == nullptr || updates == 0) return;
  Status flushed = metadata->MaybeFlush(interval);
  if (!flushed.ok()) {
    STRATA_LOG(kWarn, "Error persisting metric metadata",
               {{"err", flushed.ToString()}});
  }
}

}  // namespace strata::server
