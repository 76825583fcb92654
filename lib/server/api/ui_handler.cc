#include "server/api/ui_handler.h"

#include <array>
#include <string>
#include <utility>

#include "server/http/gzip_body_writer.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// The React UI's page names in Prometheus 2.42, plus Strata's own.
constexpr std::array<std::string_view, 7> kPagePaths = {
    "graph", "cardinality", "tsdb-status", "status",
    "rules", "alerts",      "flags"};

constexpr std::string_view kIndexPath = "index.html";
constexpr std::string_view kContentTypeHtml = "text/html; charset=utf-8";
// Assets carry their content hash in their names: cache them for a year.
constexpr std::string_view kCacheImmutable =
    "public, max-age=31536000, immutable";
// index.html names the current assets: revalidate it every time.
constexpr std::string_view kCacheRevalidate = "no-cache";

// Whether an If-None-Match header value lists `etag` (or is "*").
bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const size_t comma = if_none_match.find(',');
    std::string_view tag = if_none_match.substr(0, comma);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

// Go's http.Redirect: 302 and Location (the body, a link for humans, is
// left out: every browser follows the header).
Response Redirect(const std::string& location) {
  Response response;
  response.status = kHttpFound;
  response.headers.Set("Location", location);
  return response;
}

}  // namespace

UiHandler::UiHandler(UiOptions options) : options_(std::move(options)) {}

std::span<const std::string_view> UiHandler::PagePaths() { return kPagePaths; }

void UiHandler::RegisterRoutes(Router* router) {
  router->Get("/", [this](Request&) {
    if (options_.assets.empty()) return NotBuiltPage();
    return Redirect(options_.external_path + "/graph");
  });
  for (std::string_view page : kPagePaths) {
    router->Get(Cat("/", page), [this](Request& request) {
      const UiAsset* index = Find(kIndexPath);
      if (index == nullptr) return NotBuiltPage();
      return Serve(request, *index, kCacheRevalidate);
    });
  }
  router->Get("/assets/*file", [this](Request& request) {
    const UiAsset* asset =
        Find(Cat("assets/", request.path_params.Get("file")));
    if (asset == nullptr) return NotFoundResponse();
    return Serve(request, *asset, kCacheImmutable);
  });
}

const UiAsset* UiHandler::Find(std::string_view path) const {
  for (const UiAsset& asset : options_.assets) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

Response UiHandler::Serve(const Request& request, const UiAsset& asset,
                          std::string_view cache_control) const {
  Response response;
  response.headers.Set("ETag", std::string(asset.etag));
  response.headers.Set("Cache-Control", std::string(cache_control));
  response.headers.Set("Vary", "Accept-Encoding");
  if (EtagMatches(request.headers.Get("If-None-Match"), asset.etag)) {
    response.status = kHttpNotModified;
    return response;
  }
  response.headers.Set("Content-Type", std::string(asset.content_type));
  if (!asset.gzip_body.empty() &&
      AcceptsGzip(request.headers.Get("Accept-Encoding"))) {
    response.headers.Set("Content-Encoding", "gzip");
    response.body = std::string(asset.gzip_body);
  } else {
    response.body = std::string(asset.body);
  }
  return response;
}

Response UiHandler::NotBuiltPage() {
  Response response;
  response.headers.Set("Content-Type", std::string(kContentTypeHtml));
  response.headers.Set("Cache-Control", std::string(kCacheRevalidate));
  response.body = R"(<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Strata</title></head>
<body>
<h1>Strata</h1>
<p>This strata-server was built without its web UI: Node.js and npm were
not found when it was configured.</p>
<p>To get the UI, install them (on Debian: <code>apt-get install nodejs
npm</code>) and rebuild: <code>make</code>, or <code>cmake -S . -B build
&amp;&amp; cmake --build build --target strata-server</code>. The build runs
<code>npm ci</code> in <code>web/ui</code> and embeds the bundle in the
binary.</p>
<p>The HTTP API works without it: <a href="api/v1/status/buildinfo">build
information</a>, <a href="metrics">metrics</a>, and
<code>/api/v1/query</code> for Grafana or any Prometheus client.</p>
</body>
</html>
)";
  return response;
}

}  // namespace strata::server
