#include "template/builtins.h"

#include "template/go_fmt.h"
#include "util/strings.h"

namespace strata::tmpl {
namespace {

using Kind = Value::Kind;

// Go's basicKind classes for comparisons.
enum class Basic { kInvalid, kBool, kInt, kFloat, kString };

Basic BasicKind(const Value& v) {
  switch (v.kind()) {
    case Kind::kBool:
      return Basic::kBool;
    case Kind::kInt:
      return Basic::kInt;
    case Kind::kFloat:
      return Basic::kFloat;
    case Kind::kString:
      return Basic::kString;
    default:
      return Basic::kInvalid;
  }
}

const Status kBadComparisonType =
    Status::InvalidArgument("invalid type for comparison");
const Status kBadComparison =
    Status::InvalidArgument("incompatible types for comparison");

StatusOr<bool> Equal(const Value& a, const Value& b) {
  Basic ka = BasicKind(a), kb = BasicKind(b);
  if (ka != kb) {
    if (!a.is_nil() && !b.is_nil()) return kBadComparison;
    return false;
  }
  switch (ka) {
    case Basic::kBool:
      return a.AsBool() == b.AsBool();
    case Basic::kInt:
      return a.AsInt() == b.AsInt();
    case Basic::kFloat:
      return a.AsFloat() == b.AsFloat();
    case Basic::kString:
      return a.AsString() == b.AsString();
    case Basic::kInvalid:
      if (a.is_nil() && b.is_nil()) return true;
      if (a.is_nil() || b.is_nil()) return false;
      return Status::InvalidArgument(
          Cat("non-comparable type ", GoValueString(b), ": ", b.TypeName()));
  }
  return false;
}

StatusOr<bool> Less(const Value& a, const Value& b) {
  Basic ka = BasicKind(a), kb = BasicKind(b);
  if (ka == Basic::kInvalid || kb == Basic::kInvalid) return kBadComparisonType;
  if (ka != kb) return kBadComparison;
  switch (ka) {
    case Basic::kInt:
      return a.AsInt() < b.AsInt();
    case Basic::kFloat:
      return a.AsFloat() < b.AsFloat();
    case Basic::kString:
      return a.AsString() < b.AsString();
    default:
      return kBadComparisonType;
  }
}

StatusOr<Value> Eq(std::span<const Value> args) {
  if (args.size() < 2) {
    return Status::InvalidArgument("missing argument for comparison");
  }
  for (size_t i = 1; i < args.size(); ++i) {
    STRATA_ASSIGN_OR_RETURN(bool eq, Equal(args[0], args[i]));
    if (eq) return Value::Bool(true);
  }
  return Value::Bool(false);
}

// lt, le, gt, ge from Less and Equal, as Go defines them.
Function Compare(bool want_less, bool or_equal) {
  return {{ParamType::kAny, ParamType::kAny},
          false,
          [want_less, or_equal](std::span<const Value> a) -> StatusOr<Value> {
            STRATA_ASSIGN_OR_RETURN(bool less, Less(a[0], a[1]));
            bool equal = false;
            if (!less) {
              STRATA_ASSIGN_OR_RETURN(equal, Equal(a[0], a[1]));
            }
            bool le = less || equal;
            if (want_less) return Value::Bool(or_equal ? le : less);
            return Value::Bool(or_equal ? !less : !le);
          }};
}

StatusOr<Value> Len(std::span<const Value> args) {
  const Value& v = args[0];
  switch (v.kind()) {
    case Kind::kString:
      return Value::Int(v.AsString().size());
    case Kind::kList:
      return Value::Int(v.AsList().size());
    case Kind::kMap:
      return Value::Int(v.AsMap().size());
    case Kind::kNil:
      return Status::InvalidArgument("len of nil pointer");
    default:
      return Status::InvalidArgument(Cat("len of type ", v.TypeName()));
  }
}

StatusOr<Value> Index(std::span<const Value> args) {
  Value item = args[0];
  if (item.is_nil()) return Status::InvalidArgument("index of untyped nil");
  for (size_t i = 1; i < args.size(); ++i) {
    const Value& key = args[i];
    if (item.kind() == Kind::kList) {
      if (key.kind() != Kind::kInt) {
        return Status::InvalidArgument(
            Cat("cannot index slice/array with type ", key.TypeName()));
      }
      int64_t x = key.AsInt();
      if (x < 0 || x >= static_cast<int64_t>(item.AsList().size())) {
        return Status::InvalidArgument(Cat("index out of range: ", x));
      }
      item = item.AsList()[x];
    } else if (item.kind() == Kind::kMap) {
      if (key.kind() != Kind::kString) {
        return Status::InvalidArgument(
            Cat("value has type ", key.TypeName(), "; should be string"));
      }
      auto it = item.AsMap().find(key.AsString());
      item = it == item.AsMap().end() ? item.MissingMapEntry() : it->second;
    } else if (item.is_nil()) {
      return Status::InvalidArgument("index of untyped nil");
    } else {
      return Status::InvalidArgument(
          Cat("can't index item of type ", item.TypeName()));
    }
  }
  return item;
}

// Go's evalArgs for html, js and urlquery: a lone string as is, else
// fmt.Sprint of the arguments.
std::string ArgsText(std::span<const Value> args) {
  if (args.size() == 1 && args[0].kind() == Kind::kString) {
    return args[0].AsString();
  }
  return GoSprint(args);
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string JsEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '<':
        out += "\\u003C";
        break;
      case '>':
        out += "\\u003E";
        break;
      case '&':
        out += "\\u0026";
        break;
      case '=':
        out += "\\u003D";
        break;
      default:
        if (c < ' ') {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
  return out;
}

Function Variadic(ParamType first_and_rest,
                  std::function<StatusOr<Value>(std::span<const Value>)> f) {
  return {{first_and_rest}, true, std::move(f)};
}

Functions MakeBuiltins() {
  constexpr ParamType kAny = ParamType::kAny;
  Functions f;
  // and/or: evaluated by the executor; the body is never called.
  f["and"] = {{kAny, kAny}, true, nullptr};
  f["or"] = {{kAny, kAny}, true, nullptr};
  f["not"] = {{kAny}, false, [](std::span<const Value> a) -> StatusOr<Value> {
                return Value::Bool(!a[0].IsTrue());
              }};
  f["len"] = {{kAny}, false, Len};
  f["index"] = {{kAny, kAny}, true, Index};
  f["print"] = Variadic(kAny, [](std::span<const Value> a) -> StatusOr<Value> {
    return Value::String(GoSprint(a));
  });
  f["println"] =
      Variadic(kAny, [](std::span<const Value> a) -> StatusOr<Value> {
        return Value::String(GoSprintln(a));
      });
  f["printf"] = {
      {ParamType::kString, kAny},
      true,
      [](std::span<const Value> a) -> StatusOr<Value> {
        return Value::String(GoSprintf(a[0].AsString(), a.subspan(1)));
      }};
  f["eq"] = {{kAny, kAny}, true, Eq};
  f["ne"] = {
      {kAny, kAny}, false, [](std::span<const Value> a) -> StatusOr<Value> {
        STRATA_ASSIGN_OR_RETURN(bool eq, Equal(a[0], a[1]));
        return Value::Bool(!eq);
      }};
  f["lt"] = Compare(true, false);
  f["le"] = Compare(true, true);
  f["gt"] = Compare(false, false);
  f["ge"] = Compare(false, true);
  f["html"] = Variadic(kAny, [](std::span<const Value> a) -> StatusOr<Value> {
    return Value::String(HtmlEscape(ArgsText(a)));
  });
  f["js"] = Variadic(kAny, [](std::span<const Value> a) -> StatusOr<Value> {
    return Value::String(JsEscape(ArgsText(a)));
  });
  f["urlquery"] =
      Variadic(kAny, [](std::span<const Value> a) -> StatusOr<Value> {
        return Value::String(GoQueryEscape(ArgsText(a)));
      });
  return f;
}

}  // namespace

const Functions& Builtins() {
  static const Functions* const kBuiltins = new Functions(MakeBuiltins());
  return *kBuiltins;
}

}  // namespace strata::tmpl
