#include "index/index_file_reader.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "index/compact_index.h"
#include "util/coding.h"
#include "util/crc32c.h"
#include "util/strings.h"

namespace strata {

namespace {

using index_format::kCrcSize;
using index_format::kHeaderSize;
using index_format::kLengthSize;
using index_format::kPostingsKeyCount;
using index_format::kPostingsSampleInterval;
using index_format::kSeriesAlignment;
using index_format::Toc;

}  // namespace

IndexFileReader::IndexFileReader(std::string path,
                                 std::unique_ptr<MappedFile> file)
    : path_(std::move(path)), file_(std::move(file)), data_(file_->data()) {}

IndexFileReader::~IndexFileReader() = default;

Status IndexFileReader::Corrupt(std::string_view section, uint64_t offset,
                                std::string_view what) const {
  return Status::Corruption(
      Cat("index ", path_, ": ", section, " at byte ", offset, ": ", what));
}

StatusOr<std::unique_ptr<IndexFileReader>> IndexFileReader::Open(
    FileSystem* fs, const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file, fs->MapFile(path));
  const auto disk_size = static_cast<int64_t>(file->data().size());
  const bool compact = compact_index::IsCompact(file->data());
  if (compact) {
    STRATA_ASSIGN_OR_RETURN(file, compact_index::Decode(path, file->data()));
  }
  std::unique_ptr<IndexFileReader> r(
      new IndexFileReader(path, std::move(file)));
  r->disk_size_ = disk_size;
  r->compact_ = compact;
  const std::string_view d = r->data_;
  if (d.size() < static_cast<size_t>(kHeaderSize + Toc::kEncodedSize)) {
    return r->Corrupt("header", 0,
                      Cat("file too short (", d.size(), " bytes)"));
  }
  if (const uint32_t magic = DecodeBE32(d.data());
      magic != index_format::kMagic) {
    return r->Corrupt("header", 0, Cat("bad magic ", magic));
  }
  if (const auto version = static_cast<uint8_t>(d[4]);
      version != index_format::kVersion) {
    return r->Corrupt("header", 4, Cat("unsupported version ", version));
  }
  const uint64_t toc_offset = d.size() - Toc::kEncodedSize;
  if (!r->toc_.DecodeFrom(d.substr(toc_offset))) {
    return r->Corrupt("TOC", toc_offset, "checksum mismatch");
  }
  const Toc& t = r->toc_;
  const uint64_t chain[] = {kHeaderSize,      t.symbols,  t.series,
                            t.label_indices,  t.postings, t.label_indices_table,
                            t.postings_table, toc_offset};
  for (size_t i = 1; i < std::size(chain); ++i) {
    if (chain[i] < chain[i - 1]) {
      return r->Corrupt("TOC", toc_offset,
                        Cat("section offsets out of order or out of the file: "
                            "symbols=",
                            t.symbols, " series=", t.series, " label_indices=",
                            t.label_indices, " postings=", t.postings,
                            " label_indices_table=", t.label_indices_table,
                            " postings_table=", t.postings_table));
    }
  }
  r->series_end_ = t.label_indices;
  STRATA_RETURN_IF_ERROR(r->LoadSymbols());
  STRATA_RETURN_IF_ERROR(r->LoadPostingsTable());
  return r;
}

