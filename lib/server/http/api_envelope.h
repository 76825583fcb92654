// The JSON envelope of Prometheus's HTTP API (/api/v1/...):
//   {"status":"success","data":<data>}
//   {"status":"error","errorType":"<type>","error":"<message>"}
// with the status code Prometheus uses for each error type.
//
// Thread-safety: pure functions.
#ifndef STRATA_SERVER_HTTP_API_ENVELOPE_H_
#define STRATA_SERVER_HTTP_API_ENVELOPE_H_

#include <string_view>

#include "server/http/http.h"
#include "strata/status.h"

namespace strata::server {

enum class ApiErrorType {
  kBadData,      // 400
  kExecution,    // 422
  kCanceled,     // 503
  kTimeout,      // 503
  kInternal,     // 500
  kNotFound,     // 404
  kUnavailable,  // 503
};

std::string_view ApiErrorTypeName(ApiErrorType type);
int ApiErrorStatus(ApiErrorType type);

// `data_json` is inserted as it is; it must be valid JSON.
Response ApiSuccess(std::string_view data_json);
Response ApiError(ApiErrorType type, std::string_view message);

// The error type for a storage Status: InvalidArgument -> bad_data,
// NotFound -> not_found, Unavailable and NotSupported -> unavailable,
// Cancelled -> canceled, DeadlineExceeded -> timeout, anything else ->
// internal.
ApiErrorType ApiErrorTypeFor(const Status& status);

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_API_ENVELOPE_H_
