#include "template/parser.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

#include "template/lexer.h"
#include "util/strings.h"

namespace strata::tmpl {
namespace {

using NodePtr = std::unique_ptr<Node>;

// Go's item.String() for "unexpected <token>" messages.
std::string Describe(const Token& t) {
  if (t.type == TokenType::kEof) return "EOF";
  if (t.type == TokenType::kError) return t.text;
  if (t.type == TokenType::kKeyword) return "<" + t.text + ">";
  if (t.text.size() > 10) return GoQuoted(t.text.substr(0, 10)) + "...";
  return GoQuoted(t.text);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// strconv.Unquote for "..." and '...' (quotes included); false if malformed.
bool Unquote(std::string_view q, std::string* out) {
  if (q.size() < 2) return false;
  if (q[0] == '`') {
    *out = std::string(q.substr(1, q.size() - 2));
    return true;
  }
  std::string_view s = q.substr(1, q.size() - 2);
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out->push_back(s[i]);
      continue;
    }
    if (++i >= s.size()) return false;
    char c = s[i];
    switch (c) {
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case '\\':
      case '"':
      case '\'':
        out->push_back(c);
        break;
      case 'x':
      case 'u':
      case 'U': {
        int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        int v = 0;
        for (int d = 0; d < digits; ++d) {
          if (++i >= s.size() || HexValue(s[i]) < 0) return false;
          v = v * 16 + HexValue(s[i]);
        }
        if (c == 'x') {
          out->push_back(static_cast<char>(v));
        } else {
          AppendUtf8(out, v);
        }
        break;
      }
      default: {
        if (c < '0' || c > '7' || i + 2 >= s.size()) return false;
        int v = (c - '0') * 64 + (s[i + 1] - '0') * 8 + (s[i + 2] - '0');
        out->push_back(static_cast<char>(v));
        i += 2;
      }
    }
  }
  return true;
}

// Go's stack grows; ours does not, so nesting ({{if}} in {{if}}, or
// parentheses) is bounded. The message is go/parser's.
constexpr int kMaxParseDepth = 1000;
constexpr std::string_view kTooDeep = "max expression depth exceeded";

class Parser {
 public:
  Parser(std::string_view name, std::string_view text,
         const std::function<bool(std::string_view)>& is_function)
      : name_(name), tokens_(Lex(text)), is_function_(is_function) {}

  StatusOr<Trees> Run() {
    auto root = std::make_unique<Node>(NodeType::kList, 0, 1);
    while (Peek().type != TokenType::kEof) {
      if (Peek().type == TokenType::kLeftDelim &&
          IsKeywordAfterDelim("define")) {
        Next();
        NextNonSpace();
        if (!ParseDefinition()) return error_;
        continue;
      }
      NodePtr n = TextOrAction();
      if (!n) return error_;
      if (IsEndOrElse(*n)) {
        Fail("unexpected " + n->text);
        return error_;
      }
      root->children.push_back(std::move(n));
    }
    if (!error_.ok()) return error_;
    trees_[name_] = std::move(root);
    return std::move(trees_);
  }

 private:
  struct DepthGuard {
    explicit DepthGuard(Parser* p) : parser(p) { ++parser->depth_; }
    ~DepthGuard() { --parser->depth_; }
    Parser* parser;
  };

  // Stand-ins for {{end}} and {{else}} that end an item list.
  static bool IsEndOrElse(const Node& n) {
    return n.type == NodeType::kText && n.raw == "\x01";
  }

  // Past the end, the last token (kEof or kError) repeats.
  const Token& At(size_t i) const {
    return tokens_[std::min(i, tokens_.size() - 1)];
  }
  const Token& Peek() const { return At(pos_); }
  const Token& Next() { return At(pos_++); }
  void Backup(size_t n = 1) { pos_ -= n; }
  const Token& NextNonSpace() {
    while (Peek().type == TokenType::kSpace) Next();
    return Next();
  }
  const Token& PeekNonSpace() {
    const Token& t = NextNonSpace();
    Backup();
    return t;
  }
  bool IsKeywordAfterDelim(std::string_view keyword) const {
    size_t i = pos_ + 1;
    while (i < tokens_.size() && tokens_[i].type == TokenType::kSpace) ++i;
    return i < tokens_.size() && tokens_[i].type == TokenType::kKeyword &&
           tokens_[i].text == keyword;
  }

