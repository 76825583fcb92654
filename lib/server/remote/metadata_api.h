// GET /api/v1/metadata: the metric metadata received by remote write, in
// Prometheus's shape:
//   {"status":"success","data":{"<metric>":[{"type":"counter",
//    "help":"...","unit":""}, ...], ...}}
// Parameters as Prometheus's: metric=<name> selects one metric, limit=<n>
// caps the number of metrics, limit_per_metric=<n> the entries per metric
// (a non-integer is 400 bad_data). 503 "Service Unavailable" until ready.
//
// Thread-safety: safe to call concurrently.
#ifndef STRATA_SERVER_REMOTE_METADATA_API_H_
#define STRATA_SERVER_REMOTE_METADATA_API_H_

#include <functional>

#include "server/http/http.h"
#include "server/http/router.h"
#include "server/remote/metadata_store.h"

namespace strata::server {

// `store` is not owned; `ready` says whether /api/v1 may answer yet.
void RegisterMetadataApi(Router* router, const MetadataStore* store,
                         std::function<bool()> ready);

Response MetadataApi(const MetadataStore& store, const Request& request);

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_METADATA_API_H_
