#include "goyaml/decoder.h"

#include <limits>

#include "util/duration.h"
#include "util/strings.h"

namespace strata::goyaml {

Position PositionOf(const YAML::Node& node) {
  if (!node.IsDefined() || node.Mark().is_null()) return {};
  return {node.Mark().line + 1, node.Mark().column + 1};
}

StatusOr<YAML::Node> Load(std::string_view text) {
  // yaml-cpp reports errors by throwing; nothing escapes this function.
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return SyntaxError(e);
  }
}

Status SyntaxError(const YAML::Exception& e) {
  return Status::InvalidArgument(
      Cat("yaml: line ", e.mark.line + 1, ": ", e.msg));
}

void Decoder::CheckFields(const YAML::Node& map,
                          std::initializer_list<std::string_view> known,
                          std::string_view go_type) {
  for (const auto& entry : map) {
    const std::string key = entry.first.Scalar();
    bool found = false;
    for (std::string_view k : known) found = found || k == key;
    if (!found) UnknownField(entry.first, go_type);
  }
}

void Decoder::UnknownField(const YAML::Node& key, std::string_view go_type) {
  type_errors_.push_back(Cat("line ", LineOf(key), ": field ", key.Scalar(),
                             " not found in type ", go_type));
}

void Decoder::TypeError(const YAML::Node& node, std::string_view go_type) {
  std::string what;
  if (node.IsSequence()) {
    what = "!!seq";
  } else if (node.IsMap()) {
    what = "!!map";
  } else {
    // go-yaml's terror: the value cut to 7 bytes past 10.
    const std::string value = node.IsScalar() ? node.Scalar() : "";
    what = Cat(ShortTag(Resolve(node, version_).kind), " `",
               value.size() > 10 ? Cat(value.substr(0, 7), "...") : value, "`");
  }
  type_errors_.push_back(Cat("line ", LineOf(node), ": cannot unmarshal ", what,
                             " into ", go_type));
}

void Decoder::ValueError(std::string message) {
  if (value_error_.empty()) value_error_ = std::move(message);
}

std::string Decoder::ErrorText() const {
  if (!value_error_.empty()) return value_error_;
  if (type_errors_.empty()) return "";
  std::string message = "yaml: unmarshal errors:";
  for (const std::string& line : type_errors_) CatTo(&message, "\n  ", line);
  return message;
}

Status Decoder::Result() const {
  std::string text = ErrorText();
  if (text.empty()) return Status::OK();
  return Status::InvalidArgument(std::move(text));
}

bool Decoder::IsMap(const YAML::Node& node, std::string_view go_type) {
  if (IsAbsent(node)) return false;
  if (node.IsMap()) return true;
  TypeError(node, go_type);
  return false;
}

bool Decoder::IsSequence(const YAML::Node& node, std::string_view go_type) {
  if (IsAbsent(node)) return false;
  if (node.IsSequence()) return true;
  TypeError(node, go_type);
  return false;
}

std::vector<YAML::Node> Decoder::Sequence(const YAML::Node& node,
                                          std::string_view go_type) {
  std::vector<YAML::Node> out;
  if (!IsSequence(node, go_type)) return out;
  for (const YAML::Node& item : node) out.push_back(item);
  return out;
}

std::string Decoder::String(const YAML::Node& node, std::string_view go_type) {
  if (IsAbsent(node)) return "";
  if (!node.IsScalar()) {
    TypeError(node, go_type);
    return "";
  }
  return node.Scalar();
}

int64_t Decoder::Int(const YAML::Node& node, std::string_view go_type) {
  if (IsAbsent(node)) return 0;
  if (node.IsScalar()) {
    const Resolved r = Resolve(node, version_);
    if (r.kind == Resolved::kInt && !r.is_uint) return r.int_value;
    if (r.kind == Resolved::kFloat && r.float_value >= -0x1p63 &&
        r.float_value < 0x1p63) {
      return static_cast<int64_t>(r.float_value);
    }
  }
  TypeError(node, go_type);
  return 0;
}

uint64_t Decoder::Uint64(const YAML::Node& node) {
  if (IsAbsent(node)) return 0;
  if (node.IsScalar()) {
    const Resolved r = Resolve(node, version_);
    if (r.kind == Resolved::kInt && r.is_uint) return r.uint_value;
    if (r.kind == Resolved::kInt && r.int_value >= 0) {
      return static_cast<uint64_t>(r.int_value);
    }
    if (r.kind == Resolved::kFloat && r.float_value >= 0 &&
        r.float_value < 0x1p64) {
      return static_cast<uint64_t>(r.float_value);
    }
  }
  TypeError(node, "uint64");
  return 0;
}

bool Decoder::Bool(const YAML::Node& node) {
  if (IsAbsent(node)) return false;
  if (node.IsScalar()) {
    const Resolved r = Resolve(node, version_);
    if (r.kind == Resolved::kBool) return r.bool_value;
  }
  TypeError(node, "bool");
  return false;
}

double Decoder::Float(const YAML::Node& node) {
  if (IsAbsent(node)) return 0;
  if (node.IsScalar()) {
    const Resolved r = Resolve(node, version_);
    if (r.kind == Resolved::kFloat) return r.float_value;
    if (r.kind == Resolved::kInt) {
      return r.is_uint ? static_cast<double>(r.uint_value)
                       : static_cast<double>(r.int_value);
    }
  }
  TypeError(node, "float64");
  return 0;
}

int64_t Decoder::Duration(const YAML::Node& node) {
  if (IsAbsent(node)) return 0;
  if (!node.IsScalar()) {
    TypeError(node, "string");
    return 0;
  }
  const std::string& text = node.Scalar();
  if (text.empty()) {
    ValueError("empty duration string");
    return 0;
  }
  StatusOr<int64_t> ms = ParseDuration(text);
  if (!ms.ok()) {
    ValueError(Cat("not a valid duration string: ", GoQuoted(text)));
    return 0;
  }
  return *ms;
}

std::vector<std::string> Decoder::StringList(const YAML::Node& node) {
  std::vector<std::string> out;
  for (const YAML::Node& item : Sequence(node, "[]string")) {
    out.push_back(String(item));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Decoder::StringMap(
    const YAML::Node& node) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!IsMap(node, "map[string]string")) return out;
  for (const auto& entry : node) {
    out.emplace_back(String(entry.first), String(entry.second));
  }
  return out;
}

}  // namespace strata::goyaml