  // Records the first error; returns null for callers to propagate.
  std::nullptr_t Fail(std::string_view msg) { return FailAt(Peek(), msg); }
  std::nullptr_t FailAt(const Token& t, std::string_view msg) {
    if (error_.ok()) {
      int line = t.line;
      if (t.type == TokenType::kEof && pos_ > 0) line = At(pos_ - 1).line;
      error_ = Status::InvalidArgument(
          Cat("template: ", name_, ":", line, ": ", msg));
    }
    return nullptr;
  }
  std::nullptr_t Unexpected(const Token& t, std::string_view context) {
    if (t.type == TokenType::kError) return FailAt(t, t.text);
    return FailAt(t, Cat("unexpected ", Describe(t), " in ", context));
  }
  NodePtr NewNode(NodeType type, const Token& t) {
    return std::make_unique<Node>(type, t.pos, t.line);
  }
  NodePtr EndOrElse(const Token& t, const char* what) {
    NodePtr n = NewNode(NodeType::kText, t);
    n->raw = "\x01";
    n->text = what;
    return n;
  }

  bool ParseDefinition() {
    const Token& name = NextNonSpace();
    std::string tname;
    if ((name.type != TokenType::kString &&
         name.type != TokenType::kRawString) ||
        !Unquote(name.text, &tname)) {
      Unexpected(name, "define clause");
      return false;
    }
    if (NextNonSpace().type != TokenType::kRightDelim) {
      Unexpected(At(pos_ - 1), "define clause");
      return false;
    }
    std::vector<std::string> saved_vars = std::exchange(vars_, {"$"});
    auto [list, end] = ItemList();
    vars_ = std::move(saved_vars);
    if (!list) return false;
    if (end->text != "{{end}}") {
      FailAt(At(pos_ - 1), "unexpected " + end->text + " in define clause");
      return false;
    }
    trees_[tname] = std::move(list);
    return true;
  }

  // Items up to {{end}} or {{else}}, returned second.
  std::pair<NodePtr, NodePtr> ItemList() {
    auto list = NewNode(NodeType::kList, Peek());
    while (PeekNonSpace().type != TokenType::kEof) {
      NodePtr n = TextOrAction();
      if (!n) return {nullptr, nullptr};
      if (IsEndOrElse(*n)) return {std::move(list), std::move(n)};
      list->children.push_back(std::move(n));
    }
    return {Fail("unexpected EOF"), nullptr};
  }

  NodePtr TextOrAction() {
    const Token& t = NextNonSpace();
    if (t.type == TokenType::kText) {
      NodePtr n = NewNode(NodeType::kText, t);
      n->text = t.text;
      return n;
    }
    if (t.type == TokenType::kLeftDelim) return Action();
    return Unexpected(t, "input");
  }

  NodePtr Action() {
    const Token& t = NextNonSpace();
    if (t.type == TokenType::kKeyword) {
      if (t.text == "if") return Control(NodeType::kIf, t, "if");
      if (t.text == "range") return Control(NodeType::kRange, t, "range");
      if (t.text == "with") return Control(NodeType::kWith, t, "with");
      if (t.text == "end")
        return ExpectRightDelim(EndOrElse(t, "{{end}}"), "end");
      if (t.text == "else") return ElseAction(t);
      if (t.text == "template" || t.text == "block") return TemplateAction(t);
      if (t.text == "break" || t.text == "continue") return LoopControl(t);
    }
    Backup();
    const Token& start = Peek();
    NodePtr pipe = Pipeline("command", TokenType::kRightDelim);
    if (!pipe) return nullptr;
    NodePtr n = NewNode(NodeType::kAction, start);
    n->pipe = std::move(pipe);
    return n;
  }

  NodePtr ExpectRightDelim(NodePtr n, std::string_view context) {
    const Token& t = NextNonSpace();
    if (t.type != TokenType::kRightDelim) return Unexpected(t, context);
    return n;
  }