Status IndexFileReader::LoadSymbols() {
  constexpr std::string_view kSection = "symbol table";
  const uint64_t start = toc_.symbols;
  const uint64_t limit = toc_.series;
  if (limit - start < static_cast<uint64_t>(kLengthSize + 4 + kCrcSize)) {
    return Corrupt(kSection, start, "too short");
  }
  const uint64_t len = DecodeBE32(data_.data() + start);
  if (len < 4 || len + kLengthSize + kCrcSize > limit - start) {
    return Corrupt(kSection, start, Cat("length ", len, " out of bounds"));
  }
  std::string_view body = data_.substr(start + kLengthSize, len);
  if (crc32c::Value(body) != DecodeBE32(body.data() + len)) {
    return Corrupt(kSection, start, "checksum mismatch");
  }
  const uint32_t count = DecodeBE32(body.data());
  body.remove_prefix(4);
  // Every symbol takes at least one byte.
  if (count > body.size()) {
    return Corrupt(kSection, start,
                   Cat("symbol count ", count, " exceeds the table"));
  }
  symbols_base_ = start + kLengthSize + 4;
  symbol_offsets_.reserve(count);
  const char* base = body.data();
  for (uint32_t i = 0; i < count; ++i) {
    symbol_offsets_.push_back(static_cast<uint32_t>(body.data() - base));
    std::string_view sym;
    if (!GetLengthPrefixed(&body, &sym)) {
      return Corrupt(kSection, symbols_base_ + symbol_offsets_.back(),
                     Cat("symbol ", i, " truncated"));
    }
  }
  if (!body.empty()) {
    return Corrupt(kSection, symbols_base_ + (body.data() - base),
                   "trailing bytes after the last symbol");
  }
  return Status::OK();
}

bool IndexFileReader::DecodeTableEntry(uint64_t* offset, TableEntry* e) const {
  std::string_view in = postings_table_.substr(*offset);
  uint64_t keys;
  if (!GetUvarint(&in, &keys) || keys != kPostingsKeyCount ||
      !GetLengthPrefixed(&in, &e->name) || !GetLengthPrefixed(&in, &e->value) ||
      !GetUvarint(&in, &e->postings_offset)) {
    return false;
  }
  *offset = postings_table_.size() - in.size();
  return true;
}

Status IndexFileReader::LoadPostingsTable() {
  constexpr std::string_view kSection = "postings offset table";
  const uint64_t start = toc_.postings_table;
  const uint64_t limit = data_.size() - Toc::kEncodedSize;
  if (limit - start < static_cast<uint64_t>(kLengthSize + 4 + kCrcSize)) {
    return Corrupt(kSection, start, "too short");
  }
  const uint64_t len = DecodeBE32(data_.data() + start);
  if (len < 4 || len + kLengthSize + kCrcSize > limit - start) {
    return Corrupt(kSection, start, Cat("length ", len, " out of bounds"));
  }
  postings_table_ = data_.substr(start + kLengthSize, len);
  postings_table_offset_ = start + kLengthSize;
  if (crc32c::Value(postings_table_) !=
      DecodeBE32(postings_table_.data() + len)) {
    return Corrupt(kSection, start, "checksum mismatch");
  }
  const uint32_t count = DecodeBE32(postings_table_.data());
  uint64_t offset = 4;
  NameRun* run = nullptr;
  std::string_view last_value;
  uint32_t last_offset = 0;
  bool found_all = false;
  // Ends the current run at `end`, always keeping its last value.
  auto close_run = [&](uint64_t end) {
    if ((run->num_values - 1) % kPostingsSampleInterval != 0) {
      samples_.push_back({last_value, last_offset});
      ++run->num_samples;
    }
    run->end_offset = static_cast<uint32_t>(end);
  };
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t entry_offset = offset;
    TableEntry e;
    if (!DecodeTableEntry(&offset, &e)) {
      return Corrupt(kSection, postings_table_offset_ + entry_offset,
                     Cat("entry ", i, " malformed"));
    }
    if (e.postings_offset < toc_.postings ||
        e.postings_offset >= toc_.label_indices_table) {
      return Corrupt(kSection, postings_table_offset_ + entry_offset,
                     Cat("postings offset ", e.postings_offset,
                         " outside the postings section"));
    }
    if (run == nullptr || e.name != run->name) {
      if (run != nullptr) {
        if (e.name < run->name) {
          return Corrupt(kSection, postings_table_offset_ + entry_offset,
                         "label names out of order");
        }
        close_run(entry_offset);
      }
      names_.push_back(
          {e.name, static_cast<uint32_t>(samples_.size()), 0, 0, 0});
      run = &names_.back();
    } else if (e.value <= last_value) {
      return Corrupt(kSection, postings_table_offset_ + entry_offset,
                     Cat("values of label ", e.name, " out of order"));
    }
    if (run->num_values % kPostingsSampleInterval == 0) {
      samples_.push_back({e.value, static_cast<uint32_t>(entry_offset)});
      ++run->num_samples;
    }
    ++run->num_values;
    last_value = e.value;
    last_offset = static_cast<uint32_t>(entry_offset);
    if (e.name == index_format::kAllPostingsName &&
        e.value == index_format::kAllPostingsValue) {
      found_all = true;
      all_postings_offset_ = e.postings_offset;
    }
  }
  if (run != nullptr) close_run(offset);
  if (offset != postings_table_.size()) {
    return Corrupt(kSection, postings_table_offset_ + offset,
                   "trailing bytes after the last entry");
  }
  if (!found_all) {
    return Corrupt(kSection, start, "no all-postings entry");
  }
  for (uint32_t i = 0; i < names_.size(); ++i) {
    if (names_[i].name != index_format::kAllPostingsName) {
      name_index_.emplace(names_[i].name, i);
    }
  }
  if (all_postings_offset_ + 8 > data_.size()) {
    return Corrupt("postings", all_postings_offset_, "all-postings truncated");
  }
  num_series_ = DecodeBE32(data_.data() + all_postings_offset_ + kLengthSize);
  return Status::OK();
}

