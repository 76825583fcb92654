#include "template/regexp.h"

#include <re2/re2.h>

#include <memory>
#include <vector>

#include "util/go_regexp.h"
#include "util/strings.h"

namespace strata::tmpl {
namespace {

// Go's regexp/syntax ErrorCode text for RE2's codes: util's table, plus
// Go's wording for a pattern too large and for anything else.
std::string_view GoErrorCode(RE2::ErrorCode code) {
  if (code == RE2::ErrorPatternTooLarge) return "expression too large";
  const std::string_view text = GoRegexpErrorText(code);
  return text.empty() ? "regexp/syntax: internal error" : text;
}

StatusOr<std::unique_ptr<RE2>> Compile(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(
      re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    return Status::InvalidArgument(
        Cat("error parsing regexp: ", GoErrorCode(re->error_code()), ": `",
            re->error_arg(), "`"));
  }
  return re;
}

bool IsNameChar(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
}

// Go's Regexp.expand: appends `tmpl` with $-references to `groups`.
void Expand(const RE2& re, std::string_view tmpl,
            const std::vector<re2::StringPiece>& groups, std::string* out) {
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out->append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    bool brace = !tmpl.empty() && tmpl[0] == '{';
    std::string_view s = tmpl.substr(brace ? 1 : 0);
    size_t i = 0;
    while (i < s.size() && IsNameChar(s[i])) ++i;
    if (i == 0 || (brace && (i >= s.size() || s[i] != '}'))) {
      out->push_back('$');  // Malformed: the '$' is literal.
      continue;
    }
    std::string_view name = s.substr(0, i);
    tmpl = s.substr(i + (brace ? 1 : 0));
    int num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name.size() > 1 && name[0] == '0') num = -1;
    if (num < 0) {
      auto it = re.NamedCapturingGroups().find(std::string(name));
      if (it != re.NamedCapturingGroups().end()) num = it->second;
    }
    if (num >= 0 && num < static_cast<int>(groups.size()) &&
        groups[num].data() != nullptr) {
      out->append(groups[num].data(), groups[num].size());
    }
  }
  out->append(tmpl);
}

}  // namespace

StatusOr<bool> RegexpMatch(std::string_view pattern, std::string_view text) {
  STRATA_ASSIGN_OR_RETURN(auto re, Compile(pattern));
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re);
}

StatusOr<std::string> RegexpReplaceAll(std::string_view pattern,
                                       std::string_view replacement,
                                       std::string_view text) {
  STRATA_ASSIGN_OR_RETURN(auto re, Compile(pattern));
  const re2::StringPiece src(text.data(), text.size());
  std::vector<re2::StringPiece> groups(re->NumberOfCapturingGroups() + 1);
  std::string out;
  size_t search = 0;
  size_t last_end = 0;
  while (search <= text.size()) {
    if (!re->Match(src, search, text.size(), RE2::UNANCHORED, groups.data(),
                   static_cast<int>(groups.size()))) {
      break;
    }
    size_t a0 = groups[0].data() - text.data();
    size_t a1 = a0 + groups[0].size();
    out.append(text.substr(last_end, a0 - last_end));
    // No replacement for an empty match right after another match.
    if (a1 > last_end || a0 == 0) {
      Expand(*re, replacement, groups, &out);
    }
    last_end = a1;
    int width = 1;
    if (search < text.size()) DecodeRune(text.substr(search), &width);
    if (search + width > a1) {
      search += width;
    } else if (search + 1 > a1) {
      ++search;
    } else {
      search = a1;
    }
  }
  out.append(text.substr(last_end));
  return out;
}

}  // namespace strata::tmpl