  NodePtr ElseAction(const Token& t) {
    // {{else if ...}}: the caller sees "else" and parses the "if" that
    // follows as a nested control. (Go 1.23's {{else with}} is newer than
    // Prometheus 2.42's Go, which rejects it.)
    const Token& next = PeekNonSpace();
    if (next.type == TokenType::kKeyword && next.text == "if") {
      NodePtr n = EndOrElse(t, "{{else}}");
      n->idents.push_back(next.text);
      return n;
    }
    return ExpectRightDelim(EndOrElse(t, "{{else}}"), "else");
  }

  NodePtr LoopControl(const Token& t) {
    if (range_depth_ == 0) {
      return FailAt(t, "{{" + t.text + "}} outside {{range}}");
    }
    return ExpectRightDelim(
        NewNode(t.text == "break" ? NodeType::kBreak : NodeType::kContinue, t),
        t.text);
  }

  NodePtr Control(NodeType type, const Token& keyword, const char* context) {
    DepthGuard guard(this);
    if (depth_ > kMaxParseDepth) return FailAt(keyword, kTooDeep);
    size_t vars_mark = vars_.size();
    NodePtr n = NewNode(type, keyword);
    n->pipe = Pipeline(context, TokenType::kRightDelim);
    if (!n->pipe) return nullptr;
    if (type == NodeType::kRange) ++range_depth_;
    auto [list, next] = ItemList();
    if (type == NodeType::kRange) --range_depth_;
    if (!list) return nullptr;
    n->list = std::move(list);
    if (next->text == "{{else}}") {
      if (!next->idents.empty()) {
        // {{else if x}} is {{else}}{{if x}}...{{end}}: the nested if
        // consumes the shared {{end}}. Go allows it after with and range too.
        const Token& kw = NextNonSpace();
        auto else_list = NewNode(NodeType::kList, kw);
        NodePtr nested = Control(NodeType::kIf, kw, "if");
        if (!nested) return nullptr;
        else_list->children.push_back(std::move(nested));
        n->else_list = std::move(else_list);
        vars_.resize(vars_mark);
        return n;
      }
      auto [else_list, end] = ItemList();
      if (!else_list) return nullptr;
      if (end->text != "{{end}}") {
        return Fail("expected end; found " + end->text);
      }
      n->else_list = std::move(else_list);
    }
    vars_.resize(vars_mark);
    return n;
  }

  NodePtr TemplateAction(const Token& keyword) {
    const char* context =
        keyword.text == "block" ? "block clause" : "template clause";
    const Token& name = NextNonSpace();
    NodePtr n = NewNode(NodeType::kTemplate, name);  // Go's position.
    if ((name.type != TokenType::kString &&
         name.type != TokenType::kRawString) ||
        !Unquote(name.text, &n->text)) {
      return Unexpected(name, context);
    }
    if (NextNonSpace().type != TokenType::kRightDelim) {
      Backup();
      n->pipe = Pipeline(context, TokenType::kRightDelim);
      if (!n->pipe) return nullptr;
    }
    if (keyword.text == "block") {
      std::vector<std::string> saved_vars = std::exchange(vars_, {"$"});
      auto [list, end] = ItemList();
      vars_ = std::move(saved_vars);
      if (!list) return nullptr;
      if (end->text != "{{end}}")
        return Fail("unexpected {{else}} in block clause");
      trees_[n->text] = std::move(list);
    }
    return n;
  }

