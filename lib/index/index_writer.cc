#include "index/index_writer.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "util/coding.h"
#include "util/crc32c.h"
#include "util/strings.h"

namespace strata {

namespace {

using index_format::kCrcSize;
using index_format::kLengthSize;
using index_format::kListAlignment;
using index_format::kSeriesAlignment;

constexpr size_t kFlushThreshold = 1 << 20;
constexpr uint64_t kMaxSectionLength = std::numeric_limits<uint32_t>::max();

uint64_t PostingsKeyOf(uint32_t name, uint32_t value) {
  return (uint64_t{name} << 32) | value;
}

}  // namespace

StatusOr<std::unique_ptr<IndexWriter>> IndexWriter::Create(
    FileSystem* fs, const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                          fs->NewWritableFile(path));
  std::unique_ptr<IndexWriter> w(new IndexWriter(path, std::move(file)));
  std::string header;
  PutBE32(&header, index_format::kMagic);
  header.push_back(static_cast<char>(index_format::kVersion));
  STRATA_RETURN_IF_ERROR(w->Write(header));
  return w;
}

IndexWriter::IndexWriter(std::string path, std::unique_ptr<WritableFile> file)
    : path_(std::move(path)), file_(std::move(file)) {}

IndexWriter::~IndexWriter() {
  if (file_ != nullptr) file_->Close().ok();  // Incomplete anyway.
}

Status IndexWriter::Fail(Status s) {
  if (!s.ok() && error_.ok()) {
    error_ = s.WithContext(Cat("index writer ", path_));
    return error_;
  }
  return s;
}

Status IndexWriter::Write(std::string_view data) {
  buf_.append(data);
  pos_ += data.size();
  if (pos_ > index_format::kMaxFileSize) {
    return Fail(Status::ResourceExhausted("index exceeds 64 GiB"));
  }
  if (buf_.size() >= kFlushThreshold) return Flush();
  return Status::OK();
}

Status IndexWriter::Flush() {
  if (buf_.empty()) return Status::OK();
  Status s = file_->Append(buf_);
  buf_.clear();
  return Fail(std::move(s));
}

Status IndexWriter::AddPadding(uint64_t alignment) {
  const uint64_t rem = pos_ % alignment;
  if (rem == 0) return Status::OK();
  return Write(std::string(alignment - rem, '\0'));
}

Status IndexWriter::WriteSectionLength(uint64_t length,
                                       std::string_view section) {
  if (length > kMaxSectionLength) {
    return Fail(Status::ResourceExhausted(
        Cat(section, " exceeds 4 GiB: ", length, " bytes")));
  }
  std::string b;
  PutBE32(&b, static_cast<uint32_t>(length));
  return Write(b);
}

std::string_view IndexWriter::SymbolAt(uint32_t index) const {
  std::string_view in(symbol_table_);
  in.remove_prefix(symbol_offsets_[index]);
  std::string_view sym;
  GetLengthPrefixed(&in, &sym);  // Encoded by AddSymbols.
  return sym;
}

Status IndexWriter::AddSymbols(const std::vector<std::string>& symbols) {
  if (!error_.ok()) return error_;
  if (stage_ != Stage::kStart) {
    return Status::FailedPrecondition("AddSymbols after symbols or series");
  }
  if (symbols.size() > std::numeric_limits<uint32_t>::max()) {
    return Fail(Status::ResourceExhausted("too many symbols"));
  }
  for (size_t i = 1; i < symbols.size(); ++i) {
    if (symbols[i] <= symbols[i - 1]) {
      return Status::InvalidArgument(Cat("symbols not sorted and unique at ", i,
                                         ": \"", symbols[i - 1], "\" then \"",
                                         symbols[i], "\""));
    }
  }
  size_t bytes = 4;
  for (const std::string& s : symbols)
    bytes += UvarintLength(s.size()) + s.size();
  symbol_table_.reserve(bytes);
  symbol_offsets_.reserve(symbols.size());
  PutBE32(&symbol_table_, static_cast<uint32_t>(symbols.size()));
  for (const std::string& s : symbols) {
    symbol_offsets_.push_back(static_cast<uint32_t>(symbol_table_.size()));
    PutLengthPrefixed(&symbol_table_, s);
  }
  // symbol_table_ no longer grows, so views into it stay valid.
  value_slots_.resize(symbols.size());
  symbol_index_.reserve(symbols.size());
  for (uint32_t i = 0; i < symbols.size(); ++i) {
    symbol_index_.emplace(SymbolAt(i), i);
  }
  return WriteSymbolTable();
}

