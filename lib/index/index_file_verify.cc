// IndexFileReader::Verify: a full consistency check of an index file, for
// `strata-tsdb verify` and tests. It walks every section in file order and
// rebuilds the postings from the series to compare against what is stored.
#include <algorithm>
#include <span>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "index/index_file_reader.h"
#include "util/coding.h"
#include "util/crc32c.h"
#include "util/strings.h"

namespace strata {

namespace {

using index_format::kCrcSize;
using index_format::kHeaderSize;
using index_format::kLabelIndexKeyCount;
using index_format::kLengthSize;
using index_format::kListAlignment;
using index_format::kSeriesAlignment;
using index_format::LabelRef;
using index_format::Toc;

uint64_t AlignUp(uint64_t v, uint64_t alignment) {
  return (v + alignment - 1) / alignment * alignment;
}

uint64_t KeyOf(uint32_t name, uint32_t value) {
  return (uint64_t{name} << 32) | value;
}

}  // namespace

// What the series section says the other sections must contain.
struct IndexFileReader::SeriesScan {
  static constexpr uint32_t kNone = 0xFFFFFFFF;

  std::vector<SeriesId> ids;  // Increasing.
  // After Finish(): every label pair the series use (name symbol << 32 |
  // value symbol), sorted, and each pair's series.
  std::vector<uint64_t> keys;
  std::vector<std::span<const SeriesId>> lists;

  // While scanning: pairs by first use, found through a slot per value
  // symbol (most values have one name) or other_keys; and for every series
  // the pair index of each of its labels, then kNone.
  std::vector<uint64_t> pairs;
  struct Slot {
    uint32_t name = kNone;
    uint32_t pair = 0;
  };
  std::vector<Slot> slots;
  absl::flat_hash_map<uint64_t, uint32_t> other_keys;
  std::vector<uint32_t> log;
  std::vector<SeriesId> storage;

  void Add(uint32_t name, uint32_t value) {
    Slot& slot = slots[value];
    uint32_t pair;
    if (slot.name == name) {
      pair = slot.pair;
    } else {
      pair = static_cast<uint32_t>(pairs.size());
      bool added = true;
      if (slot.name == kNone) {
        slot = {name, pair};
      } else {
        auto [it, inserted] = other_keys.try_emplace(KeyOf(name, value), pair);
        pair = it->second;
        added = inserted;
      }
      if (added) pairs.push_back(KeyOf(name, value));
    }
    log.push_back(pair);
  }

  // Sorts the log into lists (counting sort; the log is in series order).
  void Finish() {
    std::vector<uint64_t> start(pairs.size() + 1, 0);
    for (uint32_t p : log) {
      if (p != kNone) ++start[p + 1];
    }
    for (size_t p = 0; p < pairs.size(); ++p) start[p + 1] += start[p];
    storage.resize(start.back());
    std::vector<uint64_t> next(start.begin(), start.end() - 1);
    size_t series = 0;
    for (uint32_t p : log) {
      if (p == kNone) {
        ++series;
      } else {
        storage[next[p]++] = ids[series];
      }
    }
    std::vector<uint32_t> order(pairs.size());
    for (uint32_t p = 0; p < order.size(); ++p) order[p] = p;
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return pairs[a] < pairs[b]; });
    keys.reserve(order.size());
    lists.reserve(order.size());
    for (uint32_t p : order) {
      keys.push_back(pairs[p]);
      lists.emplace_back(storage.data() + start[p], start[p + 1] - start[p]);
    }
    log = {};
    slots = {};
    other_keys = {};
  }
};

Status IndexFileReader::VerifyPadding(std::string_view section, uint64_t from,
                                      uint64_t to) const {
  for (uint64_t i = from; i < to; ++i) {
    if (data_[i] != '\0') {
      return Corrupt(section, i, "non-zero byte in padding");
    }
  }
  return Status::OK();
}

Status IndexFileReader::Verify() const {
  STRATA_RETURN_IF_ERROR(VerifyLayout());
  STRATA_RETURN_IF_ERROR(VerifySymbols());
  SeriesScan scan;
  scan.slots.resize(NumSymbols());
  STRATA_RETURN_IF_ERROR(VerifySeries(&scan));
  scan.Finish();
  STRATA_RETURN_IF_ERROR(VerifyLabelIndices(scan));
  STRATA_RETURN_IF_ERROR(VerifyPostings(scan));
  return Status::OK();
}

