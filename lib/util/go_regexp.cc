#include "util/go_regexp.h"

#include "re2/re2.h"
#include "util/strings.h"

namespace strata {

std::string_view GoRegexpErrorText(int re2_error_code) {
  switch (static_cast<RE2::ErrorCode>(re2_error_code)) {
    case RE2::ErrorBadEscape:
      return "invalid escape sequence";
    case RE2::ErrorBadCharClass:
      return "invalid character class";
    case RE2::ErrorBadCharRange:
      return "invalid character class range";
    case RE2::ErrorMissingBracket:
      return "missing closing ]";
    case RE2::ErrorMissingParen:
      return "missing closing )";
    case RE2::ErrorUnexpectedParen:
      return "unexpected )";
    case RE2::ErrorTrailingBackslash:
      return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument:
      return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize:
      return "invalid repeat count";
    case RE2::ErrorRepeatOp:
      return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp:
      return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8:
      return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture:
      return "invalid named capture";
    default:
      return "";
  }
}

std::string GoRegexpCompileError(int re2_error_code,
                                 std::string_view error_arg) {
  std::string_view text = GoRegexpErrorText(re2_error_code);
  if (re2_error_code == RE2::ErrorPatternTooLarge) {
    text = "expression too large";
  } else if (text.empty()) {
    text = "regexp/syntax: internal error";
  }
  return Cat("error parsing regexp: ", text, ": `", error_arg, "`");
}

namespace {

bool IsGroupNameChar(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
}

// Go's extract's number rule: decimal, below 1e8, no leading zero; else -1
// (then the name is looked up as a group name).
int GroupNumber(std::string_view name) {
  if (name.size() > 1 && name[0] == '0') return -1;
  int num = 0;
  for (char c : name) {
    if (c < '0' || c > '9' || num >= 100000000) return -1;
    num = num * 10 + (c - '0');
  }
  return num;
}

}  // namespace

void GoRegexpExpand(std::string_view tmpl,
                    std::span<const std::string_view> groups,
                    const std::map<std::string, int>& named_groups,
                    std::string* out) {
  while (!tmpl.empty()) {
    const size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out->append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    const bool brace = !tmpl.empty() && tmpl[0] == '{';
    const std::string_view s = tmpl.substr(brace ? 1 : 0);
    size_t i = 0;
    while (i < s.size() && IsGroupNameChar(s[i])) ++i;
    if (i == 0 || (brace && (i >= s.size() || s[i] != '}'))) {
      out->push_back('$');  // Malformed: the '$' is literal.
      continue;
    }
    const std::string_view name = s.substr(0, i);
    tmpl = s.substr(i + (brace ? 1 : 0));
    int num = GroupNumber(name);
    if (num < 0) {
      auto it = named_groups.find(std::string(name));
      if (it != named_groups.end()) num = it->second;
    }
    if (num >= 0 && num < static_cast<int>(groups.size()) &&
        groups[num].data() != nullptr) {
      out->append(groups[num]);
    }
  }
  out->append(tmpl);
}

}  // namespace strata
