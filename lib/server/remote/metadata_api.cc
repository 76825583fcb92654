#include "server/remote/metadata_api.h"

#include <charconv>
#include <string>
#include <utility>

#include "server/http/api_envelope.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// Go's strconv.Atoi on a present parameter; `*v` keeps its default if the
// parameter is absent.
bool IntParam(const Request& request, std::string_view name, int64_t* v) {
  const std::string_view s = request.params.Get(name);
  if (s.empty()) return true;
  const char* begin = s.data() + (s.front() == '+' ? 1 : 0);
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), *v);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

Response MetadataApi(const MetadataStore& store, const Request& request) {
  int64_t limit = -1;
  int64_t limit_per_metric = -1;
  if (!IntParam(request, "limit", &limit)) {
    return ApiError(ApiErrorType::kBadData, "limit must be a number");
  }
  if (!IntParam(request, "limit_per_metric", &limit_per_metric)) {
    return ApiError(ApiErrorType::kBadData,
                    "limit_per_metric must be a number");
  }
  const auto metrics =
      store.List(request.params.Get("metric"), limit, limit_per_metric);
  std::string data = "{";
  bool first_metric = true;
  for (const auto& [name, entries] : metrics) {
    if (entries.empty()) continue;
    if (!first_metric) data += ',';
    first_metric = false;
    AppendJsonString(&data, name);
    data += ":[";
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) data += ',';
      data += R"({"type":)";
      AppendJsonString(&data, entries[i].type);
      data += R"(,"help":)";
      AppendJsonString(&data, entries[i].help);
      data += R"(,"unit":)";
      AppendJsonString(&data, entries[i].unit);
      data += '}';
    }
    data += ']';
  }
  data += '}';
  return ApiSuccess(data);
}

void RegisterMetadataApi(Router* router, const MetadataStore* store,
                         std::function<bool()> ready) {
  router->Get(
      "/api/v1/metadata", [store, ready = std::move(ready)](Request& request) {
        if (ready && !ready()) {
          return Response::Text(kHttpServiceUnavailable, "Service Unavailable");
        }
        return MetadataApi(*store, request);
      });
}

}  // namespace strata::server
