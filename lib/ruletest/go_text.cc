#include "ruletest/go_text.h"

#include "util/go_format.h"
#include "util/strings.h"

namespace strata::ruletest {

std::string IndentLines(std::string_view lines, std::string_view indent) {
  std::string out;
  size_t start = 0;
  bool first = true;
  while (true) {
    const size_t nl = lines.find('\n', start);
    if (!first) out.append(indent);
    first = false;
    if (nl == std::string_view::npos) {
      out.append(lines.substr(start));
      return out;
    }
    out.append(lines.substr(start, nl - start + 1));
    start = nl + 1;
  }
}

std::string FormatFloatUpperE(double v) {
  std::string s = FormatGoFloat(v, GoFloatFormat::kExponent);
  for (char& c : s) {
    if (c == 'e') c = 'E';
  }
  return s;
}

}  // namespace strata::ruletest
