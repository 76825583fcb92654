#include "template/exec.h"

#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "template/builtins.h"
#include "template/go_fmt.h"
#include "template/go_time.h"
#include "util/strings.h"

namespace strata::tmpl {
namespace {

using Args = std::vector<std::unique_ptr<Node>>;
using Kind = Value::Kind;

// Go allows 100000 nested {{template}} calls; our stack is smaller.
constexpr int kMaxExecDepth = 1000;

// What ends the walk of a list early inside {{range}}.
enum class Flow { kNormal, kBreak, kContinue };

class Executor {
 public:
  explicit Executor(const ExecInput& in) : in_(in), tmpl_name_(in.name) {}

  StatusOr<std::string> Run(const Value& dot) {
    auto it = in_.trees->find(std::string(in_.name));
    if (it == in_.trees->end()) {
      return Status::InvalidArgument(
          Cat("template: ", GoQuoted(in_.name),
              " is an incomplete or empty template"));
    }
    vars_.emplace_back("$", dot);
    Flow flow = Flow::kNormal;
    STRATA_RETURN_IF_ERROR(Walk(dot, *it->second, &flow));
    return std::move(out_);
  }

 private:
  void At(const Node& n) { at_ = &n; }

  Status Errorf(std::string_view msg) const {
    if (at_ == nullptr) {
      return Status::InvalidArgument(Cat("template: ", tmpl_name_, ": ", msg));
    }
    std::string_view before = in_.text.substr(0, at_->pos);
    size_t newline = before.rfind('\n');
    size_t col =
        newline == std::string_view::npos ? at_->pos : at_->pos - (newline + 1);
    int line = 1;
    for (char c : before) line += c == '\n';
    const std::string context = at_->String();
    return Status::InvalidArgument(
        Cat("template: ", in_.name, ":", line, ":", col, ": executing ",
            GoQuoted(tmpl_name_), " at <", context, ">: ", msg));
  }

  // ---- Statements ----

  Status Walk(const Value& dot, const Node& node, Flow* flow) {
    switch (node.type) {
      case NodeType::kAction: {
        STRATA_ASSIGN_OR_RETURN(Value v, EvalPipeline(dot, *node.pipe));
        if (node.pipe->decl.empty()) PrintValue(node, v);
        return Status::OK();
      }
      case NodeType::kList:
        for (const auto& child : node.children) {
          STRATA_RETURN_IF_ERROR(Walk(dot, *child, flow));
          if (*flow != Flow::kNormal) break;
        }
        return Status::OK();
      case NodeType::kIf:
      case NodeType::kWith:
        return WalkIfOrWith(dot, node, flow);
      case NodeType::kRange:
        return WalkRange(dot, node);
      case NodeType::kTemplate:
        return WalkTemplate(dot, node);
      case NodeType::kText:
        out_ += node.text;
        return Status::OK();
      case NodeType::kBreak:
        *flow = Flow::kBreak;
        return Status::OK();
      case NodeType::kContinue:
        *flow = Flow::kContinue;
        return Status::OK();
      default:
        At(node);
        return Errorf(Cat("unknown node: ", node.String()));
    }
  }

  void PrintValue(const Node& node, const Value& v) {
    At(node);
    if (v.is_nil()) {
      out_ += "<no value>";
    } else if (v.kind() == Kind::kSample) {
      // Go prints what a pointer points to: {map[...] 1}, not &{...}.
      std::string s = GoValueString(v);
      out_.append(s, 1);
    } else {
      AppendGoValue(&out_, v);
    }
  }

  Status WalkIfOrWith(const Value& dot, const Node& node, Flow* flow) {
    size_t mark = vars_.size();
    STRATA_ASSIGN_OR_RETURN(Value v, EvalPipeline(dot, *node.pipe));
    Status s;
    if (v.IsTrue()) {
      s = Walk(node.type == NodeType::kWith ? v : dot, *node.list, flow);
    } else if (node.else_list) {
      s = Walk(dot, *node.else_list, flow);
    }
    vars_.resize(mark);
    return s;
  }