  NodePtr Pipeline(const char* context, TokenType end) {
    DepthGuard guard(this);
    if (depth_ > kMaxParseDepth) return Fail(kTooDeep);
    NodePtr pipe = NewNode(NodeType::kPipe, PeekNonSpace());
    if (!Declarations(pipe.get(), context)) return nullptr;
    while (true) {
      const Token& t = NextNonSpace();
      if (t.type == end) {
        if (pipe->children.empty())
          return FailAt(t, Cat("missing value for ", context));
        for (size_t i = 1; i < pipe->children.size(); ++i) {
          NodeType first = pipe->children[i]->children[0]->type;
          if (first == NodeType::kBool || first == NodeType::kDot ||
              first == NodeType::kNil || first == NodeType::kNumber ||
              first == NodeType::kString) {
            return FailAt(
                t, Cat("non executable command in pipeline stage ", i + 1));
          }
        }
        return pipe;
      }
      switch (t.type) {
        case TokenType::kBool:
        case TokenType::kChar:
        case TokenType::kDot:
        case TokenType::kField:
        case TokenType::kIdentifier:
        case TokenType::kNumber:
        case TokenType::kNil:
        case TokenType::kRawString:
        case TokenType::kString:
        case TokenType::kVariable:
        case TokenType::kLeftParen: {
          Backup();
          NodePtr cmd = Command();
          if (!cmd) return nullptr;
          pipe->children.push_back(std::move(cmd));
          break;
        }
        default:
          return Unexpected(t, context);
      }
    }
  }

  // "$x :=", "$x =", "$i, $v :=" at the start of a pipeline.
  bool Declarations(Node* pipe, const char* context) {
    while (true) {
      const Token& v = PeekNonSpace();
      if (v.type != TokenType::kVariable) return true;
      size_t mark = pos_;
      NextNonSpace();
      const Token& op = NextNonSpace();
      if (op.type == TokenType::kDeclare || op.type == TokenType::kAssign) {
        pipe->is_assign = op.type == TokenType::kAssign;
        pipe->decl.push_back(v.text);
        if (!pipe->is_assign) vars_.push_back(v.text);
        return true;
      }
      if (op.type == TokenType::kComma) {
        pipe->decl.push_back(v.text);
        vars_.push_back(v.text);
        if (std::string_view(context) != "range" || pipe->decl.size() >= 2) {
          FailAt(op, Cat("too many declarations in ", context));
          return false;
        }
        continue;
      }
      pos_ = mark;
      return true;
    }
  }

  NodePtr Command() {
    NodePtr cmd = NewNode(NodeType::kCommand, PeekNonSpace());
    while (true) {
      PeekNonSpace();
      NodePtr operand = Operand();
      if (!error_.ok()) return nullptr;
      if (operand) cmd->children.push_back(std::move(operand));
      const Token& t = Next();
      if (t.type == TokenType::kSpace) continue;
      if (t.type == TokenType::kRightDelim ||
          t.type == TokenType::kRightParen) {
        Backup();
      } else if (t.type != TokenType::kPipe) {
        if (t.type == TokenType::kError) return FailAt(t, t.text);
        return FailAt(t, Cat("unexpected ", Describe(t), " in operand"));
      }
      break;
    }
    if (cmd->children.empty()) return Fail("empty command");
    return cmd;
  }

  NodePtr Operand() {
    NodePtr node = Term();
    if (!node || Peek().type != TokenType::kField) return node;
    // Go builds a chain at the first trailing field, and the merged field
    // or variable node takes the chain's position.
    const Token& chain_start = Peek();
    std::vector<std::string> fields;
    while (Peek().type == TokenType::kField) {
      fields.push_back(Next().text.substr(1));
    }
    switch (node->type) {
      case NodeType::kField:
      case NodeType::kVariable:
        node->pos = chain_start.pos;
        node->line = chain_start.line;
        for (auto& f : fields) node->idents.push_back(std::move(f));
        return node;
      case NodeType::kBool:
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kNil:
      case NodeType::kDot:
        return Fail(Cat("unexpected . after term ", GoQuoted(node->String())));
      default: {
        NodePtr chain = std::make_unique<Node>(
            NodeType::kChain, chain_start.pos, chain_start.line);
        chain->children.push_back(std::move(node));
        chain->idents = std::move(fields);
        return chain;
      }
    }
  }

