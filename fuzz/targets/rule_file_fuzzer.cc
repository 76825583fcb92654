// Prometheus rule files (rules/rule_file.h: YAML through yaml-cpp and
// goyaml, PromQL expressions, Go templates in labels and annotations) on
// arbitrary text. Nothing to compare against: the target is that no input
// crashes, overflows the stack or trips a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rules/rule_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  (void)strata::rules::ParseRuleFile(yaml);
  return 0;
}
