// Strict decoding of YAML into Go structs' fields, with the messages of Go's
// gopkg.in/yaml (v2's UnmarshalStrict, v3's Decoder with KnownFields(true)),
// over yaml-cpp. Two kinds of error, as in Go:
//  - type errors ("line N: field x not found in type T", "line N: cannot
//    unmarshal !!str `abc` into int") are collected and decoding goes on;
//    they are reported together as "yaml: unmarshal errors:\n  line ...";
//  - a value error (a custom UnmarshalYAML's error, e.g. model.Duration's
//    "not a valid duration string") ends decoding in Go and is the whole
//    error; here the first one is kept and wins over type errors.
// Callers walk the yaml-cpp tree themselves and name the Go types (`go_type`
// arguments: "rulefmt.RuleGroup", "[]string", "map[string]string", ...).
//
// Null semantics, as go-yaml's: an absent or null value leaves the field at
// its zero value ("" / 0 / empty) with no error, for every decoder below.
// Where a Go field means something else by null (a null `action:` in a
// relabel config), the caller checks IsAbsent first.
//
// Thread-safety: a Decoder is used by one thread; the functions are pure.
#ifndef STRATA_GOYAML_DECODER_H_
#define STRATA_GOYAML_DECODER_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "goyaml/scalar.h"
#include "strata/status.h"
#include "yaml-cpp/yaml.h"

namespace strata::goyaml {

// A node's position as go-yaml reports it: 1-based, 0:0 for an absent node.
struct Position {
  int line = 0;
  int column = 0;
};
Position PositionOf(const YAML::Node& node);
inline int LineOf(const YAML::Node& node) { return PositionOf(node).line; }

// Absent or null: Go leaves the field at its zero value.
inline bool IsAbsent(const YAML::Node& node) {
  return !node.IsDefined() || node.IsNull();
}

// YAML::Load as go-yaml's parser fails: "yaml: line N: <message>".
StatusOr<YAML::Node> Load(std::string_view text);
// The same wording for an exception yaml-cpp throws while decoding.
Status SyntaxError(const YAML::Exception& e);

class Decoder {
 public:
  explicit Decoder(Version version) : version_(version) {}

  // ---- Errors ----

  // "line N: field <key> not found in type <go_type>" for each key of `map`
  // not in `known`.
  void CheckFields(const YAML::Node& map,
                   std::initializer_list<std::string_view> known,
                   std::string_view go_type);
  void UnknownField(const YAML::Node& key, std::string_view go_type);
  // "line N: cannot unmarshal !!seq into T", or for a scalar its resolved
  // tag and value (cut to 7 bytes and "..." past 10): "!!str `abcdefg...`".
  void TypeError(const YAML::Node& node, std::string_view go_type);
  // Keeps the first value error.
  void ValueError(std::string message);

  bool failed() const { return !value_error_.empty(); }
  size_t type_error_count() const { return type_errors_.size(); }
  // The value error, else "yaml: unmarshal errors:\n  line ..." for the type
  // errors, else "".
  std::string ErrorText() const;
  // ErrorText() as InvalidArgument, or OK.
  Status Result() const;

  // ---- Shapes ----

  // True for a map; false for null (no error) and for anything else (a type
  // error into `go_type`).
  bool IsMap(const YAML::Node& node, std::string_view go_type);
  bool IsSequence(const YAML::Node& node, std::string_view go_type);
  // A sequence's items (null: none; not a sequence: a type error, none).
  std::vector<YAML::Node> Sequence(const YAML::Node& node,
                                   std::string_view go_type);

  // ---- Values ----

  // Go string: any scalar's text; a map or sequence is a type error.
  std::string String(const YAML::Node& node,
                     std::string_view go_type = "string");
  // Go int/int64: an !!int, or an !!float truncated (as go-yaml converts).
  int64_t Int(const YAML::Node& node, std::string_view go_type = "int");
  // Go uint64: a non-negative !!int or !!float.
  uint64_t Uint64(const YAML::Node& node);
  // Go float64: an !!int or !!float; a quoted scalar is a type error.
  double Float(const YAML::Node& node);
  // Go bool: an !!bool (v2 also y/yes/on/off...); anything else is a type
  // error. Null is false (go-yaml sets the zero value, also over a default
  // the struct had; only an absent key keeps the default).
  bool Bool(const YAML::Node& node);
  // model.Duration (prometheus/common): decoded as a string, then parsed;
  // a parse failure is a value error ("empty duration string", "not a valid
  // duration string: \"x\""). In milliseconds.
  int64_t Duration(const YAML::Node& node);
  // []string.
  std::vector<std::string> StringList(const YAML::Node& node);
  // map[string]string, in the file's order.
  std::vector<std::pair<std::string, std::string>> StringMap(
      const YAML::Node& node);

 private:
  const Version version_;
  std::vector<std::string> type_errors_;
  std::string value_error_;
};

}  // namespace strata::goyaml

#endif  // STRATA_GOYAML_DECODER_H_
