#include "server/http/http.h"

#include <algorithm>
#include <ctime>

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

Status DecodeRequestTarget(Request* req) {
  std::string_view target = req->target;
  // Absolute form ("http://host/path") is legal in requests; keep the path.
  if (!target.empty() && target.front() != '/' && target != "*") {
    const size_t scheme = target.find("://");
    if (scheme == std::string_view::npos) {
      return Status::InvalidArgument("bad request target");
    }
    const size_t slash = target.find('/', scheme + 3);
    target = slash == std::string_view::npos ? std::string_view("/")
                                             : target.substr(slash);
  }
  const size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  if (question != std::string_view::npos) {
    req->raw_query = std::string(target.substr(question + 1));
  }
  StatusOr<std::string> path = PercentDecode(raw_path, false);
  if (!path.ok()) return path.status();
  req->path = std::move(*path);

  Params query;
  Status query_status = ParseQueryString(req->raw_query, &query);
  const bool form_method =
      req->method == "POST" || req->method == "PUT" || req->method == "PATCH";
  if (form_method && IsFormContentType(req->headers.Get("Content-Type"))) {
    Status form_status = ParseQueryString(req->body, &req->params);
    req->params.Append(query);
    req->params_status = form_status.ok() ? query_status : form_status;
  } else {
    req->params = std::move(query);
    req->params_status = query_status;
  }
  return Status::OK();
}

std::string HttpDate() {
  const std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  char buf[64];
  const size_t n =
      std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

}  // namespace strata::server
