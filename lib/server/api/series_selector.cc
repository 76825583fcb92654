#include "server/api/series_selector.h"

#include <cstdint>
#include <string>
#include <utility>

#include "server/http/str_join.h"

namespace strata::server {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  StatusOr<std::vector<Matcher>> Parse() {
    std::vector<Matcher> matchers;
    std::string metric;
    SkipSpace();
    if (pos_ < text_.size() && (IsAlpha(text_[pos_]) || text_[pos_] == ':')) {
      metric = Identifier(/*metric=*/true);
      matchers.push_back(Matcher::Equal(kMetricNameLabel, metric));
      SkipSpace();
    }
    if (pos_ < text_.size() && text_[pos_] == '{') {
      ++pos_;
      STRATA_RETURN_IF_ERROR(ParseMatchers(&matchers, !metric.empty()));
    }
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected character");
    if (matchers.empty()) return Error("empty selector");
    bool any_non_empty = false;
    for (const Matcher& m : matchers) any_non_empty |= !m.Matches("");
    if (!any_non_empty) {
      return Status::InvalidArgument(
          "vector selector must contain at least one non-empty matcher");
    }
    return matchers;
  }

 private:
  Status ParseMatchers(std::vector<Matcher>* matchers, bool has_metric) {
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size()) return Error("unclosed '{'");
      if (text_[pos_] == '}') {
        ++pos_;
        return Status::OK();
      }
      if (!IsAlpha(text_[pos_])) return Error("expected a label name");
      const std::string name = Identifier(/*metric=*/false);
      SkipSpace();
      Matcher::Type type;
      if (Consume("=~")) {
        type = Matcher::Type::kRegexMatch;
      } else if (Consume("!~")) {
        type = Matcher::Type::kRegexNoMatch;
      } else if (Consume("!=")) {
        type = Matcher::Type::kNotEqual;
      } else if (Consume("=")) {
        type = Matcher::Type::kEqual;
      } else {
        return Error("expected a matching operator");
      }
      SkipSpace();
      STRATA_ASSIGN_OR_RETURN(std::string value, StringLiteral());
      if (has_metric && name == kMetricNameLabel) {
        return Status::InvalidArgument(
            "metric name must not be set twice in a selector");
      }
      STRATA_ASSIGN_OR_RETURN(Matcher m, Matcher::Create(type, name, value));
      matchers->push_back(std::move(m));
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == '}') continue;
      return Error("expected ',' or '}'");
    }
  }

  std::string Identifier(bool metric) {
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (IsAlpha(text_[pos_]) || IsDigit(text_[pos_]) ||
            (metric && text_[pos_] == ':'))) {
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  StatusOr<std::string> StringLiteral() {
    if (pos_ >= text_.size()) return Error("expected a string");
    const char quote = text_[pos_];
    if (quote != '"' && quote != '\'' && quote != '`') {
      return Error("expected a string");
    }
    ++pos_;
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      const char c = text_[pos_++];
      if (c == '\\' && quote != '`') {
        STRATA_RETURN_IF_ERROR(Escape(quote, &out));
      } else if (c == '\n' && quote != '`') {
        return Error("newline in string");
      } else {
        out.push_back(c);
      }
    }
    if (pos_ >= text_.size()) return Error("unterminated string");
    ++pos_;
    return out;
  }

  // Go's escapes, after the backslash.
  Status Escape(char quote, std::string* out) {
    if (pos_ >= text_.size()) return Error("unterminated escape");
    const char c = text_[pos_++];
    switch (c) {
      case 'a':
        out->push_back('\a');
        return Status::OK();
      case 'b':
        out->push_back('\b');
        return Status::OK();
      case 'f':
        out->push_back('\f');
        return Status::OK();
      case 'n':
        out->push_back('\n');
        return Status::OK();
      case 'r':
        out->push_back('\r');
        return Status::OK();
      case 't':
        out->push_back('\t');
        return Status::OK();
      case 'v':
        out->push_back('\v');
        return Status::OK();
      case '\\':
        out->push_back('\\');
        return Status::OK();
      case 'x':
      case 'u':
      case 'U': {
        const int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        uint32_t v = 0;
        for (int i = 0; i < digits; ++i) {
          if (pos_ >= text_.size() || HexValue(text_[pos_]) < 0) {
            return Error("invalid hex escape");
          }
          v = v * 16 + static_cast<uint32_t>(HexValue(text_[pos_++]));
        }
        if (c == 'x') {
          out->push_back(static_cast<char>(v));
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) {
            return Error("invalid Unicode escape");
          }
          AppendUtf8(out, v);
        }
        return Status::OK();
      }
      default:
        if (c == quote) {
          out->push_back(c);
          return Status::OK();
        }
        if (c >= '0' && c <= '7') {
          uint32_t v = static_cast<uint32_t>(c - '0');
          for (int i = 0; i < 2; ++i) {
            if (pos_ >= text_.size() || text_[pos_] < '0' ||
                text_[pos_] > '7') {
              return Error("invalid octal escape");
            }
            v = v * 8 + static_cast<uint32_t>(text_[pos_++] - '0');
          }
          if (v > 255) return Error("invalid octal escape");
          out->push_back(static_cast<char>(v));
          return Status::OK();
        }
        return Error("unknown escape sequence");
    }
  }

  bool Consume(std::string_view token) {
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  void SkipSpace() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }

  Status Error(std::string_view what) const {
    return Status::InvalidArgument(
        Cat("1:", pos_ + 1, ": parse error: ", what));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

StatusOr<std::vector<Matcher>> ParseSeriesSelector(std::string_view text) {
  return Parser(text).Parse();
}

}  // namespace strata::server
