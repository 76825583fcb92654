#include "promql/parser.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "promql/format.h"
#include "promql/type_check.h"
#include "util/duration.h"
#include "util/strings.h"

namespace strata::promql {
namespace {

// Binding strength of binary operators, as in Prometheus's grammar:
//   or < and unless < comparisons < + - < * / % atan2 < ^
// All are left-associative except ^. Unary minus binds like *, so only ^
// binds tighter.
int BinaryPrecedence(ItemType t) {
  switch (t) {
    case ItemType::kLor:
      return 1;
    case ItemType::kLand:
    case ItemType::kLunless:
      return 2;
    case ItemType::kEqlc:
    case ItemType::kNeq:
    case ItemType::kLte:
    case ItemType::kLss:
    case ItemType::kGte:
    case ItemType::kGtr:
      return 3;
    case ItemType::kAdd:
    case ItemType::kSub:
      return 4;
    case ItemType::kMul:
    case ItemType::kDiv:
    case ItemType::kMod:
    case ItemType::kAtan2:
      return 5;
    case ItemType::kPow:
      return 6;
    default:
      return 0;
  }
}
constexpr int kPowPrecedence = 6;

bool IsLabelName(std::string_view s) {
  if (s.empty()) return false;
  auto alpha = [](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  if (!alpha(s[0])) return false;
  for (char c : s.substr(1)) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Tokens that may name a label inside by(...)/on(...) lists.
bool IsMaybeLabel(ItemType t) {
  switch (t) {
    case ItemType::kIdentifier:
    case ItemType::kMetricIdentifier:
    case ItemType::kLand:
    case ItemType::kLor:
    case ItemType::kLunless:
    case ItemType::kAtan2:
      return true;
    default:
      return IsAggregator(t) || IsKeyword(t) || IsPreprocessor(t);
  }
}

// Tokens that may be used as a metric name.
bool IsMetricIdentifier(ItemType t) {
  switch (t) {
    case ItemType::kIdentifier:
    case ItemType::kMetricIdentifier:
    case ItemType::kBy:
    case ItemType::kLand:
    case ItemType::kLor:
    case ItemType::kLunless:
    case ItemType::kOffset:
    case ItemType::kWithout:
    case ItemType::kStart:
    case ItemType::kEnd:
      return true;
    default:
      return IsAggregator(t);
  }
}

class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input), lex_(input) {
    cur_ = Fetch();
  }

  StatusOr<ExprPtr> ParseQuery() {
    ExprPtr e;
    if (cur_.type == ItemType::kEOF && !failed()) {
      Fail(0, "no expression found in input");
    } else {
      e = ParseExpression(0);
      if (!failed() && cur_.type != ItemType::kEOF) Unexpected("", "");
    }
    if (!failed()) {
      if (std::optional<ParseError> err = CheckTypes(input_, *e)) {
        Fail(err->pos, std::move(err->msg));
      }
    }
    if (failed()) return ErrorStatus();
    return e;
  }

  StatusOr<std::vector<Matcher>> ParseSelector() {
    ExprPtr e;
    if (cur_.type == ItemType::kLeftBrace) {
      e = ParseVectorSelector(std::nullopt);
    } else if (IsMetricIdentifier(cur_.type)) {
      e = ParseVectorSelector(Consume());
    } else {
      Unexpected("", "");
    }
    if (!failed() && cur_.type != ItemType::kEOF) Unexpected("", "");
    // Like Prometheus, no type checks: callers decide whether `{}` is
    // acceptable.
    if (failed()) return ErrorStatus();
    return std::move(e->As<VectorSelector>().matchers);
  }

 private:
  Status ErrorStatus() const {
    return Status::InvalidArgument(
        FormatParseError(input_, error_->pos, error_->msg));
  }

  Item Fetch() {
    while (true) {
      Item it = lex_.Next();
      if (it.type == ItemType::kComment) continue;
      if (it.type == ItemType::kError) {
        Fail(it.pos, std::string(it.val));
        return Item{ItemType::kEOF, it.pos, ""};
      }
      return it;
    }
  }

  const Item& PeekNext() {
    if (!next_.has_value()) next_ = Fetch();
    return *next_;
  }

  Item Consume() {
    Item it = cur_;
    switch (it.type) {
      case ItemType::kRightBrace:
      case ItemType::kRightParen:
      case ItemType::kRightBracket:
      case ItemType::kDuration:
      case ItemType::kNumber:
        last_closing_ = it.pos + static_cast<Pos>(it.val.size());
        break;
      default:
        break;
    }
    if (next_.has_value()) {
      cur_ = *next_;
      next_.reset();
    } else if (cur_.type != ItemType::kEOF) {
      cur_ = Fetch();
    }
    return it;
  }

  bool failed() const { return error_.has_value(); }

  // Counts the nesting of ParseExpression calls for one call's lifetime.
  class NestingGuard {
   public:
    explicit NestingGuard(Parser* p) : p_(p) { ++p_->depth_; }
    ~NestingGuard() { --p_->depth_; }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;

   private:
    Parser* const p_;
  };

  void TooDeep(Pos pos) {
    Fail(pos,
         absl::StrFormat("expression nests too deeply (more than %d levels)",
                         kMaxExprDepth));
  }

  int HeightOf(const Expr* node) const {
    auto it = heights_.find(node);
    return it == heights_.end() ? 1 : it->second;
  }

  // Records the height of `node`, whose children are all built; fails
  // (reporting `pos`) and returns false if it exceeds kMaxExprDepth.
  bool Built(const Expr& node, Pos pos) {
    int height = 1;
    for (const Expr* child : Children(node)) {
      height = std::max(height, HeightOf(child) + 1);
    }
    heights_[&node] = height;
    if (height <= kMaxExprDepth) return true;
    TooDeep(pos);
    return false;
  }

  void Fail(Pos pos, std::string msg) {
    if (!error_.has_value()) error_ = ParseError{pos, std::move(msg)};
  }

  // "unexpected <item> in <context>, expected <expected>" about the current
  // token.
  void Unexpected(std::string_view context, std::string_view expected) {
    if (failed()) return;
    if (context.empty() && agg_depth_ > 0) context = "aggregation";
    std::string msg = Cat("unexpected ", cur_.Desc());
    if (!context.empty()) CatTo(&msg, " in ", context);
    if (!expected.empty()) CatTo(&msg, ", expected ", expected);
    Fail(cur_.pos, std::move(msg));
  }

  // Consumes a token of type `t` or reports it missing.
  bool Expect(ItemType t, std::string_view context, std::string_view expected) {
    if (failed()) return false;
    if (cur_.type != t) {
      Unexpected(context, expected);
      return false;
    }
    Consume();
    return true;
  }

  std::optional<int64_t> ParseDurationItem(const Item& it) {
    StatusOr<int64_t> d = ParseDuration(it.val);
    if (!d.ok()) {
      Fail(it.pos, std::string(d.status().message()));
      return std::nullopt;
    }
    if (*d == 0) {
      Fail(it.pos, "duration must be greater than 0");
      return std::nullopt;
    }
    return *d;
  }

  std::optional<double> ParseNumberItem(const Item& it) {
    StatusOr<double> v = ParseNumber(it.val);
    if (!v.ok()) {
      Fail(it.pos, Cat("error parsing number: ", v.status().message()));
      return std::nullopt;
    }
    return *v;
  }

  std::string UnquoteItem(const Item& it) {
    StatusOr<std::string> s = Unquote(it.val);
    if (!s.ok()) {
      Fail(it.pos, Cat("error unquoting string ", GoQuoted(it.val), ": ",
                       s.status().message()));
      return "";
    }
    return *std::move(s);
  }

  ExprPtr ParseExpression(int min_prec) {
    // Every nested construct (parentheses, operands of unary and
    // right-associative operators, call and aggregation arguments) comes
    // through here, so this bounds the parser's own recursion.
    NestingGuard nesting(this);
    if (depth_ > kMaxExprDepth) {
      TooDeep(cur_.pos);
      return nullptr;
    }
    ExprPtr lhs = ParseUnary();
    while (!failed()) {
      const ItemType op = cur_.type;
      const int prec = BinaryPrecedence(op);
      if (prec == 0 || prec < min_prec) break;
      const Pos op_pos = Consume().pos;
      auto bin = std::make_unique<BinaryExpr>();
      bin->op = op;
      if (!ParseBinaryModifiers(bin.get())) return nullptr;
      const bool right_assoc = op == ItemType::kPow;
      ExprPtr rhs = ParseExpression(right_assoc ? prec : prec + 1);
      if (failed()) return nullptr;
      bin->lhs = std::move(lhs);
      bin->rhs = std::move(rhs);
      lhs = std::move(bin);
      // A left-associative chain grows the tree without recursing here.
      if (!Built(*lhs, op_pos)) return nullptr;
    }
    return failed() ? nullptr : std::move(lhs);
  }

  bool ParseBinaryModifiers(BinaryExpr* bin) {
    VectorMatching vm;
    if (cur_.type == ItemType::kBool) {
      Consume();
      bin->return_bool = true;
    }
    if (cur_.type == ItemType::kOn || cur_.type == ItemType::kIgnoring) {
      vm.on = cur_.type == ItemType::kOn;
      Consume();
      if (!ParseGroupingLabels(&vm.matching_labels)) return false;
      if (cur_.type == ItemType::kGroupLeft ||
          cur_.type == ItemType::kGroupRight) {
        vm.card = cur_.type == ItemType::kGroupLeft
                      ? VectorMatching::Card::kManyToOne
                      : VectorMatching::Card::kOneToMany;
        Consume();
        if (cur_.type == ItemType::kLeftParen &&
            !ParseGroupingLabels(&vm.include)) {
          return false;
        }
      }
    }
    bin->matching = std::move(vm);
    return true;
  }

  ExprPtr ParseUnary() {
    if (cur_.type == ItemType::kAdd || cur_.type == ItemType::kSub) {
      Item op = Consume();
      ExprPtr operand = ParseExpression(kPowPrecedence);
      if (failed()) return nullptr;
      if (operand->kind() == NodeKind::kNumber) {
        auto& n = operand->As<NumberLiteral>();
        if (op.type == ItemType::kSub) n.val = -n.val;
        n.pos.start = op.pos;
        return operand;
      }
      auto u = std::make_unique<UnaryExpr>();
      u->op = op.type;
      u->expr = std::move(operand);
      u->start_pos = op.pos;
      if (!Built(*u, op.pos)) return nullptr;
      return u;
    }
    ExprPtr e = ParsePrimary();
    if (failed()) return nullptr;
    return ParsePostfix(std::move(e));
  }

  ExprPtr ParsePrimary() {
    switch (cur_.type) {
      case ItemType::kNumber: {
        Item it = Consume();
        std::optional<double> v = ParseNumberItem(it);
        if (!v) return nullptr;
        auto n = std::make_unique<NumberLiteral>();
        n->val = *v;
        n->pos = {it.pos, it.pos + static_cast<Pos>(it.val.size())};
        Built(*n, it.pos);
        return n;
      }
      case ItemType::kString: {
        Item it = Consume();
        auto s = std::make_unique<StringLiteral>();
        s->val = UnquoteItem(it);
        s->pos = {it.pos, it.pos + static_cast<Pos>(it.val.size())};
        Built(*s, it.pos);
        return failed() ? nullptr : std::move(s);
      }
      case ItemType::kLeftParen: {
        Item open = Consume();
        ExprPtr inner = ParseExpression(0);
        if (failed()) return nullptr;
        if (!Expect(ItemType::kRightParen, "", "")) return nullptr;
        auto p = std::make_unique<ParenExpr>();
        p->expr = std::move(inner);
        p->pos = {open.pos, last_closing_};
        if (!Built(*p, open.pos)) return nullptr;
        return p;
      }
      case ItemType::kLeftBrace:
        return ParseVectorSelector(std::nullopt);
      case ItemType::kIdentifier:
        if (PeekNext().type == ItemType::kLeftParen) return ParseCall();
        return ParseVectorSelector(Consume());
      default:
        break;
    }
    if (IsAggregator(cur_.type)) {
      const ItemType next = PeekNext().type;
      if (next == ItemType::kLeftParen || next == ItemType::kBy ||
          next == ItemType::kWithout) {
        return ParseAggregate();
      }
    }
    if (IsMetricIdentifier(cur_.type)) return ParseVectorSelector(Consume());
    Unexpected("", "");
    return nullptr;
  }

  ExprPtr ParsePostfix(ExprPtr e) {
    while (!failed()) {
      switch (cur_.type) {
        case ItemType::kLeftBracket:
          e = ParseRangeOrSubquery(std::move(e));
          break;
        case ItemType::kOffset:
          e = ParseOffset(std::move(e));
          break;
        case ItemType::kAt:
          e = ParseAt(std::move(e));
          break;
        default:
          return e;
      }
    }
    return nullptr;
  }

  ExprPtr ParseRangeOrSubquery(ExprPtr e) {
    Item open = Consume();
    if (cur_.type != ItemType::kDuration) {
      Unexpected("subquery selector", "duration");
      return nullptr;
    }
    std::optional<int64_t> range = ParseDurationItem(Consume());
    if (!range) return nullptr;
    if (cur_.type == ItemType::kRightBracket) {
      Item close = Consume();
      std::string err;
      if (e->kind() != NodeKind::kVectorSelector) {
        err = "ranges only allowed for vector selectors";
      } else if (e->As<VectorSelector>().original_offset_ms != 0) {
        err = "no offset modifiers allowed before range";
      } else if (e->As<VectorSelector>().timestamp_ms.has_value()) {
        err = "no @ modifiers allowed before range";
      }
      if (!err.empty()) {
        Fail(open.pos, std::move(err));
        return nullptr;
      }
      auto m = std::make_unique<MatrixSelector>();
      m->vector_selector = std::move(e);
      m->range_ms = *range;
      m->end_pos = close.pos + 1;
      if (!Built(*m, open.pos)) return nullptr;
      return m;
    }
    if (cur_.type != ItemType::kColon) {
      Unexpected("subquery or range", "\":\" or \"]\"");
      return nullptr;
    }
    Consume();
    int64_t step = 0;
    if (cur_.type == ItemType::kDuration) {
      std::optional<int64_t> s = ParseDurationItem(Consume());
      if (!s) return nullptr;
      step = *s;
      if (cur_.type != ItemType::kRightBracket) {
        Unexpected("subquery selector", "\"]\"");
        return nullptr;
      }
    } else if (cur_.type != ItemType::kRightBracket) {
      Unexpected("subquery selector", "duration or \"]\"");
      return nullptr;
    }
    Item close = Consume();
    auto sq = std::make_unique<SubqueryExpr>();
    sq->expr = std::move(e);
    sq->range_ms = *range;
    sq->step_ms = step;
    sq->end_pos = close.pos + 1;
    // Subqueries of subqueries chain without recursing.
    if (!Built(*sq, open.pos)) return nullptr;
    return sq;
  }

  ExprPtr ParseOffset(ExprPtr e) {
    Consume();
    bool negative = false;
    if (cur_.type == ItemType::kSub) {
      Consume();
      negative = true;
    }
    if (cur_.type != ItemType::kDuration) {
      Unexpected("offset", "duration");
      return nullptr;
    }
    std::optional<int64_t> d = ParseDurationItem(Consume());
    if (!d) return nullptr;
    const int64_t offset = negative ? -*d : *d;
    int64_t* target = nullptr;
    Pos* end = nullptr;
    switch (e->kind()) {
      case NodeKind::kVectorSelector:
        target = &e->As<VectorSelector>().original_offset_ms;
        end = &e->As<VectorSelector>().pos.end;
        break;
      case NodeKind::kMatrixSelector:
        target = &e->As<MatrixSelector>().selector().original_offset_ms;
        end = &e->As<MatrixSelector>().end_pos;
        break;
      case NodeKind::kSubquery:
        target = &e->As<SubqueryExpr>().original_offset_ms;
        end = &e->As<SubqueryExpr>().end_pos;
        break;
      default:
        Fail(e->Range().start,
             "offset modifier must be preceded by an instant vector selector "
             "or range vector selector or a subquery");
        return nullptr;
    }
    if (*target != 0) {
      Fail(e->Range().start, "offset may not be set multiple times");
      return nullptr;
    }
    *target = offset;
    *end = last_closing_;
    return e;
  }

  ExprPtr ParseAt(ExprPtr e) {
    Consume();
    std::optional<double> ts;
    AtPreprocessor pre = AtPreprocessor::kNone;
    if (cur_.type == ItemType::kNumber) {
      ts = ParseNumberItem(Consume());
      if (!ts) return nullptr;
    } else if ((cur_.type == ItemType::kAdd || cur_.type == ItemType::kSub) &&
               PeekNext().type == ItemType::kNumber) {
      const bool negative = Consume().type == ItemType::kSub;
      ts = ParseNumberItem(Consume());
      if (!ts) return nullptr;
      if (negative) *ts = -*ts;
    } else if (cur_.type == ItemType::kStart || cur_.type == ItemType::kEnd) {
      pre = cur_.type == ItemType::kStart ? AtPreprocessor::kStart
                                          : AtPreprocessor::kEnd;
      Consume();
      if (!Expect(ItemType::kLeftParen, "", "") ||
          !Expect(ItemType::kRightParen, "", "")) {
        return nullptr;
      }
    } else {
      Unexpected("@", "timestamp");
      return nullptr;
    }
    if (ts.has_value() &&
        (std::isinf(*ts) || std::isnan(*ts) ||
         *ts >= static_cast<double>(std::numeric_limits<int64_t>::max()) ||
         *ts <= static_cast<double>(std::numeric_limits<int64_t>::min()))) {
      Fail(e->Range().start,
           absl::StrFormat("timestamp out of bounds for @ modifier: %f", *ts));
      return nullptr;
    }
    std::optional<int64_t>* target = nullptr;
    AtPreprocessor* target_pre = nullptr;
    Pos* end = nullptr;
    switch (e->kind()) {
      case NodeKind::kVectorSelector: {
        auto& vs = e->As<VectorSelector>();
        target = &vs.timestamp_ms, target_pre = &vs.start_or_end;
        end = &vs.pos.end;
        break;
      }
      case NodeKind::kMatrixSelector: {
        auto& vs = e->As<MatrixSelector>().selector();
        target = &vs.timestamp_ms, target_pre = &vs.start_or_end;
        end = &e->As<MatrixSelector>().end_pos;
        break;
      }
      case NodeKind::kSubquery: {
        auto& sq = e->As<SubqueryExpr>();
        target = &sq.timestamp_ms, target_pre = &sq.start_or_end;
        end = &sq.end_pos;
        break;
      }
      default:
        Fail(e->Range().start,
             "@ modifier must be preceded by an instant vector selector or "
             "range vector selector or a subquery");
        return nullptr;
    }
    if (target->has_value() || *target_pre != AtPreprocessor::kNone) {
      Fail(e->Range().start, "@ <timestamp> may not be set multiple times");
      return nullptr;
    }
    if (ts.has_value()) {
      *target = GoInt64(std::round(*ts * 1000.0));
    } else {
      *target_pre = pre;
    }
    *end = last_closing_;
    return e;
  }

  ExprPtr ParseVectorSelector(std::optional<Item> name) {
    auto vs = std::make_unique<VectorSelector>();
    if (name.has_value()) {
      vs->name = std::string(name->val);
      vs->pos = {name->pos, name->pos + static_cast<Pos>(name->val.size())};
    } else {
      vs->pos = {cur_.pos, cur_.pos};
    }
    if (cur_.type == ItemType::kLeftBrace) {
      if (!ParseLabelMatchers(&vs->matchers)) return nullptr;
      vs->pos.end = last_closing_;
    }
    if (name.has_value()) {
      vs->matchers.push_back(Matcher::Equal(kMetricNameLabel, vs->name));
    }
    Built(*vs, vs->pos.start);
    return vs;
  }

  bool ParseLabelMatchers(std::vector<Matcher>* out) {
    Consume();  // {
    if (cur_.type == ItemType::kRightBrace) {
      Consume();
      return true;
    }
    while (true) {
      if (cur_.type != ItemType::kIdentifier) {
        Unexpected("label matching", "identifier or \"}\"");
        return false;
      }
      Item label = Consume();
      Matcher::Type type;
      switch (cur_.type) {
        case ItemType::kAssign:
          type = Matcher::Type::kEqual;
          break;
        case ItemType::kNeq:
          type = Matcher::Type::kNotEqual;
          break;
        case ItemType::kEqlRegex:
          type = Matcher::Type::kRegexMatch;
          break;
        case ItemType::kNeqRegex:
          type = Matcher::Type::kRegexNoMatch;
          break;
        default:
          Unexpected("label matching", "label matching operator");
          return false;
      }
      Consume();
      if (cur_.type != ItemType::kString) {
        Unexpected("label matching", "string");
        return false;
      }
      Item value = Consume();
      std::string val = UnquoteItem(value);
      if (failed()) return false;
      StatusOr<Matcher> m = Matcher::Create(type, label.val, val);
      if (!m.ok()) {
        Fail(label.pos, std::string(m.status().message()));
        return false;
      }
      out->push_back(*std::move(m));
      if (cur_.type == ItemType::kComma) {
        Consume();
        if (cur_.type == ItemType::kRightBrace) {
          Consume();
          return true;
        }
        continue;
      }
      if (cur_.type == ItemType::kRightBrace) {
        Consume();
        return true;
      }
      Unexpected("label matching", "\",\" or \"}\"");
      return false;
    }
  }

  bool ParseGroupingLabels(std::vector<std::string>* out) {
    if (cur_.type != ItemType::kLeftParen) {
      Unexpected("grouping opts", "\"(\"");
      return false;
    }
    Consume();
    if (cur_.type == ItemType::kRightParen) {
      Consume();
      return true;
    }
    while (true) {
      if (!IsMaybeLabel(cur_.type) || !IsLabelName(cur_.val)) {
        Unexpected("grouping opts", "label");
        return false;
      }
      out->push_back(std::string(Consume().val));
      if (cur_.type == ItemType::kComma) {
        Consume();
        if (cur_.type == ItemType::kRightParen) {
          Consume();
          return true;
        }
        continue;
      }
      if (cur_.type == ItemType::kRightParen) {
        Consume();
        return true;
      }
      Unexpected("grouping opts", "\",\" or \")\"");
      return false;
    }
  }

  // `( [expr {, expr}] )`; the current token is "(".
  bool ParseCallArgs(std::vector<ExprPtr>* args) {
    Consume();
    if (cur_.type == ItemType::kRightParen) {
      Consume();
      return true;
    }
    while (true) {
      ExprPtr e = ParseExpression(0);
      if (failed()) return false;
      args->push_back(std::move(e));
      if (cur_.type == ItemType::kComma) {
        Item comma = Consume();
        if (cur_.type == ItemType::kRightParen) {
          Fail(comma.pos, "trailing commas not allowed in function call args");
          return false;
        }
        continue;
      }
      if (cur_.type == ItemType::kRightParen) {
        Consume();
        return true;
      }
      Unexpected("", "");
      return false;
    }
  }

  ExprPtr ParseCall() {
    Item name = Consume();
    auto call = std::make_unique<Call>();
    if (!ParseCallArgs(&call->args)) return nullptr;
    call->func = LookupFunction(name.val);
    if (call->func == nullptr) {
      Fail(name.pos, Cat("unknown function with name ", GoQuoted(name.val)));
      return nullptr;
    }
    call->pos = {name.pos, last_closing_};
    if (!Built(*call, name.pos)) return nullptr;
    return call;
  }

  ExprPtr ParseAggregate() {
    Item op = Consume();
    auto agg = std::make_unique<AggregateExpr>();
    agg->op = op.type;
    bool have_modifier = false;
    auto parse_modifier = [&]() {
      agg->without = cur_.type == ItemType::kWithout;
      Consume();
      have_modifier = true;
      return ParseGroupingLabels(&agg->grouping);
    };
    if ((cur_.type == ItemType::kBy || cur_.type == ItemType::kWithout) &&
        !parse_modifier()) {
      return nullptr;
    }
    if (cur_.type != ItemType::kLeftParen) {
      Unexpected("aggregation", "");
      return nullptr;
    }
    std::vector<ExprPtr> args;
    ++agg_depth_;
    const bool ok = ParseCallArgs(&args);
    --agg_depth_;
    if (!ok) return nullptr;
    if (!have_modifier &&
        (cur_.type == ItemType::kBy || cur_.type == ItemType::kWithout) &&
        !parse_modifier()) {
      return nullptr;
    }
    agg->pos = {op.pos, last_closing_};
    if (args.empty()) {
      Fail(op.pos, "no arguments for aggregate expression provided");
      return nullptr;
    }
    const size_t desired = IsAggregatorWithParam(agg->op) ? 2 : 1;
    if (args.size() != desired) {
      Fail(op.pos, absl::StrFormat("wrong number of arguments for aggregate "
                                   "expression provided, expected %d, got %d",
                                   desired, args.size()));
      return nullptr;
    }
    if (desired == 2) agg->param = std::move(args[0]);
    agg->expr = std::move(args[desired - 1]);
    if (!Built(*agg, op.pos)) return nullptr;
    return agg;
  }

  std::string_view input_;
  Lexer lex_;
  Item cur_;
  std::optional<Item> next_;
  Pos last_closing_ = 0;
  int agg_depth_ = 0;
  // Current nesting of ParseExpression; at most kMaxExprDepth + 1.
  int depth_ = 0;
  // The height of every node built (a leaf is 1), at most kMaxExprDepth.
  absl::flat_hash_map<const Expr*, int> heights_;
  std::optional<ParseError> error_;
};

}  // namespace

std::string FormatParseError(std::string_view query, Pos pos,
                             std::string_view msg) {
  if (pos < 0 || pos > static_cast<Pos>(query.size())) {
    return Cat("invalid position: parse error: ", msg);
  }
  int line = 1;
  int last_break = -1;
  for (Pos i = 0; i < pos; ++i) {
    if (query[i] == '\n') {
      last_break = i;
      ++line;
    }
  }
  return Cat(line, ":", pos - last_break, ": parse error: ", msg);
}

StatusOr<ExprPtr> ParseExpr(std::string_view query) {
  Parser p(query);
  return p.ParseQuery();
}

StatusOr<std::vector<Matcher>> ParseMetricSelector(std::string_view input) {
  Parser p(input);
  return p.ParseSelector();
}

}  // namespace strata::promql
