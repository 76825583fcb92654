// A strata-server built without node/npm: no UI files (see ui_assets.h).
#include "ui_assets.h"

namespace strata::web {

std::span<const server::UiAsset> EmbeddedUiAssets() { return {}; }

}  // namespace strata::web