Status IndexWriter::WriteSymbolTable() {
  if (symbol_table_.empty()) PutBE32(&symbol_table_, 0);
  toc_.symbols = pos_;
  STRATA_RETURN_IF_ERROR(
      WriteSectionLength(symbol_table_.size(), "symbol table"));
  STRATA_RETURN_IF_ERROR(Write(symbol_table_));
  std::string crc;
  PutBE32(&crc, crc32c::Value(symbol_table_));
  STRATA_RETURN_IF_ERROR(Write(crc));
  toc_.series = pos_;
  stage_ = Stage::kSeries;
  return Status::OK();
}

StatusOr<SeriesId> IndexWriter::AddSeries(const Labels& labels,
                                          std::span<const ChunkMeta> chunks) {
  if (!error_.ok()) return error_;
  if (stage_ == Stage::kDone) {
    return Status::FailedPrecondition("AddSeries after Finish");
  }
  if (stage_ == Stage::kStart) STRATA_RETURN_IF_ERROR(WriteSymbolTable());
  if (labels.empty()) {
    return Status::InvalidArgument("series without labels");
  }
  uint64_t last_ref = last_chunk_ref_;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const ChunkMeta& c = chunks[i];
    if (c.ref < last_ref) {
      return Status::InvalidArgument(Cat("unsorted chunk reference ", c.ref,
                                         " after ", last_ref, " in ",
                                         labels.ToString()));
    }
    last_ref = c.ref;
    if (c.maxt < c.mint) {
      return Status::InvalidArgument(Cat("chunk maxt ", c.maxt, " before mint ",
                                         c.mint, " in ", labels.ToString()));
    }
    if (i > 0 && c.mint <= chunks[i - 1].maxt) {
      return Status::InvalidArgument(
          Cat("chunk mint ", c.mint, " not after previous chunk maxt ",
              chunks[i - 1].maxt, " in ", labels.ToString()));
    }
  }
  // Symbol references, reusing the last series' where its label at the
  // same position is the same.
  refs_.clear();
  keys_scratch_.clear();
  size_t i = 0;
  for (const Label& l : labels) {
    if (i < last_views_.size() && last_views_[i].first == l.name &&
        last_views_[i].second == l.value) {
      refs_.push_back(last_refs_[i]);
      keys_scratch_.push_back(last_keys_[i]);
    } else {
      auto name = symbol_index_.find(l.name);
      auto value = symbol_index_.find(l.value);
      if (name == symbol_index_.end() || value == symbol_index_.end()) {
        return Status::InvalidArgument(Cat("label ", l.name, "=\"", l.value,
                                           "\" of ", labels.ToString(),
                                           " is not in the symbol table"));
      }
      refs_.push_back({name->second, value->second});
      keys_scratch_.push_back(kSeriesEnd);  // Looked up once accepted.
    }
    ++i;
  }
  // Symbols are sorted, so comparing symbol indices pair by pair orders
  // label sets as Compare(Labels) does.
  auto ref_less = [](const index_format::LabelRef& a,
                     const index_format::LabelRef& b) {
    return a.name != b.name ? a.name < b.name : a.value < b.value;
  };
  if (!all_series_.empty() &&
      !std::lexicographical_compare(last_refs_.begin(), last_refs_.end(),
                                    refs_.begin(), refs_.end(), ref_less)) {
    std::string last;
    for (const auto& [name, value] : last_views_) {
      last += Cat(name, "=\"", value, "\" ");
    }
    return Status::InvalidArgument(
        Cat("out-of-order series ", labels.ToString(), " after ", last));
  }

  STRATA_RETURN_IF_ERROR(AddPadding(kSeriesAlignment));
  const uint64_t id = pos_ / kSeriesAlignment;
  if (id > std::numeric_limits<SeriesId>::max()) {
    return Fail(Status::ResourceExhausted("series offset exceeds 64 GiB"));
  }
  entry_.clear();
  index_format::EncodeSeriesBody(refs_, chunks, &entry_);
  std::string prefix;
  PutUvarint(&prefix, entry_.size());
  const uint32_t crc = crc32c::Value(entry_);
  PutBE32(&entry_, crc);
  STRATA_RETURN_IF_ERROR(Write(prefix));
  STRATA_RETURN_IF_ERROR(Write(entry_));

  const auto series_id = static_cast<SeriesId>(id);
  all_series_.push_back(series_id);
  last_views_.resize(refs_.size());
  for (size_t k = 0; k < refs_.size(); ++k) {
    if (keys_scratch_[k] == kSeriesEnd) {
      keys_scratch_[k] = KeyIndex(refs_[k]);
      last_views_[k] = {SymbolAt(refs_[k].name), SymbolAt(refs_[k].value)};
    }
    key_log_.push_back(keys_scratch_[k]);
  }
  key_log_.push_back(kSeriesEnd);
  std::swap(last_refs_, refs_);
  std::swap(last_keys_, keys_scratch_);
  last_chunk_ref_ = last_ref;
  return series_id;
}

