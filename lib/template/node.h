// The parse tree of a template (Go's text/template/parse nodes), with
// String() printing a node as Go does in "executing ... at <node>".
//
// Thread-safety: immutable after parsing.
#ifndef STRATA_TEMPLATE_NODE_H_
#define STRATA_TEMPLATE_NODE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace strata::tmpl {

enum class NodeType {
  kList,      // children: the items.
  kText,      // text.
  kAction,    // pipe.
  kIf,        // pipe, list, else_list (may be null).
  kRange,     // pipe, list, else_list.
  kWith,      // pipe, list, else_list.
  kTemplate,  // text: the name; pipe (may be null).
  kBreak,
  kContinue,
  kPipe,        // decl, is_assign; children: the commands.
  kCommand,     // children: the operands.
  kIdentifier,  // text: the function name.
  kField,       // idents: .A.B is {"A", "B"}.
  kVariable,    // idents: $x.A is {"$x", "A"}.
  kDot,
  kNil,
  kBool,    // bool_value.
  kNumber,  // text, is_float, int_value, float_value.
  kString,  // text: the unquoted value; raw: as written.
  kChain,   // children[0]: the operand; idents: the fields.
};

struct Node {
  NodeType type;
  int pos = 0;   // Byte offset in the template text.
  int line = 1;  // 1-based.

  std::string text;
  std::string raw;
  std::vector<std::string> idents;
  std::vector<std::unique_ptr<Node>> children;
  std::unique_ptr<Node> pipe;
  std::unique_ptr<Node> list;
  std::unique_ptr<Node> else_list;
  std::vector<std::string> decl;
  bool is_assign = false;
  bool bool_value = false;
  bool is_float = false;
  int64_t int_value = 0;
  double float_value = 0;

  Node(NodeType t, int p, int l) : type(t), pos(p), line(l) {}
  // Go's Node.String(): the node as template source.
  std::string String() const;
};

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_NODE_H_
