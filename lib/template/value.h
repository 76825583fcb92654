// The dynamic values a template works on: what Go's text/template sees
// through reflection, reduced to the kinds Prometheus's templates use.
// Each kind carries the Go type name that error messages print
// ("can't evaluate field x in type template.queryResult").
//
// Values are immutable and cheap to copy (containers are shared).
// Thread-safety: immutable after construction.
#ifndef STRATA_TEMPLATE_VALUE_H_
#define STRATA_TEMPLATE_VALUE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace strata::tmpl {

class Value;
using ValueList = std::vector<Value>;
// Sorted like Go's fmt and range print and visit map keys.
using ValueMap = std::map<std::string, Value>;

// One element of a query result (Prometheus's *template.sample).
struct Sample {
  std::map<std::string, std::string> labels;
  double value = 0;
};

// A point in time (Go's *time.Time), nanoseconds since the Unix epoch, UTC.
struct Time {
  int64_t unix_nanos = 0;
};

class Value {
 public:
  enum class Kind {
    kNil,
    kBool,
    kInt,
    kFloat,
    kString,
    kList,
    kMap,
    kSample,
    kTime,
    kStruct
  };

  // Go's nil (an invalid reflect.Value): prints as "<no value>".
  Value() = default;
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Float(double d);
  static Value String(std::string s);
  // A list; `type_name` is its Go type, e.g. "[]float64".
  static Value List(ValueList items, std::string type_name = "[]interface {}");
  // A map whose missing keys read as nil (map[string]interface {}).
  static Value Map(ValueMap entries);
  // A map[string]string: missing keys read as "" (Go's zero value), as
  // $labels.foo does in Prometheus.
  static Value StringMap(const std::map<std::string, std::string>& entries);
  static Value FromSample(Sample s);
  // A query result (Prometheus's template.queryResult).
  static Value QueryResult(std::vector<Sample> samples);
  static Value FromTime(Time t);
  // A Go struct: fields in declaration order, and its type as Go prints it
  // ("struct { Labels map[string]string; Value float64 }"). Unlike a map,
  // reading a field it lacks is an error.
  static Value Struct(std::vector<std::pair<std::string, Value>> fields,
                      std::string type_name);

  Kind kind() const { return static_cast<Kind>(rep_.index()); }
  bool is_nil() const { return kind() == Kind::kNil; }
  bool AsBool() const { return std::get<bool>(rep_); }
  int64_t AsInt() const { return std::get<int64_t>(rep_); }
  double AsFloat() const { return std::get<double>(rep_); }
  const std::string& AsString() const { return std::get<std::string>(rep_); }
  const ValueList& AsList() const { return std::get<ListPtr>(rep_)->items; }
  const ValueMap& AsMap() const { return std::get<MapPtr>(rep_)->entries; }
  const Sample& AsSample() const { return *std::get<SamplePtr>(rep_); }
  Time AsTime() const { return std::get<Time>(rep_); }
  const std::vector<std::pair<std::string, Value>>& AsStructFields() const {
    return std::get<StructPtr>(rep_)->fields;
  }
  // The field's value, or null if the struct has no such field.
  const Value* StructField(std::string_view name) const;

  // The zero value a missing key of this map reads as.
  Value MissingMapEntry() const;
  // Go's type name: "int", "float64", "string", "map[string]string", ...
  std::string TypeName() const;
  // Go's truth: false, 0, "", nil and empty containers are false.
  bool IsTrue() const;

 private:
  struct ListRep {
    ValueList items;
    std::string type_name;
  };
  struct MapRep {
    ValueMap entries;
    bool string_valued = false;
  };
  using ListPtr = std::shared_ptr<const ListRep>;
  using MapPtr = std::shared_ptr<const MapRep>;
  struct StructRep {
    std::vector<std::pair<std::string, Value>> fields;
    std::string type_name;
  };
  using SamplePtr = std::shared_ptr<const Sample>;
  using StructPtr = std::shared_ptr<const StructRep>;

  std::variant<std::monostate, bool, int64_t, double, std::string, ListPtr,
               MapPtr, SamplePtr, Time, StructPtr>
      rep_;
};

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_VALUE_H_
