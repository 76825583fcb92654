#include "server/http/json.h"

namespace strata::server {

void AppendJsonString(std::string* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    // U+2028 and U+2029 (E2 80 A8/A9) end lines in JavaScript; Go
    // escapes them.
    if (u == 0xe2 && i + 2 < text.size() && text[i + 1] == '\x80' &&
        (text[i + 2] == '\xa8' || text[i + 2] == '\xa9')) {
      out->append(text[i + 2] == '\xa8' ? "\\u2028" : "\\u2029");
      i += 2;
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      // Go's encoding/json (and so Prometheus) escapes these so the
      // output is safe to embed in HTML.
      case '<':
        out->append("\\u003c");
        break;
      case '>':
        out->append("\\u003e");
        break;
      case '&':
        out->append("\\u0026");
        break;
      default:
        if (u < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 0xf]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

std::string JsonString(std::string_view text) {
  std::string out;
  AppendJsonString(&out, text);
  return out;
}

}  // namespace strata::server