std::string_view IndexFileReader::Symbol(uint32_t index) const {
  std::string_view in = data_.substr(symbols_base_ + symbol_offsets_[index]);
  std::string_view sym;
  GetLengthPrefixed(&in, &sym);  // Checked at Open.
  return sym;
}

std::vector<std::string_view> IndexFileReader::Symbols() const {
  std::vector<std::string_view> out;
  out.reserve(symbol_offsets_.size());
  for (uint32_t i = 0; i < NumSymbols(); ++i) out.push_back(Symbol(i));
  return out;
}

bool IndexFileReader::FindSymbol(std::string_view symbol,
                                 uint32_t* index) const {
  uint32_t lo = 0;
  uint32_t hi = NumSymbols();
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (Symbol(mid) < symbol) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo < NumSymbols() && Symbol(lo) == symbol) {
    *index = lo;
    return true;
  }
  return false;
}

const IndexFileReader::NameRun* IndexFileReader::FindName(
    std::string_view name) const {
  auto it = name_index_.find(name);
  return it == name_index_.end() ? nullptr : &names_[it->second];
}

template <typename Fn>
Status IndexFileReader::ScanRun(const NameRun& run, uint32_t sample,
                                Fn fn) const {
  uint64_t offset = samples_[run.first_sample + sample].table_offset;
  while (offset < run.end_offset) {
    const uint64_t entry_offset = offset;
    TableEntry e;
    if (!DecodeTableEntry(&offset, &e)) {  // Checked at Open; be safe.
      return Corrupt("postings offset table",
                     postings_table_offset_ + entry_offset, "malformed entry");
    }
    if (!fn(e)) break;
  }
  return Status::OK();
}

StatusOr<std::vector<std::string>> IndexFileReader::LabelNames() const {
  std::vector<std::string> out;
  out.reserve(names_.size());
  for (const NameRun& run : names_) {
    if (run.name != index_format::kAllPostingsName) {
      out.emplace_back(run.name);
    }
  }
  return out;
}

StatusOr<std::vector<std::string>> IndexFileReader::LabelValues(
    std::string_view name) const {
  std::vector<std::string> out;
  const NameRun* run = FindName(name);
  if (run == nullptr) return out;
  out.reserve(run->num_values);
  STRATA_RETURN_IF_ERROR(ScanRun(*run, 0, [&](const TableEntry& e) {
    out.emplace_back(e.value);
    return true;
  }));
  return out;
}

