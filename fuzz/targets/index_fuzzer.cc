// Block index files (index/index_file_reader.h, postings_for_matchers.h)
// on arbitrary bytes, as they are and with their CRCs recomputed
// (crc_fixup.h), served from memory.
//
// Every read the reader offers is tried (label names and values, postings,
// series entries, matchers, postings statistics, Verify); the same bytes
// in the compact form (cold blocks) must open and verify alike.
// Invariant: on a file that Verify() accepts, every read succeeds and every
// series in the all-postings list has labels.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crc_fixup.h"
#include "fuzz_check.h"
#include "index/compact_index.h"
#include "index/index_file_reader.h"
#include "index/postings_for_matchers.h"
#include "memory_file_system.h"

namespace {

using strata::IndexFileReader;
using strata::Matcher;
using strata::Postings;
using strata::Status;

constexpr char kPath[] = "/block/index";
// Bounds on the work per input, so large lists do not slow fuzzing down.
constexpr size_t kMaxNames = 16;
constexpr size_t kMaxValues = 16;
constexpr uint32_t kMaxSeries = 256;

// Fails the input's invariant if `verified` and `st` is an error.
void Expect(bool verified, const Status& st, std::string_view what) {
  FUZZ_CHECK(
      !verified || st.ok(),
      std::string(what) + " fails on a verified index: " + st.ToString());
}

void ReadSeries(const IndexFileReader& r, const Postings& ids, bool verified) {
  strata::Labels labels;
  std::vector<strata::ChunkMeta> chunks;
  uint32_t n = 0;
  for (uint32_t id : ids) {
    if (++n > kMaxSeries) break;
    const Status st = r.Series(id, &labels, &chunks);
    Expect(verified, st, "Series");
    FUZZ_CHECK(!verified || !labels.empty(),
               "a verified series without labels");
  }
}

void ReadMatchers(const IndexFileReader& r, std::string_view name,
                  std::string_view value, bool verified) {
  const std::string prefix = std::string(value.substr(0, 1)) + ".*";
  for (auto m : {Matcher::Create(Matcher::Type::kEqual, name, value),
                 Matcher::Create(Matcher::Type::kNotEqual, name, value),
                 Matcher::Create(Matcher::Type::kRegexMatch, name, prefix),
                 Matcher::Create(Matcher::Type::kRegexNoMatch, name, "")}) {
    if (!m.ok()) continue;  // A value that is not a valid regex.
    Expect(verified, strata::PostingsForMatchers(r, {*m}).status(),
           "PostingsForMatchers");
    Expect(verified, strata::MatchingLabelValues(r, *m).status(),
           "MatchingLabelValues");
  }
}

void ReadIndex(std::string_view file) {
  strata::fuzz::MemoryFileSystem fs;
  fs.Put(kPath, file);
  auto opened = IndexFileReader::Open(&fs, kPath);
  if (!opened.ok()) return;
  const IndexFileReader& r = **opened;
  const bool verified = r.Verify().ok();

  auto names = r.LabelNames();
  Expect(verified, names.status(), "LabelNames");
  if (names.ok()) {
    names->resize(std::min(names->size(), kMaxNames));
    for (const std::string& name : *names) {
      auto values = r.LabelValues(name);
      Expect(verified, values.status(), "LabelValues");
      if (!values.ok() || values->empty()) continue;
      values->resize(std::min(values->size(), kMaxValues));
      auto postings = r.PostingsFor(name, *values);
      Expect(verified, postings.status(), "PostingsFor");
      if (postings.ok()) ReadSeries(r, *postings, verified);
      ReadMatchers(r, name, values->front(), verified);
    }
  }
  auto all = r.AllPostings();
  Expect(verified, all.status(), "AllPostings");
  if (all.ok()) ReadSeries(r, *all, verified);
  // Ids that are not series must fail cleanly.
  Postings bogus;
  for (uint32_t id : {0u, 1u, 2u, 3u, 0xFFFFFFFFu}) bogus.add(id);
  ReadSeries(r, bogus, false);

  uint32_t index = 0;
  if (r.NumSymbols() > 0) {
    (void)r.FindSymbol(r.Symbol(r.NumSymbols() - 1), &index);
  }
  (void)r.FindSymbol("__name__", &index);
  Expect(verified,
         r.ForEachPostingsList([](std::string_view, std::string_view,
                                  uint32_t) { return Status::OK(); }),
         "ForEachPostingsList");
}

// The compact form of `file` (cold blocks' index, compact_index.h) opens
// exactly when `file` does and verifies the same.
void CompactReadsTheSame(std::string_view file) {
  // A compact file is decoded once, not twice.
  if (strata::compact_index::IsCompact(file)) return;
  std::string compact;
  FUZZ_CHECK(strata::compact_index::Encode(file, &compact).ok(),
             "compact index encoding fails");
  strata::fuzz::MemoryFileSystem plain_fs, compact_fs;
  plain_fs.Put(kPath, file);
  compact_fs.Put(kPath, compact);
  auto plain = IndexFileReader::Open(&plain_fs, kPath);
  auto packed = IndexFileReader::Open(&compact_fs, kPath);
  FUZZ_CHECK(plain.ok() == packed.ok(),
             "compact form opens differently: " + plain.status().ToString() +
                 " vs " + packed.status().ToString());
  if (!plain.ok()) return;
  FUZZ_CHECK((*packed)->PrometheusBytes() == file,
             "compact form decodes to other bytes");
  FUZZ_CHECK((*plain)->Verify().ToString() == (*packed)->Verify().ToString(),
             "compact form verifies differently");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ReadIndex(input);
  std::string fixed(input);
  strata::fuzz::FixIndexCrcs(&fixed);
  if (fixed != input) ReadIndex(fixed);  // Put copies it exactly.
  CompactReadsTheSame(fixed);
  return 0;
}
