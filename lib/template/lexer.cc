#include "template/lexer.h"

#include <cstdio>

#include "util/strings.h"

namespace strata::tmpl {
namespace {

constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";
constexpr std::string_view kLeftComment = "/*";
constexpr std::string_view kRightComment = "*/";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlnum(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Whether the non-ASCII character at the front of `s` may be part of an
// identifier. Go asks unicode.IsLetter; this rejects the Latin-1
// controls, spaces and symbols and the general punctuation block
// (U+2000-U+206F, which holds the typographic spaces), the characters
// that turn up in templates by accident.
bool IsLetterRune(std::string_view s) {
  int width = 0;
  int r = DecodeRune(s, &width);
  if (r >= 0x80 && r <= 0xbf) return r == 0xaa || r == 0xb5 || r == 0xba;
  if (r == 0xd7 || r == 0xf7) return false;
  if (r >= 0x2000 && r <= 0x206f) return false;
  return r != 0x3000 && r != 0xfeff && r != 0xfffd;
}

// Go's %#U for the characters we meet: "U+00A0", or "U+0078 'x'".
std::string DescribeRune(std::string_view s) {
  unsigned char c = static_cast<unsigned char>(s[0]);
  int rune = c;
  if (c >= 0xc0 && s.size() >= 2) {
    int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    rune = c & (0x7f >> len);
    for (int i = 1; i < len && i < static_cast<int>(s.size()); ++i) {
      rune = (rune << 6) | (static_cast<unsigned char>(s[i]) & 0x3f);
    }
  }
  char buf[32];
  if (rune >= 0x21 && rune < 0x7f) {
    std::snprintf(buf, sizeof buf, "U+%04X '%c'", rune, rune);
  } else {
    std::snprintf(buf, sizeof buf, "U+%04X", rune);
  }
  return buf;
}

class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  std::vector<Token> Run() {
    while (LexText()) {
      if (!LexInsideAction()) break;
    }
    return std::move(tokens_);
  }

 private:
  bool At(std::string_view s) const { return in_.substr(pos_, s.size()) == s; }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < in_.size() ? in_[pos_ + ahead] : '\0';
  }
  // Tokens come in order, so count newlines on from the last position
  // asked about (linear, not quadratic, in the template's length).
  int LineAt(size_t pos) {
    if (pos < line_pos_) {
      line_pos_ = 0;
      line_ = 1;
    }
    for (; line_pos_ < pos && line_pos_ < in_.size(); ++line_pos_) {
      line_ += in_[line_pos_] == '\n';
    }
    return line_;
  }
  void Emit(TokenType type, size_t start) {
    tokens_.push_back({type, std::string(in_.substr(start, pos_ - start)),
                       static_cast<int>(start), LineAt(start)});
  }
  bool Error(std::string msg) {
    tokens_.push_back({TokenType::kError, std::move(msg),
                       static_cast<int>(pos_), LineAt(pos_)});
    return false;
  }
  // " -}}" at pos.
  bool AtRightTrim() const {
    return IsSpace(Peek()) && Peek(1) == '-' &&
           in_.substr(pos_ + 2, 2) == kRightDelim;
  }
  void SkipSpaces() {
    while (pos_ < in_.size() && IsSpace(in_[pos_])) ++pos_;
  }