uint32_t IndexWriter::KeyIndex(index_format::LabelRef ref) {
  ValueSlot& slot = value_slots_[ref.value];
  if (slot.name == ref.name) return slot.key;
  const auto next = static_cast<uint32_t>(keys_.size());
  if (slot.name == kSeriesEnd) {
    slot = {ref.name, next};
  } else {
    auto [it, inserted] =
        other_keys_.try_emplace(PostingsKeyOf(ref.name, ref.value), next);
    if (!inserted) return it->second;
  }
  keys_.push_back(ref);
  return next;
}

Status IndexWriter::Finish() {
  if (!error_.ok()) return error_;
  if (stage_ == Stage::kDone) {
    return Status::FailedPrecondition("Finish called twice");
  }
  if (stage_ == Stage::kStart) STRATA_RETURN_IF_ERROR(WriteSymbolTable());
  stage_ = Stage::kDone;

  // Sort the log into one array of lists (a counting sort by key index;
  // the log is in series order, so each list comes out sorted).
  const size_t num_keys = keys_.size();
  std::vector<uint64_t> start(num_keys + 1, 0);
  for (uint32_t k : key_log_) {
    if (k != kSeriesEnd) ++start[k + 1];
  }
  for (size_t k = 0; k < num_keys; ++k) start[k + 1] += start[k];
  std::vector<SeriesId> lists(start[num_keys]);
  {
    std::vector<uint64_t> next(start.begin(), start.end() - 1);
    size_t series = 0;
    for (uint32_t k : key_log_) {
      if (k == kSeriesEnd) {
        ++series;
      } else {
        lists[next[k]++] = all_series_[series];
      }
    }
  }
  key_log_ = {};
  value_slots_ = {};
  other_keys_ = {};

  // Symbols are sorted, so ordering by symbol index orders the label pairs
  // by name, then value, as the format requires.
  std::vector<PostingsKey> keys;
  keys.reserve(num_keys);
  for (size_t k = 0; k < num_keys; ++k) {
    keys.push_back({keys_[k].name, keys_[k].value,
                    std::span<const SeriesId>(lists.data() + start[k],
                                              start[k + 1] - start[k])});
  }
  std::sort(
      keys.begin(), keys.end(), [](const PostingsKey& a, const PostingsKey& b) {
        return PostingsKeyOf(a.name, a.value) < PostingsKeyOf(b.name, b.value);
      });

  toc_.label_indices = pos_;
  std::vector<LabelIndexOffset> label_index_offsets;
  STRATA_RETURN_IF_ERROR(WriteLabelIndices(keys, &label_index_offsets));

  // As in Prometheus, the TOC points before the alignment padding.
  toc_.postings = pos_;
  std::vector<uint64_t> postings_offsets;
  STRATA_RETURN_IF_ERROR(WritePostings(keys, &postings_offsets));

  toc_.label_indices_table = pos_;
  STRATA_RETURN_IF_ERROR(WriteLabelOffsetTable(label_index_offsets));

  toc_.postings_table = pos_;
  STRATA_RETURN_IF_ERROR(WritePostingsOffsetTable(keys, postings_offsets));

  std::string toc;
  toc_.EncodeTo(&toc);
  STRATA_RETURN_IF_ERROR(Write(toc));
  STRATA_RETURN_IF_ERROR(Flush());
  STRATA_RETURN_IF_ERROR(Fail(file_->Sync()));
  Status s = file_->Close();
  file_.reset();
  return Fail(std::move(s));
}

