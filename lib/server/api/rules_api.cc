#include "server/api/rules_api.h"

#include <utility>

#include "server/api/api_params.h"
#include "server/api/rules_json.h"
#include "server/http/api_envelope.h"
#include "util/strings.h"

namespace strata::server {

RulesApi::RulesApi(RulesApiOptions options) : options_(std::move(options)) {}

void RulesApi::RegisterRoutes(Router* router) {
  const auto route = [&](std::string_view path,
                         Response (RulesApi::*method)(const Request&) const) {
    router->Get(path, [this, method](Request& request) {
      if (options_.ready && !options_.ready()) {
        return Response::Text(kHttpServiceUnavailable, "Service Unavailable");
      }
      Response response = (this->*method)(request);
      options_.cross_origin.SetCorsHeaders(request, &response);
      return response;
    });
  };
  route("/api/v1/rules", &RulesApi::Rules);
  route("/api/v1/alerts", &RulesApi::Alerts);
  route("/api/v1/alertmanagers", &RulesApi::Alertmanagers);
  route("/api/v1/status/config", &RulesApi::Config);
}

std::vector<rules::GroupStatus> RulesApi::Groups() const {
  if (!options_.groups) return {};
  return options_.groups();
}

Response RulesApi::Rules(const Request& request) const {
  std::string type(request.params.Get("type"));
  for (char& c : type) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  RuleTypeFilter filter = RuleTypeFilter::kAll;
  if (type == "alert") {
    filter = RuleTypeFilter::kAlert;
  } else if (type == "record") {
    filter = RuleTypeFilter::kRecord;
  } else if (!type.empty()) {
    const Status invalid = InvalidParam(
        Status::InvalidArgument(Cat("not supported value ", GoQuoted(type))),
        "type");
    return ApiError(ApiErrorType::kBadData, invalid.message());
  }
  return ApiSuccess(RulesJson(Groups(), filter));
}

Response RulesApi::Alerts(const Request&) const {
  return ApiSuccess(AlertsJson(Groups()));
}

Response RulesApi::Alertmanagers(const Request&) const {
  std::vector<std::string> urls;
  if (options_.alertmanagers) urls = options_.alertmanagers();
  return ApiSuccess(AlertmanagersJson(urls));
}

Response RulesApi::Config(const Request&) const {
  return ApiSuccess(ConfigJson(options_.config_yaml ? options_.config_yaml()
                                                    : std::string()));
}

}  // namespace strata::server