  Status WalkRange(const Value& dot, const Node& node) {
    At(node);
    size_t mark = vars_.size();
    STRATA_ASSIGN_OR_RETURN(Value v, EvalPipeline(dot, *node.pipe));
    size_t body_mark = vars_.size();
    const std::vector<std::string>& decl = node.pipe->decl;
    // Returns false after {{break}}.
    auto one_iteration = [&](const Value& index, const Value& elem,
                             Status* status) {
      if (!decl.empty()) {
        if (node.pipe->is_assign) {
          *status = SetVar(decl[0], decl.size() > 1 ? index : elem);
          if (status->ok() && decl.size() > 1) *status = SetVar(decl[1], elem);
          if (!status->ok()) return false;
        } else {
          vars_[vars_.size() - 1].second = elem;
          if (decl.size() > 1) vars_[vars_.size() - 2].second = index;
        }
      }
      Flow flow = Flow::kNormal;
      *status = Walk(elem, *node.list, &flow);
      vars_.resize(body_mark);
      return status->ok() && flow != Flow::kBreak;
    };
    Status status;
    bool ran = false;
    if (v.kind() == Kind::kList) {
      const ValueList& items = v.AsList();
      for (size_t i = 0; i < items.size(); ++i) {
        ran = true;
        if (!one_iteration(Value::Int(i), items[i], &status)) break;
      }
    } else if (v.kind() == Kind::kMap) {
      for (const auto& [key, elem] : v.AsMap()) {
        ran = true;
        if (!one_iteration(Value::String(key), elem, &status)) break;
      }
    } else if (!v.is_nil()) {
      return Errorf(Cat("range can't iterate over ", GoValueString(v)));
    }
    if (status.ok() && !ran && node.else_list) {
      Flow flow = Flow::kNormal;
      status = Walk(dot, *node.else_list, &flow);
    }
    vars_.resize(mark);
    return status;
  }

  Status WalkTemplate(const Value& dot, const Node& node) {
    At(node);
    auto it = in_.trees->find(node.text);
    if (it == in_.trees->end()) {
      return Errorf(Cat("template ", GoQuoted(node.text), " not defined"));
    }
    if (depth_ >= kMaxExecDepth) {
      return Errorf(
          Cat("exceeded maximum template depth (", kMaxExecDepth, ")"));
    }
    Value new_dot;
    if (node.pipe) {
      STRATA_ASSIGN_OR_RETURN(new_dot, EvalPipeline(dot, *node.pipe));
    }
    auto saved_vars = std::exchange(vars_, {{"$", new_dot}});
    std::string saved_name = std::exchange(tmpl_name_, node.text);
    ++depth_;
    Flow flow = Flow::kNormal;
    Status s = Walk(new_dot, *it->second, &flow);
    --depth_;
    tmpl_name_ = std::move(saved_name);
    vars_ = std::move(saved_vars);
    return s;
  }

  // ---- Variables ----

  StatusOr<Value> VarValue(std::string_view name) const {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    return Errorf(Cat("undefined variable: ", name));
  }