Status IndexFileReader::VerifyLayout() const {
  // Open checked the magic, version, TOC checksum and section order.
  Toc toc;
  if (!toc.DecodeFrom(data_.substr(data_.size() - Toc::kEncodedSize))) {
    return Corrupt("TOC", data_.size() - Toc::kEncodedSize,
                   "checksum mismatch");
  }
  return VerifyPadding("header", kHeaderSize, toc_.symbols);
}

Status IndexFileReader::VerifySymbols() const {
  constexpr std::string_view kSection = "symbol table";
  const uint64_t len = DecodeBE32(data_.data() + toc_.symbols);
  const std::string_view body = data_.substr(toc_.symbols + kLengthSize, len);
  if (crc32c::Value(body) != DecodeBE32(body.data() + len)) {
    return Corrupt(kSection, toc_.symbols, "checksum mismatch");
  }
  for (uint32_t i = 1; i < NumSymbols(); ++i) {
    if (Symbol(i) <= Symbol(i - 1)) {
      return Corrupt(kSection, symbols_base_ + symbol_offsets_[i],
                     Cat("symbol ", i, " \"", Symbol(i), "\" not after \"",
                         Symbol(i - 1), "\""));
    }
  }
  return VerifyPadding(kSection, toc_.symbols + kLengthSize + len + kCrcSize,
                       toc_.series);
}

Status IndexFileReader::VerifySeries(SeriesScan* scan) const {
  constexpr std::string_view kSection = "series";
  using Pair = std::pair<std::string_view, std::string_view>;
  std::vector<Pair> prev, cur;
  std::vector<LabelRef> refs;
  std::vector<ChunkMeta> chunks;
  uint64_t last_chunk_ref = 0;
  uint64_t pos = toc_.series;
  while (pos < series_end_) {
    const uint64_t aligned = AlignUp(pos, kSeriesAlignment);
    STRATA_RETURN_IF_ERROR(
        VerifyPadding(kSection, pos, std::min(aligned, series_end_)));
    pos = aligned;
    if (pos >= series_end_) break;
    if (data_[pos] == '\0') {
      return Corrupt(kSection, pos, "zero byte where a series should start");
    }
    std::string_view body;
    uint64_t next;
    STRATA_RETURN_IF_ERROR(SeriesEntryAt(pos, &body, &next));
    if (!index_format::DecodeSeriesBody(body, &refs, &chunks)) {
      return Corrupt(kSection, pos, "malformed entry");
    }
    if (refs.empty()) return Corrupt(kSection, pos, "series without labels");
    cur.clear();
    for (const LabelRef& r : refs) {
      if (r.name >= NumSymbols() || r.value >= NumSymbols()) {
        return Corrupt(kSection, pos,
                       Cat("symbol reference ", std::max(r.name, r.value),
                           " out of range (", NumSymbols(), " symbols)"));
      }
      cur.emplace_back(Symbol(r.name), Symbol(r.value));
      if (cur.back().second.empty()) {
        return Corrupt(kSection, pos,
                       Cat("label ", cur.back().first, " has an empty value"));
      }
      if (cur.size() > 1 && cur.back().first <= cur[cur.size() - 2].first) {
        return Corrupt(
            kSection, pos,
            Cat("label names not sorted and unique at ", cur.back().first));
      }
    }
    if (!prev.empty() && !(prev < cur)) {
      return Corrupt(kSection, pos,
                     "series not in increasing order of label sets");
    }
    for (size_t i = 0; i < chunks.size(); ++i) {
      const ChunkMeta& c = chunks[i];
      if (c.maxt < c.mint) {
        return Corrupt(
            kSection, pos,
            Cat("chunk ", i, " has maxt ", c.maxt, " before mint ", c.mint));
      }
      if (i > 0 && c.mint <= chunks[i - 1].maxt) {
        return Corrupt(kSection, pos,
                       Cat("chunk ", i, " mint ", c.mint,
                           " not after previous maxt ", chunks[i - 1].maxt));
      }
      if (c.ref < last_chunk_ref) {
        return Corrupt(kSection, pos,
                       Cat("chunk ", i, " ref ", c.ref, " before previous ref ",
                           last_chunk_ref));
      }
      last_chunk_ref = c.ref;
    }
    const auto id = static_cast<SeriesId>(pos / kSeriesAlignment);
    scan->ids.push_back(id);
    for (const LabelRef& r : refs) scan->Add(r.name, r.value);
    scan->log.push_back(SeriesScan::kNone);
    std::swap(prev, cur);
    pos = next;
  }
  return Status::OK();
}

