#include "server/remote/ingest_target.h"

#include <utility>

namespace strata::server {

void IngestTarget::Set(DB* db) {
  DB* old = db_.exchange(db, std::memory_order_acq_rel);
  if (old != db) cache_.Clear();
}

Response RefuseRequest(CounterFamily* refused, int status,
                       std::string_view reason, std::string message) {
  refused->WithLabelValues({reason})->Inc();
  message += '\n';
  return Response::Text(status, std::move(message));
}

}  // namespace strata::server
