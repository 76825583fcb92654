// Go text/template's lexer (text/template/parse/lex.go): splits a template
// into text and the tokens of {{ actions }}, applying the trim markers
// "{{- " and " -}}" and dropping {{/* comments */}}. A lexing error ends
// the token stream with a kError token whose text is Go's message.
//
// Thread-safety: pure function.
#ifndef STRATA_TEMPLATE_LEXER_H_
#define STRATA_TEMPLATE_LEXER_H_

#include <string>
#include <string_view>
#include <vector>

namespace strata::tmpl {

enum class TokenType {
  kError,
  kEof,
  kText,
  kLeftDelim,
  kRightDelim,
  kSpace,
  kIdentifier,  // A function name: printf, humanize.
  kField,       // .Labels
  kVariable,    // $x, $
  kDot,
  kString,     // "..." with its quotes.
  kRawString,  // `...` with its quotes.
  kChar,       // 'a'
  kNumber,
  kBool,
  kNil,
  kPipe,
  kLeftParen,
  kRightParen,
  kDeclare,  // :=
  kAssign,   // =
  kComma,
  kKeyword,  // if else end range with define template block break continue
};

struct Token {
  TokenType type;
  std::string text;
  int pos;   // Byte offset in the template.
  int line;  // 1-based.
};

// Always ends with a kEof or a kError token.
std::vector<Token> Lex(std::string_view input);

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_LEXER_H_
