// Parses PromQL series selectors, the match[] parameter of Prometheus's
// HTTP API: `metric`, `metric{label="value", ...}` or `{...}` with the
// operators = != =~ !~ and PromQL's string literals ("..." and '...' with
// Go escapes, `...` raw).
//
// As in Prometheus, the selector must have at least one matcher that does
// not match the empty string, and a metric name given both ways
// (`up{__name__="x"}`) is an error.
//
// Thread-safety: pure function.
#ifndef STRATA_SERVER_API_SERIES_SELECTOR_H_
#define STRATA_SERVER_API_SERIES_SELECTOR_H_

#include <string_view>
#include <vector>

#include "strata/labels.h"
#include "strata/status.h"

namespace strata::server {

// InvalidArgument with a position and reason for anything else.
StatusOr<std::vector<Matcher>> ParseSeriesSelector(std::string_view text);

}  // namespace strata::server

#endif  // STRATA_SERVER_API_SERIES_SELECTOR_H_