Status IndexWriter::WriteLabelIndices(std::span<const PostingsKey> keys,
                                      std::vector<LabelIndexOffset>* offsets) {
  std::string b;
  for (size_t begin = 0; begin < keys.size();) {
    size_t end = begin;
    while (end < keys.size() && keys[end].name == keys[begin].name) ++end;
    STRATA_RETURN_IF_ERROR(AddPadding(kListAlignment));
    offsets->push_back({keys[begin].name, pos_});
    const uint64_t n = end - begin;
    b.clear();
    PutBE32(&b, 1);  // Names per entry.
    PutBE32(&b, static_cast<uint32_t>(n));
    for (size_t i = begin; i < end; ++i) PutBE32(&b, keys[i].value);
    STRATA_RETURN_IF_ERROR(WriteSectionLength(b.size(), "label index"));
    PutBE32(&b, crc32c::Value(b));
    STRATA_RETURN_IF_ERROR(Write(b));
    begin = end;
  }
  return Status::OK();
}

Status IndexWriter::WritePostings(std::span<const PostingsKey> keys,
                                  std::vector<uint64_t>* offsets) {
  offsets->reserve(keys.size() + 1);
  STRATA_RETURN_IF_ERROR(AddPadding(kListAlignment));
  offsets->push_back(pos_);
  STRATA_RETURN_IF_ERROR(WritePostingsList(all_series_));
  for (const PostingsKey& k : keys) {
    // Lists are whole words, so this never pads; kept for the format's sake.
    STRATA_RETURN_IF_ERROR(AddPadding(kListAlignment));
    offsets->push_back(pos_);
    STRATA_RETURN_IF_ERROR(WritePostingsList(k.ids));
  }
  return Status::OK();
}

Status IndexWriter::WritePostingsList(std::span<const SeriesId> ids) {
  const uint64_t length = 4 + 4 * uint64_t{ids.size()};
  STRATA_RETURN_IF_ERROR(WriteSectionLength(length, "postings list"));
  entry_.clear();
  entry_.resize(length + kCrcSize);
  char* p = entry_.data();
  EncodeBE32(p, static_cast<uint32_t>(ids.size()));
  for (size_t i = 0; i < ids.size(); ++i) EncodeBE32(p + 4 + 4 * i, ids[i]);
  EncodeBE32(p + length,
             crc32c::Value(std::string_view(entry_).substr(0, length)));
  return Write(entry_);
}

Status IndexWriter::WriteLabelOffsetTable(
    std::span<const LabelIndexOffset> offsets) {
  std::string body;
  PutBE32(&body, static_cast<uint32_t>(offsets.size()));
  for (const LabelIndexOffset& o : offsets) {
    PutUvarint(&body, index_format::kLabelIndexKeyCount);
    PutLengthPrefixed(&body, SymbolAt(o.name));
    PutUvarint(&body, o.offset);
  }
  STRATA_RETURN_IF_ERROR(WriteSectionLength(body.size(), "label offset table"));
  PutBE32(&body, crc32c::Value(body));
  return Write(body);
}

Status IndexWriter::WritePostingsOffsetTable(
    std::span<const PostingsKey> keys, std::span<const uint64_t> offsets) {
  // Streamed, since it can be large: the length first, then the entries
  // with a running CRC.
  auto entry_size = [](std::string_view name, std::string_view value,
                       uint64_t offset) -> uint64_t {
    return UvarintLength(index_format::kPostingsKeyCount) +
           UvarintLength(name.size()) + name.size() +
           UvarintLength(value.size()) + value.size() + UvarintLength(offset);
  };
  uint64_t length = 4 + entry_size("", "", offsets[0]);
  for (size_t i = 0; i < keys.size(); ++i) {
    length += entry_size(SymbolAt(keys[i].name), SymbolAt(keys[i].value),
                         offsets[i + 1]);
  }
  STRATA_RETURN_IF_ERROR(WriteSectionLength(length, "postings offset table"));

  std::string b;
  PutBE32(&b, static_cast<uint32_t>(keys.size() + 1));
  auto put_entry = [&b](std::string_view name, std::string_view value,
                        uint64_t offset) {
    PutUvarint(&b, index_format::kPostingsKeyCount);
    PutLengthPrefixed(&b, name);
    PutLengthPrefixed(&b, value);
    PutUvarint(&b, offset);
  };
  put_entry(index_format::kAllPostingsName, index_format::kAllPostingsValue,
            offsets[0]);
  uint32_t crc = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    put_entry(SymbolAt(keys[i].name), SymbolAt(keys[i].value), offsets[i + 1]);
    if (b.size() >= kFlushThreshold) {
      crc = crc32c::Extend(crc, b);
      STRATA_RETURN_IF_ERROR(Write(b));
      b.clear();
    }
  }
  crc = crc32c::Extend(crc, b);
  PutBE32(&b, crc);
  return Write(b);
}

}  // namespace strata
