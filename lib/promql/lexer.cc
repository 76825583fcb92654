#include "promql/lexer.h"

#include <array>
#include <utility>

#include "absl/strings/str_format.h"
#include "util/strings.h"

namespace strata::promql {
namespace {

constexpr int kEof = -1;

bool IsSpace(int r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool IsEndOfLine(int r) { return r == '\r' || r == '\n'; }
bool IsDigit(int r) { return r >= '0' && r <= '9'; }
bool IsAlpha(int r) {
  return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
}
bool IsAlphaNumeric(int r) { return IsAlpha(r) || IsDigit(r); }

struct KeywordEntry {
  std::string_view word;
  ItemType type;
};

// Prometheus's `key` map. "inf" and "nan" lex as numbers.
constexpr std::array<KeywordEntry, 30> kKeywords = {{
    {"and", ItemType::kLand},
    {"or", ItemType::kLor},
    {"unless", ItemType::kLunless},
    {"atan2", ItemType::kAtan2},
    {"sum", ItemType::kSum},
    {"avg", ItemType::kAvg},
    {"count", ItemType::kCount},
    {"min", ItemType::kMin},
    {"max", ItemType::kMax},
    {"group", ItemType::kGroup},
    {"stddev", ItemType::kStddev},
    {"stdvar", ItemType::kStdvar},
    {"topk", ItemType::kTopk},
    {"bottomk", ItemType::kBottomk},
    {"count_values", ItemType::kCountValues},
    {"quantile", ItemType::kQuantile},
    {"offset", ItemType::kOffset},
    {"by", ItemType::kBy},
    {"without", ItemType::kWithout},
    {"on", ItemType::kOn},
    {"ignoring", ItemType::kIgnoring},
    {"group_left", ItemType::kGroupLeft},
    {"group_right", ItemType::kGroupRight},
    {"bool", ItemType::kBool},
    {"start", ItemType::kStart},
    {"end", ItemType::kEnd},
    {"inf", ItemType::kNumber},
    {"nan", ItemType::kNumber},
    {"", ItemType::kError},
    {"", ItemType::kError},
}};

bool LookupKeyword(std::string_view word, ItemType* type) {
  std::string lower(word);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (const KeywordEntry& e : kKeywords) {
    if (!e.word.empty() && e.word == lower) {
      *type = e.type;
      return true;
    }
  }
  return false;
}

// Whether Prometheus's ItemTypeStr map has an entry for the type, which
// makes Item.desc() print just the item.
bool HasTypeString(ItemType t) {
  switch (t) {
    case ItemType::kLeftParen:
    case ItemType::kRightParen:
    case ItemType::kLeftBrace:
    case ItemType::kRightBrace:
    case ItemType::kLeftBracket:
    case ItemType::kRightBracket:
    case ItemType::kComma:
    case ItemType::kAssign:
    case ItemType::kColon:
    case ItemType::kSemicolon:
    case ItemType::kBlank:
    case ItemType::kTimes:
    case ItemType::kSpace:
      return true;
    default:
      return IsOperator(t) || IsAggregator(t) || IsKeyword(t) ||
             IsPreprocessor(t);
  }
}

int DigitVal(int ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return 16;
}

}  // namespace

bool IsComparisonOperator(ItemType t) {
  switch (t) {
    case ItemType::kEqlc:
    case ItemType::kNeq:
    case ItemType::kLte:
    case ItemType::kLss:
    case ItemType::kGte:
    case ItemType::kGtr:
      return true;
    default:
      return false;
  }
}

bool IsSetOperator(ItemType t) {
  return t == ItemType::kLand || t == ItemType::kLor || t == ItemType::kLunless;
}

std::string ItemTypeString(ItemType t) {
  switch (t) {
    case ItemType::kLeftParen:
      return "(";
    case ItemType::kRightParen:
      return ")";
    case ItemType::kLeftBrace:
      return "{";
    case ItemType::kRightBrace:
      return "}";
    case ItemType::kLeftBracket:
      return "[";
    case ItemType::kRightBracket:
      return "]";
    case ItemType::kComma:
      return ",";
    case ItemType::kAssign:
      return "=";
    case ItemType::kColon:
      return ":";
    case ItemType::kSemicolon:
      return ";";
    case ItemType::kBlank:
      return "_";
    case ItemType::kTimes:
      return "x";
    case ItemType::kSpace:
      return "<space>";
    case ItemType::kSub:
      return "-";
    case ItemType::kAdd:
      return "+";
    case ItemType::kMul:
      return "*";
    case ItemType::kMod:
      return "%";
    case ItemType::kDiv:
      return "/";
    case ItemType::kEqlc:
      return "==";
    case ItemType::kNeq:
      return "!=";
    case ItemType::kLte:
      return "<=";
    case ItemType::kLss:
      return "<";
    case ItemType::kGte:
      return ">=";
    case ItemType::kGtr:
      return ">";
    case ItemType::kEqlRegex:
      return "=~";
    case ItemType::kNeqRegex:
      return "!~";
    case ItemType::kPow:
      return "^";
    case ItemType::kAt:
      return "@";
    default:
      break;
  }
  for (const KeywordEntry& e : kKeywords) {
    if (e.type == t && !e.word.empty() && t != ItemType::kNumber) {
      return std::string(e.word);
    }
  }
  return Cat("<Item ", static_cast<int>(t), ">");
}

std::string Item::String() const {
  if (type == ItemType::kEOF) return "EOF";
  if (type == ItemType::kError) return std::string(val);
  if (type == ItemType::kIdentifier || type == ItemType::kMetricIdentifier) {
    return GoQuoted(val);
  }
  if (IsKeyword(type)) return Cat("<", val, ">");
  if (IsOperator(type)) return Cat("<op:", val, ">");
  if (IsAggregator(type)) return Cat("<aggr:", val, ">");
  if (val.size() > 10) {
    // Go's %.10q truncates to 10 runes before quoting.
    std::string_view rest = val;
    size_t bytes = 0;
    for (int i = 0; i < 10 && bytes < rest.size(); ++i) {
      int w = 1;
      DecodeRune(rest.substr(bytes), &w);
      bytes += w;
    }
    return GoQuoted(val.substr(0, bytes)) + "...";
  }
  return GoQuoted(val);
}

std::string Item::Desc() const {
  if (HasTypeString(type)) return String();
  if (type == ItemType::kEOF) return "end of input";
  std::string desc;
  switch (type) {
    case ItemType::kError:
      desc = "error";
      break;
    case ItemType::kComment:
      desc = "comment";
      break;
    case ItemType::kIdentifier:
      desc = "identifier";
      break;
    case ItemType::kMetricIdentifier:
      desc = "metric identifier";
      break;
    case ItemType::kString:
      desc = "string";
      break;
    case ItemType::kNumber:
      desc = "number";
      break;
    case ItemType::kDuration:
      desc = "duration";
      break;
    default:
      desc = GoQuoted(ItemTypeString(type));
      break;
  }
  return Cat(desc, " ", String());
}

Lexer::Lexer(std::string_view input, bool series_desc)
    : input_(input), series_desc_(series_desc) {}

int Lexer::NextRune() {
  if (pos_ >= static_cast<Pos>(input_.size())) {
    width_ = 0;
    return kEof;
  }
  int w = 1;
  int r = DecodeRune(input_.substr(pos_), &w);
  width_ = w;
  pos_ += w;
  return r;
}

int Lexer::Peek() {
  int r = NextRune();
  Backup();
  return r;
}

void Lexer::Backup() { pos_ -= width_; }

bool Lexer::Accept(std::string_view valid) {
  int r = NextRune();
  if (r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != valid.npos) {
    return true;
  }
  Backup();
  return false;
}

void Lexer::AcceptRun(std::string_view valid) {
  while (true) {
    int r = NextRune();
    if (r < 0 || r >= 0x80 || valid.find(static_cast<char>(r)) == valid.npos) {
      break;
    }
  }
  Backup();
}

void Lexer::Emit(ItemType t, Item* out) {
  *out = Item{t, start_, input_.substr(start_, pos_ - start_)};
  start_ = pos_;
}

void Lexer::Errorf(Item* out, std::string msg) {
  error_ = std::move(msg);
  *out = Item{ItemType::kError, start_, error_};
  state_ = State::kDone;
}

Item Lexer::Next() {
  Item item;
  while (true) {
    switch (state_) {
      case State::kDone:
        return Item{ItemType::kEOF, static_cast<Pos>(input_.size()), ""};
      case State::kStatements:
        if (LexStatements(&item)) return item;
        break;
      case State::kInsideBraces:
        if (LexInsideBraces(&item)) return item;
        break;
      case State::kDuration:
        LexDuration(&item);
        return item;
      case State::kValueSequence:
        if (LexValueSequence(&item)) return item;
        break;
    }
  }
}

bool Lexer::LexStatements(Item* out) {
  if (brace_open_) {
    state_ = State::kInsideBraces;
    return false;
  }
  if (input_.substr(pos_).starts_with("#")) {
    LexLineComment(out);
    return true;
  }
  int r = NextRune();
  switch (r) {
    case kEof:
      if (paren_depth_ != 0) {
        Errorf(out, "unclosed left parenthesis");
      } else if (bracket_open_) {
        Errorf(out, "unclosed left bracket");
      } else {
        Emit(ItemType::kEOF, out);
        state_ = State::kDone;
      }
      return true;
    case ',':
      Emit(ItemType::kComma, out);
      return true;
    case '*':
      Emit(ItemType::kMul, out);
      return true;
    case '/':
      Emit(ItemType::kDiv, out);
      return true;
    case '%':
      Emit(ItemType::kMod, out);
      return true;
    case '+':
      Emit(ItemType::kAdd, out);
      return true;
    case '-':
      Emit(ItemType::kSub, out);
      return true;
    case '^':
      Emit(ItemType::kPow, out);
      return true;
    case '=': {
      int t = Peek();
      if (t == '=') {
        NextRune();
        Emit(ItemType::kEqlc, out);
      } else if (t == '~') {
        Errorf(out, "unexpected character after '=': " + GoQuotedRune(t));
      } else {
        Emit(ItemType::kAssign, out);
      }
      return true;
    }
    case '!': {
      int t = NextRune();
      if (t == '=') {
        Emit(ItemType::kNeq, out);
      } else {
        Errorf(out, "unexpected character after '!': " + GoQuotedRune(t));
      }
      return true;
    }
    case '<':
      if (Peek() == '=') {
        NextRune();
        Emit(ItemType::kLte, out);
      } else {
        Emit(ItemType::kLss, out);
      }
      return true;
    case '>':
      if (Peek() == '=') {
        NextRune();
        Emit(ItemType::kGte, out);
      } else {
        Emit(ItemType::kGtr, out);
      }
      return true;
    case '"':
    case '\'':
      string_open_ = r;
      LexString(out);
      return true;
    case '`':
      string_open_ = r;
      LexRawString(out);
      return true;
    case '(':
      Emit(ItemType::kLeftParen, out);
      ++paren_depth_;
      return true;
    case ')':
      Emit(ItemType::kRightParen, out);
      --paren_depth_;
      if (paren_depth_ < 0) {
        Errorf(out, "unexpected right parenthesis " + GoQuotedRune(r));
      }
      return true;
    case '{':
      Emit(ItemType::kLeftBrace, out);
      brace_open_ = true;
      state_ = State::kInsideBraces;
      return true;
    case '[':
      if (bracket_open_) {
        Errorf(out, "unexpected left bracket " + GoQuotedRune(r));
        return true;
      }
      got_colon_ = false;
      Emit(ItemType::kLeftBracket, out);
      while (IsSpace(Peek())) NextRune();
      Ignore();
      bracket_open_ = true;
      state_ = State::kDuration;
      return true;
    case ']':
      if (!bracket_open_) {
        Errorf(out, "unexpected right bracket " + GoQuotedRune(r));
        return true;
      }
      Emit(ItemType::kRightBracket, out);
      bracket_open_ = false;
      return true;
    case '@':
      Emit(ItemType::kAt, out);
      return true;
    default:
      break;
  }
  if (IsSpace(r)) {
    while (IsSpace(Peek())) NextRune();
    Ignore();
    return false;
  }
  if (IsDigit(r) || (r == '.' && IsDigit(Peek()))) {
    Backup();
    LexNumberOrDuration(out);
    return true;
  }
  if (IsAlpha(r) || r == ':') {
    if (!bracket_open_) {
      Backup();
      LexKeywordOrIdentifier(out);
      return true;
    }
    if (got_colon_) {
      Errorf(out, "unexpected colon " + GoQuotedRune(r));
      return true;
    }
    Emit(ItemType::kColon, out);
    got_colon_ = true;
    return true;
  }
  Errorf(out, "unexpected character: " + GoQuotedRune(r));
  return true;
}

bool Lexer::LexInsideBraces(Item* out) {
  if (input_.substr(pos_).starts_with("#")) {
    LexLineComment(out);
    return true;
  }
  int r = NextRune();
  if (r == kEof) {
    Errorf(out, "unexpected end of input inside braces");
    return true;
  }
  if (IsSpace(r)) {
    while (IsSpace(Peek())) NextRune();
    Ignore();
    return false;
  }
  if (IsAlpha(r)) {
    Backup();
    LexIdentifier(out);
    return true;
  }
  switch (r) {
    case ',':
      Emit(ItemType::kComma, out);
      return true;
    case '"':
    case '\'':
      string_open_ = r;
      LexString(out);
      return true;
    case '`':
      string_open_ = r;
      LexRawString(out);
      return true;
    case '=':
      if (NextRune() == '~') {
        Emit(ItemType::kEqlRegex, out);
        return true;
      }
      Backup();
      Emit(ItemType::kAssign, out);
      return true;
    case '!': {
      int nr = NextRune();
      if (nr == '~') {
        Emit(ItemType::kNeqRegex, out);
      } else if (nr == '=') {
        Emit(ItemType::kNeq, out);
      } else {
        Errorf(out, "unexpected character after '!' inside braces: " +
                        GoQuotedRune(nr));
      }
      return true;
    }
    case '{':
      Errorf(out, "unexpected left brace " + GoQuotedRune(r));
      return true;
    case '}':
      Emit(ItemType::kRightBrace, out);
      brace_open_ = false;
      state_ = series_desc_ ? State::kValueSequence : State::kStatements;
      return true;
    default:
      Errorf(out, "unexpected character inside braces: " + GoQuotedRune(r));
      return true;
  }
}

bool Lexer::LexValueSequence(Item* out) {
  int r = NextRune();
  if (r == kEof) {
    state_ = State::kStatements;
    return false;
  }
  if (IsSpace(r)) {
    Emit(ItemType::kSpace, out);
    while (IsSpace(Peek())) NextRune();
    Ignore();
    return true;
  }
  switch (r) {
    case '+':
      Emit(ItemType::kAdd, out);
      return true;
    case '-':
      Emit(ItemType::kSub, out);
      return true;
    case 'x':
      Emit(ItemType::kTimes, out);
      return true;
    case '_':
      Emit(ItemType::kBlank, out);
      return true;
    default:
      break;
  }
  if (IsDigit(r) || (r == '.' && IsDigit(Peek()))) {
    Backup();
    LexNumber(out);
    return true;
  }
  if (IsAlpha(r)) {
    Backup();
    LexKeywordOrIdentifier(out);
    return true;
  }
  Errorf(out, "unexpected character in series sequence: " + GoQuotedRune(r));
  return true;
}

void Lexer::LexDuration(Item* out) {
  state_ = State::kStatements;
  if (ScanNumber()) {
    Errorf(out, "missing unit character in duration");
    return;
  }
  if (!AcceptRemainingDuration()) {
    Errorf(out, "bad duration syntax: " +
                    GoQuoted(input_.substr(start_, pos_ - start_)));
    return;
  }
  Backup();
  Emit(ItemType::kDuration, out);
}

void Lexer::LexNumber(Item* out) {
  if (!ScanNumber()) {
    Errorf(out, "bad number syntax: " +
                    GoQuoted(input_.substr(start_, pos_ - start_)));
    return;
  }
  Emit(ItemType::kNumber, out);
}

void Lexer::LexNumberOrDuration(Item* out) {
  if (ScanNumber()) {
    Emit(ItemType::kNumber, out);
    return;
  }
  // Next two chars must be a valid unit and a non-alphanumeric.
  if (AcceptRemainingDuration()) {
    Backup();
    Emit(ItemType::kDuration, out);
    return;
  }
  Errorf(out, "bad number or duration syntax: " +
                  GoQuoted(input_.substr(start_, pos_ - start_)));
}

bool Lexer::AcceptRemainingDuration() {
  if (!Accept("smhdwy")) return false;
  // "ms"; bad units like "hs" are caught when the duration is parsed.
  Accept("s");
  while (Accept("0123456789")) {
    while (Accept("0123456789")) {
    }
    // "y" must always come first.
    if (!Accept("smhdw")) return false;
    Accept("s");
  }
  return !IsAlphaNumeric(NextRune());
}

bool Lexer::ScanNumber() {
  std::string_view digits = "0123456789";
  // Hexadecimal is ambiguous in series descriptions.
  if (!series_desc_ && Accept("0") && Accept("xX")) {
    digits = "0123456789abcdefABCDEF";
  }
  AcceptRun(digits);
  if (Accept(".")) AcceptRun(digits);
  if (Accept("eE")) {
    Accept("+-");
    AcceptRun("0123456789");
  }
  int r = Peek();
  return (series_desc_ && r == 'x') || !IsAlphaNumeric(r);
}

void Lexer::LexIdentifier(Item* out) {
  while (IsAlphaNumeric(NextRune())) {
  }
  Backup();
  Emit(ItemType::kIdentifier, out);
}

void Lexer::LexKeywordOrIdentifier(Item* out) {
  while (true) {
    int r = NextRune();
    if (IsAlphaNumeric(r) || r == ':') continue;
    Backup();
    break;
  }
  std::string_view word = input_.substr(start_, pos_ - start_);
  ItemType kw;
  if (LookupKeyword(word, &kw)) {
    Emit(kw, out);
  } else if (word.find(':') == word.npos) {
    Emit(ItemType::kIdentifier, out);
  } else {
    Emit(ItemType::kMetricIdentifier, out);
  }
  if (series_desc_ && Peek() != '{') state_ = State::kValueSequence;
}

void Lexer::LexLineComment(Item* out) {
  pos_ += 1;
  int r = NextRune();
  while (!IsEndOfLine(r) && r != kEof) r = NextRune();
  Backup();
  Emit(ItemType::kComment, out);
}

bool Lexer::LexEscape(Item* out) {
  int ch = NextRune();
  int n = 0;
  uint32_t base = 0, max = 0;
  switch (ch) {
    case 'a':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case '\\':
      return true;
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
      n = 3, base = 8, max = 255;
      break;
    case 'x':
      ch = NextRune();
      n = 2, base = 16, max = 255;
      break;
    case 'u':
      ch = NextRune();
      n = 4, base = 16, max = 0x10FFFF;
      break;
    case 'U':
      ch = NextRune();
      n = 8, base = 16, max = 0x10FFFF;
      break;
    case kEof:
      Errorf(out, "escape sequence not terminated");
      return false;
    default:
      if (ch == string_open_) return true;
      Errorf(out, "unknown escape sequence " + FormatRuneU(ch));
      return false;
  }
  uint32_t x = 0;
  while (n > 0) {
    auto d = static_cast<uint32_t>(DigitVal(ch));
    if (d >= base) {
      if (ch == kEof) {
        Errorf(out, "escape sequence not terminated");
      } else {
        Errorf(out,
               "illegal character " + FormatRuneU(ch) + " in escape sequence");
      }
      return false;
    }
    x = x * base + d;
    --n;
    if (n > 0) ch = NextRune();
  }
  if (x > max || (x >= 0xD800 && x < 0xE000)) {
    Errorf(out, "escape sequence is an invalid Unicode code point");
    return false;
  }
  return true;
}

void Lexer::LexString(Item* out) {
  while (true) {
    int r = NextRune();
    if (r == '\\') {
      if (!LexEscape(out)) return;
      continue;
    }
    if (r == 0xFFFD && width_ == 1) {
      Errorf(out, "invalid UTF-8 rune");
      return;
    }
    if (r == kEof || r == '\n') {
      Errorf(out, "unterminated quoted string");
      return;
    }
    if (r == string_open_) break;
  }
  Emit(ItemType::kString, out);
}

void Lexer::LexRawString(Item* out) {
  while (true) {
    int r = NextRune();
    if (r == 0xFFFD && width_ == 1) {
      Errorf(out, "invalid UTF-8 rune");
      return;
    }
    if (r == kEof) {
      Errorf(out, "unterminated raw string");
      return;
    }
    if (r == string_open_) break;
  }
  Emit(ItemType::kString, out);
}

}  // namespace strata::promql