  // Text up to the next "{{"; returns false at the end of input.
  bool LexText() {
    size_t delim = in_.find(kLeftDelim, pos_);
    if (delim == std::string_view::npos) {
      if (pos_ < in_.size()) {
        pos_ = in_.size();
        tokens_.push_back({TokenType::kText, std::string(in_.substr(start_)),
                           static_cast<int>(start_), LineAt(start_)});
      }
      tokens_.push_back(
          {TokenType::kEof, "", static_cast<int>(pos_), LineAt(pos_)});
      return false;
    }
    bool trim = delim + 3 < in_.size() && in_[delim + 2] == '-' &&
                IsSpace(in_[delim + 3]);
    size_t text_end = delim;
    if (trim) {
      while (text_end > start_ && IsSpace(in_[text_end - 1])) --text_end;
    }
    if (text_end > start_) {
      tokens_.push_back({TokenType::kText,
                         std::string(in_.substr(start_, text_end - start_)),
                         static_cast<int>(start_), LineAt(start_)});
    }
    pos_ = delim + kLeftDelim.size() + (trim ? 2 : 0);
    if (At(kLeftComment)) return LexComment(delim);
    tokens_.push_back(
        {TokenType::kLeftDelim, "{{", static_cast<int>(delim), LineAt(delim)});
    return true;
  }

  bool LexComment(size_t delim) {
    size_t end = in_.find(kRightComment, pos_ + kLeftComment.size());
    if (end == std::string_view::npos) {
      pos_ = delim;
      return Error("unclosed comment");
    }
    pos_ = end + kRightComment.size();
    bool trim = AtRightTrim();
    if (trim) pos_ += 2;
    if (!At(kRightDelim)) return Error("comment ends before closing delimiter");
    pos_ += kRightDelim.size();
    if (trim) SkipSpaces();
    start_ = pos_;
    return LexText();  // The text after the comment.
  }

  // Tokens of one action, through its right delimiter. Returns false after
  // an error; true when text lexing should continue.
  bool LexInsideAction() {
    int paren_depth = 0;
    while (true) {
      bool trim = AtRightTrim();
      if (trim || At(kRightDelim)) {
        if (paren_depth > 0) return Error("unclosed left paren");
        if (trim) pos_ += 2;
        size_t start = pos_;
        pos_ += kRightDelim.size();
        Emit(TokenType::kRightDelim, start);
        if (trim) SkipSpaces();
        start_ = pos_;
        return true;
      }
      if (pos_ >= in_.size()) return Error("unclosed action");
      if (!LexToken(&paren_depth)) return false;
    }
  }

  // One token inside an action; false after an error.
  bool LexToken(int* paren_depth) {
    size_t start = pos_;
    char c = in_[pos_];
    if (IsSpace(c)) {
      while (pos_ < in_.size() && IsSpace(in_[pos_]) && !AtRightTrim()) {
        ++pos_;
      }
      Emit(TokenType::kSpace, start);
    } else if (c == '=') {
      ++pos_;
      Emit(TokenType::kAssign, start);
    } else if (c == ':') {
      if (Peek(1) != '=') return Error("expected :=");
      pos_ += 2;
      Emit(TokenType::kDeclare, start);
    } else if (c == '|') {
      ++pos_;
      Emit(TokenType::kPipe, start);
    } else if (c == '"') {
      if (!LexQuote('"', "unterminated quoted string")) return false;
      Emit(TokenType::kString, start);
    } else if (c == '`') {
      size_t end = in_.find('`', pos_ + 1);
      if (end == std::string_view::npos) {
        return Error("unterminated raw quoted string");
      }
      pos_ = end + 1;
      Emit(TokenType::kRawString, start);
    } else if (c == '\'') {
      if (!LexQuote('\'', "unterminated character constant")) return false;
      Emit(TokenType::kChar, start);
    } else if (c == '$') {
      ++pos_;
      while (pos_ < in_.size() && IsAlnum(in_[pos_])) ++pos_;
      Emit(TokenType::kVariable, start);
    } else if (c == '.') {
      if (IsDigit(Peek(1))) {
        if (!LexNumber()) return false;
        Emit(TokenType::kNumber, start);
      } else {
        ++pos_;
        while (pos_ < in_.size() && IsAlnum(in_[pos_])) ++pos_;
        Emit(pos_ - start == 1 ? TokenType::kDot : TokenType::kField, start);
      }
    } else if (c == '+' || c == '-' || IsDigit(c)) {
      if (!LexNumber()) return false;
      Emit(TokenType::kNumber, start);
    } else if (static_cast<unsigned char>(c) >= 0x80 &&
               !IsLetterRune(in_.substr(pos_))) {
      return Error("unrecognized character in action: " +
                   DescribeRune(in_.substr(pos_)));
    } else if (IsAlnum(c)) {
      if (!LexIdentifier()) return false;
    } else if (c == '(') {
      ++pos_;
      ++*paren_depth;
      Emit(TokenType::kLeftParen, start);
    } else if (c == ')') {
      ++pos_;
      // Go emits the paren first, so the parser reports it in context.
      Emit(TokenType::kRightParen, start);
      if (--*paren_depth < 0) return Error("unexpected right paren");
    } else if (c == ',') {
      ++pos_;
      Emit(TokenType::kComma, start);
    } else {
      return Error("unrecognized character in action: " +
                   DescribeRune(in_.substr(pos_)));
    }
    return true;
  }

