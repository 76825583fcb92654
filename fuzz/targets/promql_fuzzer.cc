// PromQL lexer, parser, type checker and printer on arbitrary text.
// Invariants: a query that parses prints (String()) to text that parses
// again and prints the same; a clone prints the same.
//
// One exception, as in Prometheus 2.42: a positive infinity prints as
// "+Inf", so `inf ^ x` prints as "+Inf ^ x", which parses as the unary
// plus of `Inf ^ x` (unary operators bind less tightly than `^`) and
// prints as "++Inf ^ x": the same value, one more no-op `+` per round.
// The comparison therefore treats runs of `+` as one.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "promql/ast.h"
#include "promql/parser.h"

namespace {

// `s` with every run of '+' shortened to one.
std::string CollapsePluses(std::string s) {
  for (size_t pos; (pos = s.find("++")) != std::string::npos;) s.erase(pos, 1);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  auto expr = strata::promql::ParseExpr(query);
  if (!expr.ok()) return 0;
  const std::string printed = (*expr)->String();
  auto again = strata::promql::ParseExpr(printed);
  FUZZ_CHECK(again.ok(), "printed query does not parse: " + printed + " -> " +
                             again.status().ToString());
  const std::string reprinted = (*again)->String();
  FUZZ_CHECK(CollapsePluses(reprinted) == CollapsePluses(printed),
             "printing is not stable: " + printed + " vs " + reprinted);
  FUZZ_CHECK((*expr)->Clone()->String() == printed, "clone prints differently");
  return 0;
}
