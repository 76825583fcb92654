// UiHandler: the built-in web UI (web/ui), served from bytes embedded in
// the binary, the counterpart of Prometheus's React UI routes.
//
//   GET /                    302 to <external path>/graph (Prometheus's
//                            redirect); without a UI, the help page.
//   GET /graph, /cardinality, /tsdb-status, /status, /rules, /alerts,
//       /flags               index.html (Cache-Control: no-cache, ETag);
//                            the app routes on the path. Every page is one
//                            segment deep so that index.html's relative
//                            asset and API URLs resolve under any
//                            --web.external-url path.
//   GET /assets/*file        a bundled asset, immutable (content-hashed
//                            names), gzip-encoded when the client accepts
//                            it; 304 on a matching If-None-Match.
//
// A server built without node/npm has no assets: every page then answers
// 200 with an HTML page telling how to build the UI, assets 404.
//
// Thread-safety: RegisterRoutes is called once before serving; the handlers
// only read constant data and are safe to call concurrently.
#ifndef STRATA_SERVER_API_UI_HANDLER_H_
#define STRATA_SERVER_API_UI_HANDLER_H_

#include <span>
#include <string>
#include <string_view>

#include "server/http/http.h"
#include "server/http/router.h"

namespace strata::server {

// One embedded file. The views point into static storage that outlives
// the handler (the generated web/ui assets, or a test's literals).
struct UiAsset {
  std::string_view path;          // Relative to the UI root: "index.html",
                                  // "assets/app-3F2A.js".
  std::string_view content_type;  // "text/javascript; charset=utf-8".
  std::string_view body;
  std::string_view gzip_body;  // `body` gzipped, or "" if not worth it.
  std::string_view etag;       // A strong, quoted entity tag.
};

struct UiOptions {
  // The embedded UI; empty when the binary was built without it.
  std::span<const UiAsset> assets;
  // The path of --web.external-url ("" or "/prefix", no trailing '/'), for
  // the redirect of "/".
  std::string external_path;
};

class UiHandler {
 public:
  explicit UiHandler(UiOptions options);
  UiHandler(const UiHandler&) = delete;
  UiHandler& operator=(const UiHandler&) = delete;

  void RegisterRoutes(Router* router);

  // The pages index.html is served at (without the leading '/').
  static std::span<const std::string_view> PagePaths();

 private:
  // The asset at `path` (relative to the UI root), or null.
  const UiAsset* Find(std::string_view path) const;
  Response Serve(const Request& request, const UiAsset& asset,
                 std::string_view cache_control) const;
  // The page a server without an embedded UI shows.
  static Response NotBuiltPage();

  const UiOptions options_;
};

}  // namespace strata::server

#endif  // STRATA_SERVER_API_UI_HANDLER_H_