  NodePtr Term() {
    const Token& t = NextNonSpace();
    switch (t.type) {
      case TokenType::kIdentifier: {
        if (!is_function_(t.text)) {
          return FailAt(t, Cat("function ", GoQuoted(t.text), " not defined"));
        }
        NodePtr n = NewNode(NodeType::kIdentifier, t);
        n->text = t.text;
        return n;
      }
      case TokenType::kDot:
        return NewNode(NodeType::kDot, t);
      case TokenType::kNil:
        return NewNode(NodeType::kNil, t);
      case TokenType::kVariable: {
        bool defined = false;
        for (const auto& v : vars_) defined |= v == t.text;
        if (!defined)
          return FailAt(t, Cat("undefined variable ", GoQuoted(t.text)));
        NodePtr n = NewNode(NodeType::kVariable, t);
        n->idents.push_back(t.text);
        return n;
      }
      case TokenType::kField: {
        NodePtr n = NewNode(NodeType::kField, t);
        n->idents.push_back(t.text.substr(1));
        return n;
      }
      case TokenType::kBool: {
        NodePtr n = NewNode(NodeType::kBool, t);
        n->bool_value = t.text == "true";
        return n;
      }
      case TokenType::kChar:
      case TokenType::kNumber:
        return Number(t);
      case TokenType::kLeftParen: {
        NodePtr pipe =
            Pipeline("parenthesized pipeline", TokenType::kRightParen);
        if (pipe) pipe->pos = t.pos;
        return pipe;
      }
      case TokenType::kString:
      case TokenType::kRawString: {
        NodePtr n = NewNode(NodeType::kString, t);
        n->raw = t.text;
        if (!Unquote(t.text, &n->text)) return FailAt(t, "bad string syntax");
        return n;
      }
      default:
        Backup();
        return nullptr;
    }
  }

  NodePtr Number(const Token& t) {
    NodePtr n = NewNode(NodeType::kNumber, t);
    n->text = t.text;
    if (t.type == TokenType::kChar) {
      std::string s;
      int width = 0;
      if (!Unquote(t.text, &s) || s.empty()) {
        return FailAt(t, Cat("malformed character constant: ", t.text));
      }
      n->int_value = DecodeRune(s, &width);
      return n;
    }
    std::string digits;
    for (char c : t.text) {
      if (c != '_') digits.push_back(c);
    }
    bool hex = digits.find("0x") != std::string::npos ||
               digits.find("0X") != std::string::npos;
    n->is_float = !hex && digits.find_first_of(".eE") != std::string::npos;
    const char* begin = digits.c_str();
    char* end = nullptr;
    errno = 0;
    if (n->is_float) {
      n->float_value = std::strtod(begin, &end);
    } else {
      std::string_view body = digits;
      bool neg = !body.empty() && body[0] == '-';
      if (!body.empty() && (body[0] == '-' || body[0] == '+'))
        body.remove_prefix(1);
      int base = 10;
      if (body.size() > 1 && body[0] == '0') {
        char p = body[1] | 0x20;
        base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 8;
        if (p == 'x' || p == 'o' || p == 'b') body.remove_prefix(2);
      }
      std::string b(body);
      n->int_value = static_cast<int64_t>(std::strtoull(b.c_str(), &end, base));
      if (neg) n->int_value = -n->int_value;
      if (b.empty() || *end != '\0' || errno != 0) {
        return FailAt(t, Cat("illegal number syntax: ", GoQuoted(t.text)));
      }
      return n;
    }
    // strconv.ParseFloat fails on overflow only; an underflow is 0 or a
    // subnormal.
    if (*end != '\0' || (errno == ERANGE && std::isinf(n->float_value))) {
      return FailAt(t, Cat("illegal number syntax: ", GoQuoted(t.text)));
    }
    return n;
  }

  const std::string name_;
  const std::vector<Token> tokens_;
  const std::function<bool(std::string_view)>& is_function_;
  size_t pos_ = 0;
  std::vector<std::string> vars_{"$"};
  int range_depth_ = 0;
  int depth_ = 0;  // Nesting of controls and pipelines, bounded for the stack.
  Trees trees_;
  Status error_;
};

}  // namespace

StatusOr<Trees> Parse(
    std::string_view name, std::string_view text,
    const std::function<bool(std::string_view)>& is_function) {
  return Parser(name, text, is_function).Run();
}

}  // namespace strata::tmpl
