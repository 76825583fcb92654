#include "server/http/api_envelope.h"

#include <string>

#include "util/strings.h"

namespace strata::server {

std::string_view ApiErrorTypeName(ApiErrorType type) {
  switch (type) {
    case ApiErrorType::kBadData:
      return "bad_data";
    case ApiErrorType::kExecution:
      return "execution";
    case ApiErrorType::kCanceled:
      return "canceled";
    case ApiErrorType::kTimeout:
      return "timeout";
    case ApiErrorType::kInternal:
      return "internal";
    case ApiErrorType::kNotFound:
      return "not_found";
    case ApiErrorType::kUnavailable:
      return "unavailable";
  }
  return "internal";
}

int ApiErrorStatus(ApiErrorType type) {
  switch (type) {
    case ApiErrorType::kBadData:
      return kHttpBadRequest;
    case ApiErrorType::kExecution:
      return 422;
    case ApiErrorType::kCanceled:
    case ApiErrorType::kTimeout:
    case ApiErrorType::kUnavailable:
      return kHttpServiceUnavailable;
    case ApiErrorType::kNotFound:
      return kHttpNotFound;
    case ApiErrorType::kInternal:
      break;
  }
  return kHttpInternalServerError;
}

Response ApiSuccess(std::string_view data_json) {
  std::string body = R"({"status":"success","data":)";
  body.append(data_json);
  body += '}';
  return Response::Json(kHttpOk, std::move(body));
}

Response ApiError(ApiErrorType type, std::string_view message) {
  std::string body = R"({"status":"error","errorType":)";
  AppendJsonString(&body, ApiErrorTypeName(type));
  body += R"(,"error":)";
  AppendJsonString(&body, message);
  body += '}';
  return Response::Json(ApiErrorStatus(type), std::move(body));
}

ApiErrorType ApiErrorTypeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return ApiErrorType::kBadData;
    case StatusCode::kNotFound:
      return ApiErrorType::kNotFound;
    case StatusCode::kUnavailable:
    case StatusCode::kNotSupported:
      return ApiErrorType::kUnavailable;
    case StatusCode::kCancelled:
      return ApiErrorType::kCanceled;
    case StatusCode::kDeadlineExceeded:
      return ApiErrorType::kTimeout;
    default:
      return ApiErrorType::kInternal;
  }
}

}  // namespace strata::server
