// What the remote write and OTLP receivers do alike with an ingest's
// outcome: the answer to a failed commit, rate-limited logging of
// rejections, and persisting changed metadata.
//
// Thread-safety: functions are safe to call concurrently; a
// OncePerSecond is shared by the threads of one handler.
#ifndef STRATA_SERVER_REMOTE_INGEST_OUTCOME_H_
#define STRATA_SERVER_REMOTE_INGEST_OUTCOME_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/remote/metadata_store.h"
#include "strata/db.h"
#include "strata/status.h"

namespace strata::server {

// The receiver's wall clock, for the future-timestamp bound.
int64_t WallClockMillis();

// The refusal of a request whose samples could not be committed
// (IngestResult::fatal): 503 "unavailable" while the DB closes, else 500
// "commit_failed"; the message has paths relative to the data directory.
// NotSupported (native histograms off) is 500 "native_histograms_disabled"
// with the status's message alone, as Prometheus 2.42's error text.
// Logs the error under `what` (e.g. "Error appending remote write").
struct FatalRefusal {
  int status;
  std::string_view reason;
  std::string message;
};
FatalRefusal RefusalOfFatal(const Status& fatal, std::string_view what,
                            const DB& db);

// Lets one caller through per second of the steady clock, e.g. to log
// rejected samples without flooding the log.
class OncePerSecond {
 public:
  bool Allow();

 private:
  std::atomic<int64_t> last_{0};
};

// Writes `metadata` (may be null) if `updates` changed it and the last
// write is at least `interval` ago; logs a failure.
void PersistMetadata(MetadataStore* metadata, int64_t updates,
                     std::chrono::milliseconds interval);

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_INGEST_OUTCOME_H_
