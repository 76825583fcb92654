// Block meta.json (block/block_meta.h) on arbitrary text. Invariant: what
// parses prints (ToJson) to text that parses to an equal BlockMeta.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "block/block_meta.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto meta = strata::BlockMeta::FromJson(json);
  if (!meta.ok()) return 0;
  const std::string printed = meta->ToJson();
  auto again = strata::BlockMeta::FromJson(printed);
  FUZZ_CHECK(again.ok(), "printed meta.json does not parse: " + printed +
                             " -> " + again.status().ToString());
  FUZZ_CHECK(*again == *meta, "meta.json does not round-trip: " + printed);
  return 0;
}
