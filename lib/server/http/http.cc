#include "server/http/http.h"

#include <algorithm>

namespace strata::server {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

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