Status IndexFileReader::VerifyLabelIndices(const SeriesScan& scan) const {
  constexpr std::string_view kTable = "label offset table";
  constexpr std::string_view kSection = "label index";
  if (toc_.label_indices_table == toc_.postings_table) {
    // Written by a Prometheus that no longer writes label indices.
    return VerifyPadding(kSection, toc_.label_indices, toc_.postings);
  }
  const uint64_t start = toc_.label_indices_table;
  const uint64_t limit = toc_.postings_table;
  if (limit - start < static_cast<uint64_t>(kLengthSize + 4 + kCrcSize)) {
    return Corrupt(kTable, start, "too short");
  }
  const uint64_t len = DecodeBE32(data_.data() + start);
  if (len < 4 || len + kLengthSize + kCrcSize > limit - start) {
    return Corrupt(kTable, start, Cat("length ", len, " out of bounds"));
  }
  const std::string_view table = data_.substr(start + kLengthSize, len);
  if (crc32c::Value(table) != DecodeBE32(table.data() + len)) {
    return Corrupt(kTable, start, "checksum mismatch");
  }
  STRATA_RETURN_IF_ERROR(
      VerifyPadding(kTable, start + kLengthSize + len + kCrcSize, limit));

  const uint32_t count = DecodeBE32(table.data());
  std::string_view in = table.substr(4);
  size_t key = 0;  // Next of scan.keys, at the first value of a name.
  uint64_t pos = toc_.label_indices;
  std::string_view prev_name;
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t entry_at = start + kLengthSize + (in.data() - table.data());
    uint64_t keys, offset;
    std::string_view name;
    if (!GetUvarint(&in, &keys) || keys != kLabelIndexKeyCount ||
        !GetLengthPrefixed(&in, &name) || !GetUvarint(&in, &offset)) {
      return Corrupt(kTable, entry_at, Cat("entry ", i, " malformed"));
    }
    if (i > 0 && name <= prev_name) {
      return Corrupt(kTable, entry_at, "label names not sorted and unique");
    }
    prev_name = name;
    if (offset != AlignUp(pos, kListAlignment) || offset >= toc_.postings) {
      return Corrupt(kTable, entry_at,
                     Cat("label index offset ", offset,
                         " is not where the next label index is (",
                         AlignUp(pos, kListAlignment), ")"));
    }
    STRATA_RETURN_IF_ERROR(VerifyPadding(kSection, pos, offset));
    if (toc_.postings - offset <
        static_cast<uint64_t>(kLengthSize + 8 + kCrcSize)) {
      return Corrupt(kSection, offset, "truncated");
    }
    const uint64_t n = DecodeBE32(data_.data() + offset);
    if (n + kLengthSize + kCrcSize > toc_.postings - offset) {
      return Corrupt(kSection, offset, Cat("length ", n, " out of bounds"));
    }
    const std::string_view body = data_.substr(offset + kLengthSize, n);
    if (crc32c::Value(body) != DecodeBE32(body.data() + n)) {
      return Corrupt(kSection, offset, "checksum mismatch");
    }
    const uint32_t names = DecodeBE32(body.data());
    const uint64_t entries = DecodeBE32(body.data() + 4);
    if (names != 1 || n != 8 + 4 * entries) {
      return Corrupt(kSection, offset,
                     Cat("bad shape: ", names, " names, ", entries,
                         " entries in ", n, " bytes"));
    }
    uint32_t name_sym;
    if (!FindSymbol(name, &name_sym) || key >= scan.keys.size() ||
        (scan.keys[key] >> 32) != name_sym) {
      return Corrupt(kTable, entry_at,
                     Cat("label ", name,
                         " is not the next label "
                         "name used by the series"));
    }
    for (uint64_t j = 0; j < entries; ++j, ++key) {
      const uint32_t value = DecodeBE32(body.data() + 8 + 4 * j);
      if (key >= scan.keys.size() || scan.keys[key] != KeyOf(name_sym, value)) {
        return Corrupt(
            kSection, offset + kLengthSize + 8 + 4 * j,
            Cat("value ", j, " of label ", name, " does not match the series"));
      }
    }
    if (key < scan.keys.size() && (scan.keys[key] >> 32) == name_sym) {
      return Corrupt(kSection, offset,
                     Cat("label ", name, " lacks values the series use"));
    }
    pos = offset + kLengthSize + n + kCrcSize;
  }
  if (!in.empty()) {
    return Corrupt(kTable, start + kLengthSize + (in.data() - table.data()),
                   "trailing bytes after the last entry");
  }
  if (key != scan.keys.size()) {
    return Corrupt(kTable, start,
                   Cat("no label index for label ",
                       Symbol(static_cast<uint32_t>(scan.keys[key] >> 32))));
  }
  return VerifyPadding(kSection, pos, toc_.postings);
}

