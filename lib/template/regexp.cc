#include "template/regexp.h"

#include <re2/re2.h>

#include <memory>
#include <vector>

#include "util/go_regexp.h"
#include "util/strings.h"

namespace strata::tmpl {
namespace {

StatusOr<std::unique_ptr<RE2>> Compile(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(
      re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    return Status::InvalidArgument(
        GoRegexpCompileError(re->error_code(), re->error_arg()));
  }
  return re;
}

// Go's Regexp.expand of `tmpl` for one match.
void Expand(const RE2& re, std::string_view tmpl,
            const std::vector<re2::StringPiece>& groups, std::string* out) {
  std::vector<std::string_view> texts(groups.size());
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].data() != nullptr) {
      texts[i] = std::string_view(groups[i].data(), groups[i].size());
    }
  }
  GoRegexpExpand(tmpl, texts, re.NamedCapturingGroups(), out);
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