  Status SetVar(std::string_view name, const Value& v) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->first == name) {
        it->second = v;
        return Status::OK();
      }
    }
    return Errorf(Cat("undefined variable: ", name));
  }

  // ---- Expressions ----

  StatusOr<Value> EvalPipeline(const Value& dot, const Node& pipe) {
    At(pipe);
    std::optional<Value> value;
    for (const auto& cmd : pipe.children) {
      std::optional<Value> final = std::move(value);
      STRATA_ASSIGN_OR_RETURN(
          value, EvalCommand(dot, *cmd, final ? &*final : nullptr));
    }
    for (const std::string& var : pipe.decl) {
      if (pipe.is_assign) {
        STRATA_RETURN_IF_ERROR(SetVar(var, *value));
      } else {
        vars_.emplace_back(var, *value);
      }
    }
    return *value;
  }

  StatusOr<Value> EvalCommand(const Value& dot, const Node& cmd,
                              const Value* final) {
    const Node& first = *cmd.children[0];
    const Args* args = &cmd.children;
    switch (first.type) {
      case NodeType::kField:
        return EvalFieldNode(dot, first, args, final);
      case NodeType::kChain:
        return EvalChainNode(dot, first, args, final);
      case NodeType::kIdentifier:
        return EvalFunction(dot, first, cmd, args, final);
      case NodeType::kPipe:
        STRATA_RETURN_IF_ERROR(NotAFunction(args, final));
        return EvalPipeline(dot, first);
      case NodeType::kVariable:
        return EvalVariableNode(dot, first, args, final);
      default:
        break;
    }
    At(first);
    STRATA_RETURN_IF_ERROR(NotAFunction(args, final));
    switch (first.type) {
      case NodeType::kBool:
        return Value::Bool(first.bool_value);
      case NodeType::kDot:
        return dot;
      case NodeType::kNil:
        return Errorf("nil is not a command");
      case NodeType::kNumber:
        return IdealConstant(first);
      case NodeType::kString:
        return Value::String(first.text);
      default:
        return Errorf(Cat("can't evaluate command ", GoQuoted(first.String())));
    }
  }

  Status NotAFunction(const Args* args, const Value* final) const {
    if (args != nullptr && (args->size() > 1 || final != nullptr)) {
      return Errorf(
          Cat("can't give argument to non-function ", (*args)[0]->String()));
    }
    return Status::OK();
  }

  Value IdealConstant(const Node& n) {
    At(n);
    return n.is_float ? Value::Float(n.float_value) : Value::Int(n.int_value);
  }

  StatusOr<Value> EvalFieldNode(const Value& dot, const Node& field,
                                const Args* args, const Value* final) {
    At(field);
    return EvalFieldChain(dot, dot, field, field.idents, args, final);
  }

  StatusOr<Value> EvalChainNode(const Value& dot, const Node& chain,
                                const Args* args, const Value* final) {
    At(chain);
    if (chain.children[0]->type == NodeType::kNil) {
      return Errorf(
          Cat("indirection through explicit nil in ", chain.String()));
    }
    STRATA_ASSIGN_OR_RETURN(Value receiver, EvalArg(dot, *chain.children[0]));
    return EvalFieldChain(dot, receiver, chain, chain.idents, args, final);
  }

  StatusOr<Value> EvalVariableNode(const Value& dot, const Node& var,
                                   const Args* args, const Value* final) {
    At(var);
    STRATA_ASSIGN_OR_RETURN(Value value, VarValue(var.idents[0]));
    if (var.idents.size() == 1) {
      STRATA_RETURN_IF_ERROR(NotAFunction(args, final));
      return value;
    }
    return EvalFieldChain(dot, value, var, std::span(var.idents).subspan(1),
                          args, final);
  }

  StatusOr<Value> EvalFieldChain(const Value& dot, Value receiver,
                                 const Node& node,
                                 std::span<const std::string> idents,
                                 const Args* args, const Value* final) {
    for (size_t i = 0; i + 1 < idents.size(); ++i) {
      STRATA_ASSIGN_OR_RETURN(receiver, EvalField(dot, idents[i], node, nullptr,
                                                  nullptr, receiver));
    }
    return EvalField(dot, idents.back(), node, args, final, receiver);
  }

  StatusOr<Value> EvalField(const Value& dot, const std::string& name,
                            const Node& node, const Args* args,
                            const Value* final, const Value& receiver) {
    if (receiver.is_nil()) {
      if (in_.missing_key_error) {
        return Errorf(Cat("nil data; no entry for key ", GoQuoted(name)));
      }
      return Value();
    }
    const bool has_args =
        (args != nullptr && args->size() > 1) || final != nullptr;
    switch (receiver.kind()) {
      case Kind::kTime:
        return CallTimeMethod(dot, name, node, args, final, receiver.AsTime());
      case Kind::kSample:
        if (name == "Labels" || name == "Value") {
          if (has_args) {
            return Errorf(
                Cat(name, " has arguments but cannot be invoked as function"));
          }
          const Sample& s = receiver.AsSample();
          return name == "Labels" ? Value::StringMap(s.labels)
                                  : Value::Float(s.value);
        }
        break;
      case Kind::kStruct:
        if (const Value* field = receiver.StructField(name)) {
          if (has_args) {
            return Errorf(
                Cat(name, " has arguments but cannot be invoked as function"));
          }
          return *field;
        }
        break;
      case Kind::kMap: {
        if (has_args) {
          return Errorf(Cat(name, " is not a method but has arguments"));
        }
        auto it = receiver.AsMap().find(name);
        if (it != receiver.AsMap().end()) return it->second;
        if (in_.missing_key_error) {
          return Errorf(Cat("map has no entry for key ", GoQuoted(name)));
        }
        return receiver.MissingMapEntry();
      }
      default:
        break;
    }
    return Errorf(
        Cat("can't evaluate field ", name, " in type ", receiver.TypeName()));
  }

  // The methods of *time.Time a template can call: Format, Unix,
  // UnixMilli, UnixNano, String, UTC.
  StatusOr<Value> CallTimeMethod(const Value& dot, const std::string& name,
                                 const Node& node, const Args* args,
                                 const Value* final, Time t) {
    STRATA_ASSIGN_OR_RETURN(ValueList argv, EvalMethodArgs(dot, args, final));
    size_t want = name == "Format" ? 1 : 0;
    bool known = name == "Format" || name == "Unix" || name == "UnixMilli" ||
                 name == "UnixNano" || name == "String" || name == "UTC";
    if (!known) {
      At(node);
      return Errorf(Cat("can't evaluate field ", name, " in type *time.Time"));
    }
    if (argv.size() != want) {
      return Errorf(Cat("wrong number of args for ", name, ": want ", want,
                        " got ", argv.size()));
    }
    if (name == "Format") {
      if (argv[0].kind() != Kind::kString) {
        return Errorf(Cat("wrong type for value; expected string; got ",
                          argv[0].TypeName()));
      }
      return Value::String(GoTimeFormat(t, argv[0].AsString()));
    }
    int64_t ns = t.unix_nanos;
    int64_t secs = ns / 1000000000 - (ns % 1000000000 < 0 ? 1 : 0);
    if (name == "Unix") return Value::Int(secs);
    if (name == "UnixMilli") return Value::Int(ns / 1000000);
    if (name == "UnixNano") return Value::Int(ns);
    if (name == "String") return Value::String(GoTimeString(t));
    return Value::FromTime(t);
  }

  StatusOr<ValueList> EvalMethodArgs(const Value& dot, const Args* args,
                                     const Value* final) {
    ValueList argv;
    if (args != nullptr) {
      for (size_t i = 1; i < args->size(); ++i) {
        STRATA_ASSIGN_OR_RETURN(Value v, EvalArg(dot, *(*args)[i]));
        argv.push_back(std::move(v));
      }
    }
    if (final != nullptr) argv.push_back(*final);
    return argv;
  }

  StatusOr<Value> EvalFunction(const Value& dot, const Node& ident,
                               const Node& cmd, const Args* args,
                               const Value* final) {
    At(ident);
    const Function* fn = nullptr;
    bool builtin = false;
    if (auto it = in_.functions->find(ident.text); it != in_.functions->end()) {
      fn = &it->second;
    } else if (auto b = Builtins().find(ident.text); b != Builtins().end()) {
      fn = &b->second;
      builtin = true;
    } else {
      return Errorf(Cat(GoQuoted(ident.text), " is not a defined function"));
    }
    return EvalCall(dot, *fn, builtin, cmd, ident.text, args, final);
  }

  StatusOr<Value> EvalCall(const Value& dot, const Function& fn, bool builtin,
                           const Node& cmd, const std::string& name,
                           const Args* args, const Value* final) {
    size_t num_in = (args != nullptr ? args->size() - 1 : 0) + (final ? 1 : 0);
    size_t fixed = fn.variadic ? fn.params.size() - 1 : fn.params.size();
    if (fn.variadic ? num_in < fixed : num_in != fixed) {
      return Errorf(Cat("wrong number of args for ", name, ": want ",
                        fn.variadic ? "at least " : "", fixed, " got ",
                        num_in));
    }
    auto param = [&](size_t i) {
      return i < fn.params.size() ? fn.params[i] : fn.params.back();
    };
    if (builtin && (name == "and" || name == "or")) {
      return EvalAndOr(dot, name == "or", args, final);
    }
    ValueList argv;
    size_t n_args = args != nullptr ? args->size() : 0;
    for (size_t i = 1; i < n_args; ++i) {
      const Node& arg = *(*args)[i];
      if (IsConstant(arg) && param(i - 1) != ParamType::kAny) {
        STRATA_ASSIGN_OR_RETURN(Value v, TypedConstant(arg, param(i - 1)));
        argv.push_back(std::move(v));
        continue;
      }
      STRATA_ASSIGN_OR_RETURN(Value v, EvalArg(dot, arg));
      STRATA_ASSIGN_OR_RETURN(v, ValidateType(std::move(v), param(i - 1)));
      argv.push_back(std::move(v));
    }
    if (final != nullptr) {
      STRATA_ASSIGN_OR_RETURN(Value v,
                              ValidateType(*final, param(argv.size())));
      argv.push_back(std::move(v));
    }
    StatusOr<Value> result = fn.call(argv);
    if (!result.ok()) {
      At(cmd);
      return Errorf(
          Cat("error calling ", name, ": ", result.status().message()));
    }
    return result;
  }

  static bool IsConstant(const Node& n) {
    return n.type == NodeType::kBool || n.type == NodeType::kNumber ||
           n.type == NodeType::kString || n.type == NodeType::kNil;
  }

  // Go's evalString, evalFloat and evalInteger: a literal passed for a
  // typed parameter must already have that type (an int literal is also a
  // float).
  StatusOr<Value> TypedConstant(const Node& n, ParamType type) {
    At(n);
    if (n.type == NodeType::kNil) {
      if (type == ParamType::kSample || type == ParamType::kQueryResult) {
        return ValidateType(Value(), type);
      }
      return Errorf(Cat("cannot assign nil to ", ParamTypeName(type)));
    }
    switch (type) {
      case ParamType::kString:
        if (n.type == NodeType::kString) return Value::String(n.text);
        return Errorf(Cat("expected string; found ", n.String()));
      case ParamType::kFloat:
        if (n.type == NodeType::kNumber) {
          return Value::Float(n.is_float ? n.float_value
                                         : static_cast<double>(n.int_value));
        }
        return Errorf(Cat("expected float; found ", n.String()));
      case ParamType::kInt:
        if (n.type == NodeType::kNumber && !n.is_float) {
          return Value::Int(n.int_value);
        }
        return Errorf(Cat("expected integer; found ", n.String()));
      default:
        return Errorf(Cat("can't handle ", n.String(), " for arg of type ",
                          ParamTypeName(type)));
    }
  }

  static const char* ParamTypeName(ParamType type) {
    switch (type) {
      case ParamType::kAny:
        return "interface {}";
      case ParamType::kString:
        return "string";
      case ParamType::kFloat:
        return "float64";
      case ParamType::kInt:
        return "int";
      case ParamType::kSample:
        return "*template.sample";
      case ParamType::kQueryResult:
        return "template.queryResult";
    }
    return "";
  }

  StatusOr<Value> EvalAndOr(const Value& dot, bool is_or, const Args* args,
                            const Value* final) {
    Value v;
    size_t n_args = args != nullptr ? args->size() : 0;
    for (size_t i = 1; i < n_args; ++i) {
      STRATA_ASSIGN_OR_RETURN(v, EvalArg(dot, *(*args)[i]));
      if (v.IsTrue() == is_or) return v;
    }
    if (final != nullptr) v = *final;
    return v;
  }

  StatusOr<Value> ValidateType(Value v, ParamType type) const {
    switch (type) {
      case ParamType::kAny:
        return v;
      case ParamType::kString:
        if (v.kind() == Kind::kString) return v;
        break;
      case ParamType::kFloat:
        if (v.kind() == Kind::kFloat) return v;
        break;
      case ParamType::kInt:
        if (v.kind() == Kind::kInt) return v;
        break;
      case ParamType::kSample:
        if (v.kind() == Kind::kSample) return v;
        break;
      case ParamType::kQueryResult:
        if (v.is_nil()) return Value::QueryResult({});
        if (v.kind() == Kind::kList && v.TypeName() == "template.queryResult") {
          return v;
        }
        break;
    }
    const char* want = ParamTypeName(type);
    if (v.is_nil()) return Errorf(Cat("invalid value; expected ", want));
    return Errorf(
        Cat("wrong type for value; expected ", want, "; got ", v.TypeName()));
  }

  StatusOr<Value> EvalArg(const Value& dot, const Node& n) {
    At(n);
    switch (n.type) {
      case NodeType::kDot:
        return dot;
      case NodeType::kNil:
        return Value();
      case NodeType::kField:
        return EvalFieldNode(dot, n, nullptr, nullptr);
      case NodeType::kVariable:
        return EvalVariableNode(dot, n, nullptr, nullptr);
      case NodeType::kPipe:
        return EvalPipeline(dot, n);
      case NodeType::kIdentifier:
        return EvalFunction(dot, n, n, nullptr, nullptr);
      case NodeType::kChain:
        return EvalChainNode(dot, n, nullptr, nullptr);
      case NodeType::kBool:
        return Value::Bool(n.bool_value);
      case NodeType::kNumber:
        return IdealConstant(n);
      case NodeType::kString:
        return Value::String(n.text);
      default:
        return Errorf(Cat("can't handle ", n.String(), " for arg"));
    }
  }

  const ExecInput& in_;
  std::string tmpl_name_;     // The template being executed ({{template}}).
  const Node* at_ = nullptr;  // The node being evaluated, for errors.
  std::vector<std::pair<std::string, Value>> vars_;  // A stack.
  int depth_ = 0;
  std::string out_;
};

}  // namespace

StatusOr<std::string> Execute(const ExecInput& in, const Value& dot) {
  return Executor(in).Run(dot);
}

}  // namespace strata::tmpl