  bool LexQuote(char quote, const char* unterminated) {
    ++pos_;
    while (true) {
      if (pos_ >= in_.size() || in_[pos_] == '\n') return Error(unterminated);
      char c = in_[pos_++];
      if (c == '\\') {
        if (pos_ >= in_.size() || in_[pos_] == '\n') {
          return Error(unterminated);
        }
        ++pos_;
      } else if (c == quote) {
        return true;
      }
    }
  }

  bool Accept(std::string_view valid) {
    if (pos_ < in_.size() && valid.find(in_[pos_]) != std::string_view::npos) {
      ++pos_;
      return true;
    }
    return false;
  }
  void AcceptRun(std::string_view valid) {
    while (Accept(valid)) {
    }
  }

  // Go's scanNumber: the digits of the base, a fraction, an exponent; a
  // letter or digit right after is "bad number syntax".
  bool LexNumber() {
    size_t start = pos_;
    Accept("+-");
    std::string_view digits = "0123456789_";
    bool decimal = true, hex = false;
    if (Accept("0")) {
      if (Accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
        decimal = false;
        hex = true;
      } else if (Accept("oO")) {
        digits = "01234567_";
        decimal = false;
      } else if (Accept("bB")) {
        digits = "01_";
        decimal = false;
      }
    }
    AcceptRun(digits);
    if (Accept(".")) AcceptRun(digits);
    if ((decimal && Accept("eE")) || (hex && Accept("pP"))) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    Accept("i");
    if (pos_ < in_.size() && IsAlnum(in_[pos_])) {
      ++pos_;
      return Error("bad number syntax: \"" +
                   std::string(in_.substr(start, pos_ - start)) + "\"");
    }
    return true;
  }

  bool LexIdentifier() {
    size_t start = pos_;
    while (pos_ < in_.size() && IsAlnum(in_[pos_])) ++pos_;
    std::string_view word = in_.substr(start, pos_ - start);
    char next = Peek();
    bool terminated = pos_ >= in_.size() || IsSpace(next) || next == '.' ||
                      next == ',' || next == '|' || next == ':' ||
                      next == ')' || next == '(' || At(kRightDelim);
    if (!terminated) {
      return Error("bad character " + DescribeRune(in_.substr(pos_)));
    }
    static constexpr std::string_view kKeywords[] = {
        "block", "break", "continue", "define",   "else", "end",
        "if",    "range", "nil",      "template", "with"};
    TokenType type = TokenType::kIdentifier;
    for (std::string_view k : kKeywords) {
      if (word == k) type = TokenType::kKeyword;
    }
    if (word == "nil") type = TokenType::kNil;
    if (word == "true" || word == "false") type = TokenType::kBool;
    Emit(type, start);
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
  size_t start_ = 0;     // Start of the pending text.
  size_t line_pos_ = 0;  // LineAt's cursor: line_ is the line at line_pos_.
  int line_ = 1;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> Lex(std::string_view input) { return Lexer(input).Run(); }

}  // namespace strata::tmpl