Status IndexFileReader::PostingsListAt(uint64_t offset,
                                       std::string_view* body) const {
  constexpr std::string_view kSection = "postings list";
  const uint64_t limit = toc_.label_indices_table;
  if (offset < toc_.postings || offset > limit ||
      limit - offset < static_cast<uint64_t>(kLengthSize + 4 + kCrcSize)) {
    return Corrupt(kSection, offset, "out of the postings section");
  }
  const uint64_t len = DecodeBE32(data_.data() + offset);
  if (len + kLengthSize + kCrcSize > limit - offset) {
    return Corrupt(kSection, offset, Cat("length ", len, " out of bounds"));
  }
  const std::string_view b = data_.substr(offset + kLengthSize, len);
  if (crc32c::Value(b) != DecodeBE32(b.data() + len)) {
    return Corrupt(kSection, offset, "checksum mismatch");
  }
  if (len < 4 || len != 4 + 4 * uint64_t{DecodeBE32(b.data())}) {
    return Corrupt(kSection, offset,
                   Cat("length ", len, " does not match the count"));
  }
  *body = b;
  return Status::OK();
}

Status IndexFileReader::DecodePostingsInto(uint64_t offset,
                                           Postings* out) const {
  std::string_view body;
  STRATA_RETURN_IF_ERROR(PostingsListAt(offset, &body));
  const size_t n = DecodeBE32(body.data());
  const char* p = body.data() + 4;
  // Converted in blocks so that long lists need no big buffer.
  constexpr size_t kBlock = 1024;
  uint32_t ids[kBlock];
  for (size_t i = 0; i < n; i += kBlock) {
    const size_t m = std::min(kBlock, n - i);
    for (size_t j = 0; j < m; ++j) ids[j] = DecodeBE32(p + 4 * (i + j));
    out->addMany(m, ids);
  }
  return Status::OK();
}

StatusOr<Postings> IndexFileReader::PostingsFor(
    std::string_view name, const std::vector<std::string>& values) const {
  Postings result;
  const NameRun* run = FindName(name);
  if (run == nullptr || values.empty()) return result;

  std::vector<std::string_view> wanted(values.begin(), values.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());

  // Walk the wanted values and the table together: binary search the
  // samples for the next wanted value, then scan forward while the wanted
  // values stay before the next sample.
  const Sample* samples = samples_.data() + run->first_sample;
  const uint32_t num_samples = run->num_samples;
  std::vector<uint64_t> offsets;
  size_t wi = 0;
  while (wi < wanted.size()) {
    const Sample* it = std::upper_bound(
        samples, samples + num_samples, wanted[wi],
        [](std::string_view v, const Sample& s) { return v < s.value; });
    if (it == samples) {  // Before the first value.
      ++wi;
      continue;
    }
    const uint32_t s = static_cast<uint32_t>(it - samples) - 1;
    const bool has_limit = s + 1 < num_samples;
    const std::string_view limit = has_limit ? samples[s + 1].value : "";
    bool past_end = true;
    STRATA_RETURN_IF_ERROR(ScanRun(*run, s, [&](const TableEntry& e) {
      while (wi < wanted.size() && wanted[wi] < e.value) ++wi;
      if (wi == wanted.size()) {
        past_end = false;
        return false;
      }
      if (wanted[wi] == e.value) {
        offsets.push_back(e.postings_offset);
        if (++wi == wanted.size()) {
          past_end = false;
          return false;
        }
      }
      if (has_limit && wanted[wi] >= limit) {
        past_end = false;
        return false;
      }
      return true;
    }));
    if (past_end) break;  // The rest is after the last value.
  }

  if (offsets.size() == 1) {
    STRATA_RETURN_IF_ERROR(DecodePostingsInto(offsets[0], &result));
    return result;
  }
  // Long lists become bitmaps of their own, merged at the end; short ones
  // (typical of high-cardinality labels) are pooled into one sorted array,
  // as a bitmap per list would cost more than its contents.
  constexpr uint32_t kShortList = 64;
  std::vector<uint32_t> pooled;
  std::vector<Postings> lists;
  for (uint64_t offset : offsets) {
    std::string_view body;
    STRATA_RETURN_IF_ERROR(PostingsListAt(offset, &body));
    const uint32_t n = DecodeBE32(body.data());
    if (n > kShortList) {
      lists.emplace_back();
      STRATA_RETURN_IF_ERROR(DecodePostingsInto(offset, &lists.back()));
      continue;
    }
    for (uint32_t j = 0; j < n; ++j) {
      pooled.push_back(DecodeBE32(body.data() + 4 + 4 * j));
    }
  }
  if (!pooled.empty()) {
    std::sort(pooled.begin(), pooled.end());
    lists.emplace_back();
    lists.back().addMany(pooled.size(), pooled.data());
  }
  if (lists.size() == 1) return std::move(lists[0]);
  std::vector<const Postings*> ptrs;
  ptrs.reserve(lists.size());
  for (const Postings& p : lists) ptrs.push_back(&p);
  if (!ptrs.empty()) result = Postings::fastunion(ptrs.size(), ptrs.data());
  return result;
}

