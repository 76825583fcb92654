// The web UI's files embedded in strata-server: generated from web/ui by
// web/ui/build.mjs when node and npm were found at configure time, else
// empty (web/ui_assets_none.cc). See web/CMakeLists.txt.
//
// Thread-safety: constant data.
#ifndef STRATA_WEB_UI_ASSETS_H_
#define STRATA_WEB_UI_ASSETS_H_

#include <span>

#include "server/api/ui_handler.h"

namespace strata::web {

// Every file of the bundle (index.html, assets/...), in static storage.
std::span<const server::UiAsset> EmbeddedUiAssets();

}  // namespace strata::web

#endif  // STRATA_WEB_UI_ASSETS_H_
