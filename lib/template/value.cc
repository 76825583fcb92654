#include "template/value.h"

#include <utility>

namespace strata::tmpl {

Value Value::Bool(bool b) {
  Value v;
  v.rep_ = b;
  return v;
}
Value Value::Int(int64_t i) {
  Value v;
  v.rep_ = i;
  return v;
}
Value Value::Float(double d) {
  Value v;
  v.rep_ = d;
  return v;
}
Value Value::String(std::string s) {
  Value v;
  v.rep_ = std::move(s);
  return v;
}
Value Value::List(ValueList items, std::string type_name) {
  Value v;
  v.rep_ = std::make_shared<const ListRep>(
      ListRep{std::move(items), std::move(type_name)});
  return v;
}
Value Value::Map(ValueMap entries) {
  Value v;
  v.rep_ = std::make_shared<const MapRep>(MapRep{std::move(entries), false});
  return v;
}
Value Value::StringMap(const std::map<std::string, std::string>& entries) {
  ValueMap m;
  for (const auto& [k, s] : entries) m.emplace(k, String(s));
  Value v;
  v.rep_ = std::make_shared<const MapRep>(MapRep{std::move(m), true});
  return v;
}
Value Value::FromSample(Sample s) {
  Value v;
  v.rep_ = std::make_shared<const Sample>(std::move(s));
  return v;
}
Value Value::QueryResult(std::vector<Sample> samples) {
  ValueList items;
  items.reserve(samples.size());
  for (Sample& s : samples) items.push_back(FromSample(std::move(s)));
  return List(std::move(items), "template.queryResult");
}
Value Value::FromTime(Time t) {
  Value v;
  v.rep_ = t;
  return v;
}

Value Value::Struct(std::vector<std::pair<std::string, Value>> fields,
                    std::string type_name) {
  Value v;
  v.rep_ = std::make_shared<const StructRep>(
      StructRep{std::move(fields), std::move(type_name)});
  return v;
}

const Value* Value::StructField(std::string_view name) const {
  for (const auto& [field, value] : AsStructFields()) {
    if (field == name) return &value;
  }
  return nullptr;
}

Value Value::MissingMapEntry() const {
  if (kind() == Kind::kMap && std::get<MapPtr>(rep_)->string_valued) {
    return String("");
  }
  return Value();
}

std::string Value::TypeName() const {
  switch (kind()) {
    case Kind::kNil:
      return "<nil>";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float64";
    case Kind::kString:
      return "string";
    case Kind::kList:
      return std::get<ListPtr>(rep_)->type_name;
    case Kind::kMap:
      return std::get<MapPtr>(rep_)->string_valued ? "map[string]string"
                                                   : "map[string]interface {}";
    case Kind::kSample:
      return "*template.sample";
    case Kind::kTime:
      return "*time.Time";
    case Kind::kStruct:
      return std::get<StructPtr>(rep_)->type_name;
  }
  return "";
}

bool Value::IsTrue() const {
  switch (kind()) {
    case Kind::kNil:
      return false;
    case Kind::kBool:
      return AsBool();
    case Kind::kInt:
      return AsInt() != 0;
    case Kind::kFloat:
      return AsFloat() != 0;
    case Kind::kString:
      return !AsString().empty();
    case Kind::kList:
      return !AsList().empty();
    case Kind::kMap:
      return !AsMap().empty();
    case Kind::kSample:
    case Kind::kTime:
      return true;  // Non-nil pointers.
    case Kind::kStruct:
      return true;
  }
  return false;
}

}  // namespace strata::tmpl