Status IndexFileReader::VerifyPostings(const SeriesScan& scan) const {
  constexpr std::string_view kTable = "postings offset table";
  constexpr std::string_view kSection = "postings list";
  const uint64_t table_len = postings_table_.size();
  if (crc32c::Value(postings_table_) !=
      DecodeBE32(postings_table_.data() + table_len)) {
    return Corrupt(kTable, toc_.postings_table, "checksum mismatch");
  }
  STRATA_RETURN_IF_ERROR(
      VerifyPadding(kTable, postings_table_offset_ + table_len + kCrcSize,
                    data_.size() - Toc::kEncodedSize));

  const uint32_t count = DecodeBE32(postings_table_.data());
  if (count != scan.keys.size() + 1) {
    return Corrupt(
        kTable, toc_.postings_table,
        Cat(count, " entries, but the series have ", scan.keys.size(),
            " label pairs (plus the "
            "all-postings list)"));
  }
  uint64_t offset = 4;
  uint64_t pos = toc_.postings;
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t entry_at = postings_table_offset_ + offset;
    TableEntry e;
    if (!DecodeTableEntry(&offset, &e)) {
      return Corrupt(kTable, entry_at, Cat("entry ", i, " malformed"));
    }
    std::span<const SeriesId> expected = scan.ids;
    if (i > 0) {
      const uint64_t key = scan.keys[i - 1];
      const std::string_view name = Symbol(static_cast<uint32_t>(key >> 32));
      const std::string_view value = Symbol(static_cast<uint32_t>(key));
      if (e.name != name || e.value != value) {
        return Corrupt(
            kTable, entry_at,
            Cat("entry ", e.name, "=\"", e.value, "\" where the series have ",
                name, "=\"", value, "\""));
      }
      expected = scan.lists[i - 1];
    } else if (e.name != index_format::kAllPostingsName ||
               e.value != index_format::kAllPostingsValue) {
      return Corrupt(kTable, entry_at, "first entry is not all-postings");
    }
    if (e.postings_offset != AlignUp(pos, kListAlignment)) {
      return Corrupt(kTable, entry_at,
                     Cat("postings offset ", e.postings_offset,
                         " is not where the next list is (",
                         AlignUp(pos, kListAlignment), ")"));
    }
    STRATA_RETURN_IF_ERROR(VerifyPadding(kSection, pos, e.postings_offset));
    std::string_view body;
    STRATA_RETURN_IF_ERROR(PostingsListAt(e.postings_offset, &body));
    const uint32_t n = DecodeBE32(body.data());
    for (uint32_t j = 0; j < n; ++j) {
      const SeriesId id = DecodeBE32(body.data() + 4 + 4 * j);
      if (j < expected.size() && id == expected[j]) continue;
      const uint64_t at = e.postings_offset + kLengthSize + 4 + 4 * j;
      if (j > 0 && id <= DecodeBE32(body.data() + 4 * j)) {
        return Corrupt(
            kSection, at,
            Cat("series ids of ", e.name, "=\"", e.value, "\" not increasing"));
      }
      if (!std::binary_search(scan.ids.begin(), scan.ids.end(), id)) {
        return Corrupt(kSection, at,
                       Cat("id ", id, " in ", e.name, "=\"", e.value,
                           "\" is not a series"));
      }
      return Corrupt(kSection, at,
                     Cat("series ", id, " in ", e.name, "=\"", e.value,
                         "\" does not match the series"));
    }
    if (n != expected.size()) {
      return Corrupt(kSection, e.postings_offset,
                     Cat(e.name, "=\"", e.value, "\" lists ", n,
                         " series; the series section has ", expected.size()));
    }
    pos = e.postings_offset + kLengthSize + body.size() + kCrcSize;
  }
  return VerifyPadding(kSection, pos, toc_.label_indices_table);
}

}  // namespace strata
