// PromQL's lexer: turns a query into items (tokens) exactly as Prometheus
// 2.42's promql/parser/lex.go does, including its quirks: keywords are case
// insensitive, "inf"/"nan" are numbers, label names inside braces are never
// keywords, and a number directly followed by a unit is a duration.
//
// Thread-safety: a Lexer is used by one thread.
#ifndef STRATA_PROMQL_LEXER_H_
#define STRATA_PROMQL_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "promql/quote.h"

namespace strata::promql {

// Byte offset into the query.
using Pos = int32_t;

enum class ItemType : uint8_t {
  kError,  // Value holds the message.
  kEOF,
  kComment,
  kIdentifier,
  kMetricIdentifier,
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kAssign,  // "=" in label matchers.
  kColon,
  kSemicolon,
  kString,
  kNumber,
  kDuration,
  kBlank,
  kTimes,
  kSpace,

  kOperatorsStart,
  kSub,
  kAdd,
  kMul,
  kMod,
  kDiv,
  kLand,
  kLor,
  kLunless,
  kEqlc,
  kNeq,
  kLte,
  kLss,
  kGte,
  kGtr,
  kEqlRegex,
  kNeqRegex,
  kPow,
  kAtan2,
  kAt,
  kOperatorsEnd,

  kAggregatorsStart,
  kAvg,
  kBottomk,
  kCount,
  kCountValues,
  kGroup,
  kMax,
  kMin,
  kQuantile,
  kStddev,
  kStdvar,
  kSum,
  kTopk,
  kAggregatorsEnd,

  kKeywordsStart,
  kBool,
  kBy,
  kGroupLeft,
  kGroupRight,
  kIgnoring,
  kOffset,
  kOn,
  kWithout,
  kKeywordsEnd,

  kPreprocessorsStart,
  kStart,
  kEnd,
  kPreprocessorsEnd,
};

inline bool IsOperator(ItemType t) {
  return t > ItemType::kOperatorsStart && t < ItemType::kOperatorsEnd;
}
inline bool IsAggregator(ItemType t) {
  return t > ItemType::kAggregatorsStart && t < ItemType::kAggregatorsEnd;
}
inline bool IsAggregatorWithParam(ItemType t) {
  return t == ItemType::kTopk || t == ItemType::kBottomk ||
         t == ItemType::kCountValues || t == ItemType::kQuantile;
}
inline bool IsKeyword(ItemType t) {
  return t > ItemType::kKeywordsStart && t < ItemType::kKeywordsEnd;
}
inline bool IsPreprocessor(ItemType t) {
  return t > ItemType::kPreprocessorsStart && t < ItemType::kPreprocessorsEnd;
}
bool IsComparisonOperator(ItemType t);
bool IsSetOperator(ItemType t);

// The operator's spelling ("+", "and", "sum", "by", ...), as printed by
// Prometheus's ItemType.String(); a placeholder for other types.
std::string ItemTypeString(ItemType t);

struct Item {
  ItemType type = ItemType::kEOF;
  Pos pos = 0;
  std::string_view val;

  // Prometheus's Item.desc(), used in "unexpected ..." parse errors, e.g.
  // `identifier "foo"`, `"("`, `<op:+>`, `end of input`.
  std::string Desc() const;
  // Prometheus's Item.String().
  std::string String() const;
};

class Lexer {
 public:
  // `series_desc` selects the series-description mode of the test language
  // (values after the labels, `x` repetitions, no hex numbers).
  explicit Lexer(std::string_view input, bool series_desc = false);

  // Scans the next item. After kEOF or kError, keeps returning kEOF.
  Item Next();

  std::string_view input() const { return input_; }

 private:
  enum class State {
    kStatements,
    kInsideBraces,
    kDuration,
    kValueSequence,
    kDone
  };

  // Each returns true when an item was produced into *out.
  bool LexStatements(Item* out);
  bool LexInsideBraces(Item* out);
  bool LexValueSequence(Item* out);
  void LexDuration(Item* out);
  void LexNumberOrDuration(Item* out);
  void LexNumber(Item* out);
  void LexString(Item* out);
  void LexRawString(Item* out);
  void LexIdentifier(Item* out);
  void LexKeywordOrIdentifier(Item* out);
  void LexLineComment(Item* out);
  bool ScanNumber();
  bool AcceptRemainingDuration();
  // Returns false after writing an error item.
  bool LexEscape(Item* out);

  int NextRune();  // -1 at the end; decodes UTF-8.
  int Peek();
  void Backup();
  bool Accept(std::string_view valid);
  void AcceptRun(std::string_view valid);
  void Emit(ItemType t, Item* out);
  void Ignore() { start_ = pos_; }
  void Errorf(Item* out, std::string msg);

  std::string_view input_;
  State state_ = State::kStatements;
  Pos pos_ = 0;
  Pos start_ = 0;
  Pos width_ = 0;
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  int string_open_ = 0;
  bool series_desc_ = false;
  std::string error_;  // Backing store for the current error item's text.
};

}  // namespace strata::promql

#endif  // STRATA_PROMQL_LEXER_H_
