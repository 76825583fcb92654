// Minimal JSON output helpers for the HTTP API.
//
// Thread-safety: pure functions.
#ifndef STRATA_SERVER_HTTP_JSON_H_
#define STRATA_SERVER_HTTP_JSON_H_

#include <string>
#include <string_view>

namespace strata::server {

// Appends `text` as a JSON string literal (with quotes), escaping as Go's
// encoding/json does: '"', '\\', control characters, '<', '>', '&', U+2028
// and U+2029. Bytes >= 0x80 pass through unchanged, so valid
// UTF-8 stays valid.
void AppendJsonString(std::string* out, std::string_view text);
std::string JsonString(std::string_view text);

}  // namespace strata::server

#endif  // STRATA_SERVER_HTTP_JSON_H_
