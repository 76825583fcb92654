#include "template/node.h"

namespace strata::tmpl {
namespace {

std::string JoinFields(const std::vector<std::string>& idents, size_t from) {
  std::string out;
  for (size_t i = from; i < idents.size(); ++i) out += "." + idents[i];
  return out;
}

std::string ControlString(const Node& n, const char* keyword) {
  std::string out = std::string("{{") + keyword + " " + n.pipe->String() +
                    "}}" + n.list->String();
  if (n.else_list) out += "{{else}}" + n.else_list->String();
  return out + "{{end}}";
}

}  // namespace

std::string Node::String() const {
  switch (type) {
    case NodeType::kList: {
      std::string out;
      for (const auto& c : children) out += c->String();
      return out;
    }
    case NodeType::kText:
      return text;
    case NodeType::kAction:
      return "{{" + pipe->String() + "}}";
    case NodeType::kIf:
      return ControlString(*this, "if");
    case NodeType::kRange:
      return ControlString(*this, "range");
    case NodeType::kWith:
      return ControlString(*this, "with");
    case NodeType::kTemplate:
      return "{{template \"" + text + "\"" +
             (pipe ? " " + pipe->String() : "") + "}}";
    case NodeType::kBreak:
      return "{{break}}";
    case NodeType::kContinue:
      return "{{continue}}";
    case NodeType::kPipe: {
      std::string out;
      for (size_t i = 0; i < decl.size(); ++i) {
        if (i > 0) out += ", ";
        out += decl[i];
      }
      if (!decl.empty()) out += is_assign ? " = " : " := ";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i > 0) out += " | ";
        out += children[i]->String();
      }
      return out;
    }
    case NodeType::kCommand: {
      std::string out;
      for (size_t i = 0; i < children.size(); ++i) {
        if (i > 0) out += " ";
        const Node& arg = *children[i];
        out += arg.type == NodeType::kPipe ? "(" + arg.String() + ")"
                                           : arg.String();
      }
      return out;
    }
    case NodeType::kIdentifier:
      return text;
    case NodeType::kField:
      return JoinFields(idents, 0);
    case NodeType::kVariable:
      return idents[0] + JoinFields(idents, 1);
    case NodeType::kDot:
      return ".";
    case NodeType::kNil:
      return "nil";
    case NodeType::kBool:
      return bool_value ? "true" : "false";
    case NodeType::kNumber:
      return text;
    case NodeType::kString:
      return raw;
    case NodeType::kChain: {
      const Node& operand = *children[0];
      std::string s = operand.String();
      if (operand.type == NodeType::kPipe) s = "(" + s + ")";
      return s + JoinFields(idents, 0);
    }
  }
  return "";
}

}  // namespace strata::tmpl
