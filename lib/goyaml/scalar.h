// How go-yaml resolves a plain scalar (gopkg.in/yaml.v2 and v3's resolve.go):
// the tag it gets (!!null, !!bool, !!int, !!float, !!str) and its value, as
// its type errors name it and its decoder converts it into Go ints, uints
// and floats. A quoted scalar is always !!str.
//
// Thread-safety: pure functions.
#ifndef STRATA_GOYAML_SCALAR_H_
#define STRATA_GOYAML_SCALAR_H_

#include <cstdint>
#include <string_view>

#include "yaml-cpp/yaml.h"

namespace strata::goyaml {

// The two go-yaml versions Prometheus uses: v2 (configuration, promtool's
// unit-test files) and v3 (rule files). They differ in which plain scalars
// are booleans: v2 has YAML 1.1's y/yes/on/off..., v3 only true and false.
enum class Version { kV2, kV3 };

struct Resolved {
  enum Kind { kNull, kBool, kInt, kFloat, kStr };
  Kind kind = kStr;
  // kInt: the value; `is_uint` when it only fits uint64 (then `uint_value`).
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  bool is_uint = false;
  double float_value = 0;   // kFloat
  bool bool_value = false;  // kBool
};

// Resolves `node` (a scalar or null) as go-yaml does.
Resolved Resolve(const YAML::Node& node, Version version);

// The short tag of a resolved scalar: "!!str", "!!int", ...
std::string_view ShortTag(Resolved::Kind kind);

}  // namespace strata::goyaml

#endif  // STRATA_GOYAML_SCALAR_H_
