#include "server/http/http.h"

#include <algorithm>

#include "util/strings.h"

namespace strata::server {

std::string_view Headers::Get(std::string_view name) const {
  for (const auto& [k, v] : fields_) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

bool Headers::Has(std::string_view name) const {
  for (const auto& field : fields_) {
    if (EqualsIgnoreCase(field.first, name)) return true;
  }
  return false;
}

void Headers::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::Set(std::string name, std::string value) {
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const auto& field) {
                                 return EqualsIgnoreCase(field.first, name);
                               }),
                fields_.end());
  fields_.emplace_back(std::move(name), std::move(value));
}

Response Response::Text(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers.Set("Content-Type", std::string(kContentTypeText));
  response.body = std::move(body);
  return response;
}

Response Response::Json(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers.Set("Content-Type", std::string(kContentTypeJson));
  response.body = std::move(body);
  return response;
}

Response NotFoundResponse() {
  return Response::Text(kHttpNotFound, "404 page not found\n");
}

}  // namespace strata::server
