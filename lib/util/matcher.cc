#include <string>

#include "absl/strings/str_cat.h"
#include "re2/re2.h"
#include "strata/labels.h"
#include "util/go_regexp.h"
#include "util/strings.h"

namespace strata {

// The compiled form of a regex matcher, plus what index lookups can use to
// avoid testing every label value.
struct Matcher::Regex {
  explicit Regex(const std::string& anchored) : re(anchored, Options()) {}
  static RE2::Options Options() {
    RE2::Options o;
    o.set_log_errors(false);
    return o;
  }
  RE2 re;
  std::vector<std::string> set_matches;
  std::string literal_prefix;
};

namespace {

bool IsRegexMeta(char c) {
  switch (c) {
    case '.':
    case '+':
    case '*':
    case '?':
    case '(':
    case ')':
    case '|':
    case '[':
    case ']':
    case '{':
    case '}':
    case '^':
    case '$':
    case '\\':
      return true;
    default:
      return false;
  }
}

// Escapes that stand for themselves, as in `a\.b`.
bool IsEscapedLiteral(char c) { return IsRegexMeta(c) || c == '-' || c == '/'; }

// For `a|b\.c|d`, returns {"a", "b.c", "d"}; an empty vector if the pattern
// is anything other than an alternation of plain literals.
std::vector<std::string> FindSetMatches(std::string_view pattern) {
  std::vector<std::string> out;
  std::string current;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 >= pattern.size() || !IsEscapedLiteral(pattern[i + 1])) {
        return {};
      }
      current.push_back(pattern[++i]);
    } else if (c == '|') {
      out.push_back(std::move(current));
      current.clear();
    } else if (IsRegexMeta(c)) {
      return {};
    } else {
      current.push_back(c);
    }
  }
  out.push_back(std::move(current));
  return out;
}

// Longest match bound RE2 works out; prefixes longer than this are cut,
// which only narrows less.
constexpr int kMaxLiteralPrefix = 256;

// The prefix every value `re` accepts starts with. RE2 bounds all its
// matches between a least and a greatest string; a value that differed from
// their common prefix would sort outside that range. Asking RE2 rather than
// scanning the pattern keeps groups, flags and alternations right, e.g.
// `ab)*(c`, which the matcher's anchoring turns into `^(?:ab)*(c)$`.
std::string FindLiteralPrefix(const RE2& re) {
  std::string least;
  std::string greatest;
  if (!re.PossibleMatchRange(&least, &greatest, kMaxLiteralPrefix)) return "";
  size_t common = 0;
  while (common < least.size() && common < greatest.size() &&
         least[common] == greatest[common]) {
    ++common;
  }
  least.resize(common);
  // The bound may end inside a multi-byte UTF-8 sequence; trim a partial.
  while (!least.empty() && !IsValidUtf8(least)) least.pop_back();
  return least;
}

}  // namespace

StatusOr<Matcher> Matcher::Create(Type type, std::string_view name,
                                  std::string_view value) {
  std::shared_ptr<const Regex> regex;
  if (type == Type::kRegexMatch || type == Type::kRegexNoMatch) {
    auto r = std::make_shared<Regex>("^(?:" + std::string(value) + ")$");
    if (!r->re.ok()) {
      const std::string_view go_text = GoRegexpErrorText(r->re.error_code());
      if (go_text.empty()) {
        return Status::InvalidArgument(
            "error parsing regexp: " + r->re.error() + ": `" +
            std::string(value) + "`");
      }
      return Status::InvalidArgument(
          "error parsing regexp: " + std::string(go_text) + ": `" +
          r->re.error_arg() + "`");
    }
    r->set_matches = FindSetMatches(value);
    // Index lookups use set matches where there are some (postings for each
    // literal), else the prefix; asking RE2 for bounds costs microseconds.
    if (r->set_matches.empty()) r->literal_prefix = FindLiteralPrefix(r->re);
    regex = std::move(r);
  }
  return Matcher(type, std::string(name), std::string(value), std::move(regex));
}

Matcher Matcher::Equal(std::string_view name, std::string_view value) {
  return Matcher(Type::kEqual, std::string(name), std::string(value), nullptr);
}

Matcher Matcher::NotEqual(std::string_view name, std::string_view value) {
  return Matcher(Type::kNotEqual, std::string(name), std::string(value),
                 nullptr);
}

bool Matcher::Matches(std::string_view label_value) const {
  switch (type_) {
    case Type::kEqual:
      return label_value == value_;
    case Type::kNotEqual:
      return label_value != value_;
    case Type::kRegexMatch:
      return RE2::FullMatch(label_value, regex_->re);
    case Type::kRegexNoMatch:
      return !RE2::FullMatch(label_value, regex_->re);
  }
  return false;
}

const std::vector<std::string>& Matcher::SetMatches() const {
  static const std::vector<std::string> kNone;
  return regex_ ? regex_->set_matches : kNone;
}

std::string_view Matcher::LiteralPrefix() const {
  return regex_ ? std::string_view(regex_->literal_prefix) : std::string_view();
}

std::string_view Matcher::OperatorString(Type type) {
  switch (type) {
    case Type::kEqual:
      return "=";
    case Type::kNotEqual:
      return "!=";
    case Type::kRegexMatch:
      return "=~";
    case Type::kRegexNoMatch:
      return "!~";
  }
  return "=";
}

std::string Matcher::ToString() const {
  std::string out = name_;
  out.append(OperatorString(type_));
  AppendQuoted(&out, value_);
  return out;
}

}  // namespace strata