StatusOr<Postings> IndexFileReader::AllPostings() const {
  Postings result;
  STRATA_RETURN_IF_ERROR(DecodePostingsInto(all_postings_offset_, &result));
  return result;
}

Status IndexFileReader::SeriesEntryAt(uint64_t offset, std::string_view* body,
                                      uint64_t* next) const {
  constexpr std::string_view kSection = "series";
  std::string_view in = data_.substr(offset, series_end_ - offset);
  uint64_t len;
  if (!GetUvarint(&in, &len) || len == 0 || len + kCrcSize > in.size()) {
    return Corrupt(kSection, offset, "entry length out of bounds");
  }
  const std::string_view b = in.substr(0, len);
  if (crc32c::Value(b) != DecodeBE32(b.data() + len)) {
    return Corrupt(kSection, offset, "checksum mismatch");
  }
  *body = b;
  *next = (b.data() - data_.data()) + len + kCrcSize;
  return Status::OK();
}

Status IndexFileReader::DecodeLabels(
    uint64_t offset, const std::vector<index_format::LabelRef>& refs,
    Labels* labels) const {
  std::vector<Label> pairs;
  pairs.reserve(refs.size());
  for (const index_format::LabelRef& r : refs) {
    if (r.name >= NumSymbols() || r.value >= NumSymbols()) {
      return Corrupt("series", offset,
                     Cat("symbol reference ", std::max(r.name, r.value),
                         " out of range (", NumSymbols(), " symbols)"));
    }
    pairs.push_back(
        {std::string(Symbol(r.name)), std::string(Symbol(r.value))});
  }
  *labels = Labels::FromUnchecked(std::move(pairs));
  return Status::OK();
}

Status IndexFileReader::Series(SeriesId id, Labels* labels,
                               std::vector<ChunkMeta>* chunks) const {
  const uint64_t offset = uint64_t{id} * kSeriesAlignment;
  if (offset < toc_.series || offset >= series_end_) {
    return Status::NotFound(Cat("index ", path_, ": no series with id ", id));
  }
  std::string_view body;
  uint64_t next;
  STRATA_RETURN_IF_ERROR(SeriesEntryAt(offset, &body, &next));
  std::vector<index_format::LabelRef> refs;
  std::vector<ChunkMeta> scratch;
  if (!index_format::DecodeSeriesBody(body, &refs,
                                      chunks != nullptr ? chunks : &scratch)) {
    return Corrupt("series", offset, "malformed entry");
  }
  if (labels != nullptr) {
    STRATA_RETURN_IF_ERROR(DecodeLabels(offset, refs, labels));
  }
  return Status::OK();
}

Status IndexFileReader::ForEachPostingsList(
    const std::function<Status(std::string_view, std::string_view, uint32_t)>&
        fn) const {
  for (const NameRun& run : names_) {
    if (run.name == index_format::kAllPostingsName) continue;
    Status status;
    STRATA_RETURN_IF_ERROR(ScanRun(run, 0, [&](const TableEntry& e) {
      const uint64_t o = e.postings_offset;  // Within the file (Open).
      if (o + kLengthSize + 4 > data_.size()) {
        status = Corrupt("postings list", o, "truncated");
        return false;
      }
      status = fn(e.name, e.value, DecodeBE32(data_.data() + o + kLengthSize));
      return status.ok();
    }));
    STRATA_RETURN_IF_ERROR(status);
  }
  return Status::OK();
}

}  // namespace strata
