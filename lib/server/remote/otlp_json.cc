#include "server/remote/otlp_json.h"

#include <google/protobuf/arena.h>
#include <google/protobuf/util/json_util.h>

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "util/strings.h"

namespace strata::server {

using ::opentelemetry::proto::collector::metrics::v1::
    ExportMetricsServiceRequest;

Status OtlpJsonToProtobuf(std::string_view json, std::string* out) {
  // One arena for the whole message: it is built, serialized and dropped.
  google::protobuf::Arena arena;
  auto* request =
      google::protobuf::Arena::CreateMessage<ExportMetricsServiceRequest>(
          &arena);
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const google::protobuf::util::Status parsed =
      google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), request,
          options);
  if (!parsed.ok()) {
    return Status::InvalidArgument(
        Cat("invalid OTLP/JSON request: ", std::string(parsed.message())));
  }
  out->clear();
  if (!request->SerializeToString(out)) {
    return Status::InvalidArgument(
        "invalid OTLP/JSON request: it cannot be encoded as protobuf");
  }
  return Status::OK();
}

}  // namespace strata::server
