// Block tombstones files (block/tombstones.h) on arbitrary bytes, as they
// are and with their CRC recomputed (crc_fixup.h). Invariant: a file that
// decodes encodes to a file that decodes to the same intervals.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "block/tombstones.h"
#include "crc_fixup.h"
#include "exact_copy.h"
#include "fuzz_check.h"

namespace {

using strata::Intervals;
using strata::MemTombstones;
using strata::SeriesId;

std::map<SeriesId, Intervals> Contents(const MemTombstones& stones) {
  std::map<SeriesId, Intervals> out;
  stones.ForEach([&out](SeriesId id, const Intervals& ivs) { out[id] = ivs; });
  return out;
}

void Decode(std::string_view file) {
  auto stones = MemTombstones::Decode(file, "tombstones");
  if (!stones.ok()) return;
  const std::string encoded = (*stones)->Encode();
  auto again = MemTombstones::Decode(encoded, "tombstones");
  FUZZ_CHECK(again.ok(), "re-encoded tombstones do not decode: " +
                             again.status().ToString());
  FUZZ_CHECK(Contents(**again) == Contents(**stones),
             "tombstones do not round-trip");
  FUZZ_CHECK((*again)->Total() == (*stones)->Total(), "interval count differs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Decode(input);
  std::string fixed(input);
  strata::fuzz::FixTombstonesCrc(&fixed);
  if (fixed != input) Decode(strata::fuzz::ExactCopy(fixed).view());
  return 0;
}
