#include "db/head_snapshot_format.h"

#include <charconv>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "chunk/chunk_decoding.h"
#include "util/coding.h"
#include "wal/checkpoint.h"
#include "wal/histogram_record.h"

namespace strata::snapshot {
namespace {

constexpr std::string_view kMagic = "strata-head-snapshot";

Status Truncated(std::string_view what) {
  return Status::Corruption(
      absl::StrCat("head snapshot: truncated ", std::string(what)));
}

bool ParseDecimal(std::string_view s, int64_t* v) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && end == s.data() + s.size() && *v >= 0;
}

void PutChunk(const SeriesChunkView& c, std::string* dst) {
  PutBE64(dst, static_cast<uint64_t>(c.mint));
  PutBE64(dst, static_cast<uint64_t>(c.maxt));
  PutLengthPrefixed(dst, c.bytes);
}

bool GetChunk(std::string_view* in, SeriesChunkView* c) {
  uint64_t mint, maxt;
  if (!GetBE64(in, &mint) || !GetBE64(in, &maxt) ||
      !GetLengthPrefixed(in, &c->bytes)) {
    return false;
  }
  c->mint = static_cast<int64_t>(mint);
  c->maxt = static_cast<int64_t>(maxt);
  return true;
}

// A completed chunk of a kSeriesWithRefs record: a kind byte, then the
// chunk as PutChunk writes it or its mint, maxt, ref and sample count; a
// kSeriesWithEncodings record has the chunk's encoding byte after the
// kind byte.
constexpr uint8_t kInlineChunk = 0;
constexpr uint8_t kChunkRef = 1;

void PutClosedChunk(const SeriesChunkView& c, std::string* dst) {
  dst->push_back(static_cast<char>(c.disk_ref == 0 ? kInlineChunk : kChunkRef));
  dst->push_back(static_cast<char>(c.encoding));
  if (c.disk_ref == 0) {
    PutChunk(c, dst);
    return;
  }
  PutBE64(dst, static_cast<uint64_t>(c.mint));
  PutBE64(dst, static_cast<uint64_t>(c.maxt));
  PutBE64(dst, c.disk_ref);
  PutUvarint(dst, c.samples);
}

bool IsChunkEncoding(uint8_t e) {
  return e == static_cast<uint8_t>(chunk::Encoding::kXor) ||
         chunk::IsHistogramEncoding(e);
}

bool GetClosedChunk(std::string_view* in, bool with_encoding,
                    SeriesChunkView* c) {
  uint8_t kind;
  if (!GetByte(in, &kind)) return false;
  c->encoding = static_cast<uint8_t>(chunk::Encoding::kXor);
  if (with_encoding &&
      (!GetByte(in, &c->encoding) || !IsChunkEncoding(c->encoding))) {
    return false;
  }
  if (kind == kInlineChunk) {
    c->disk_ref = 0;
    return GetChunk(in, c);
  }
  uint64_t mint, maxt, samples;
  if (kind != kChunkRef || !GetBE64(in, &mint) || !GetBE64(in, &maxt) ||
      !GetBE64(in, &c->disk_ref) || c->disk_ref == 0 ||
      !GetUvarint(in, &samples) || samples > UINT16_MAX) {
    return false;
  }
  c->samples = static_cast<uint16_t>(samples);
  c->mint = static_cast<int64_t>(mint);
  c->maxt = static_cast<int64_t>(maxt);
  c->bytes = {};
  return true;
}

void PutXorState(const chunk::XorChunk::AppendState& a, std::string* dst) {
  PutBE64(dst, static_cast<uint64_t>(a.t));
  PutBE64(dst, a.v_bits);
  PutBE64(dst, a.t_delta);
  PutUvarint(dst, a.num);
  dst->push_back(static_cast<char>(a.leading));
  dst->push_back(static_cast<char>(a.trailing));
  dst->push_back(static_cast<char>(a.free_bits));
}

bool GetXorState(std::string_view* in, chunk::XorChunk::AppendState* a) {
  uint64_t t, num;
  if (!GetBE64(in, &t) || !GetBE64(in, &a->v_bits) ||
      !GetBE64(in, &a->t_delta) || !GetUvarint(in, &num) || num > UINT16_MAX ||
      !GetByte(in, &a->leading) || !GetByte(in, &a->trailing) ||
      !GetByte(in, &a->free_bits)) {
    return false;
  }
  a->t = static_cast<int64_t>(t);
  a->num = static_cast<uint16_t>(num);
  return true;
}

// Version 3's open chunk: its encoding byte (0: none), the chunk, then the
// XOR encoder state or the histogram chunk's windows.
void PutOpenChunk(const SeriesStateView& state, std::string* dst) {
  if (!state.has_open) {
    dst->push_back(0);
    return;
  }
  dst->push_back(static_cast<char>(state.open.encoding));
  PutChunk(state.open, dst);
  if (state.open.encoding == static_cast<uint8_t>(chunk::Encoding::kXor)) {
    PutXorState(state.open_state, dst);
    return;
  }
  PutUvarint(dst, state.open_windows.size());
  for (const chunk::XorWindow& w : state.open_windows) {
    dst->push_back(static_cast<char>(w.leading));
    dst->push_back(static_cast<char>(w.trailing));
  }
}

bool GetOpenChunk(std::string_view* in, SeriesStateView* state) {
  uint8_t encoding;
  if (!GetByte(in, &encoding)) return false;
  state->has_open = encoding != 0;
  state->open.disk_ref = 0;
  state->open.encoding = encoding;
  if (!state->has_open) return true;
  if (!IsChunkEncoding(encoding) || !GetChunk(in, &state->open)) return false;
  if (encoding == static_cast<uint8_t>(chunk::Encoding::kXor)) {
    return GetXorState(in, &state->open_state);
  }
  uint64_t n;
  if (!GetUvarint(in, &n) || n > in->size() / 2) return false;
  state->open_windows.resize(n);
  for (chunk::XorWindow& w : state->open_windows) {
    if (!GetByte(in, &w.leading) || !GetByte(in, &w.trailing)) return false;
  }
  return true;
}

// Version 3's newest sample: its kind (SampleValueType), and a histogram's
// value as a WAL record 7 or 8 of that one sample (ref: the series id, t:
// max_time), length-prefixed.
void PutNewest(uint64_t id, const SeriesStateView& state, std::string* dst) {
  dst->push_back(static_cast<char>(state.last_type));
  std::string record;
  switch (state.last_type) {
    case SampleValueType::kFloat:
      return;
    case SampleValueType::kHistogram: {
      const wal::RefHistogramSample one{id, state.max_time, state.last_h};
      wal::EncodeHistogramSamples({&one, 1}, &record);
      break;
    }
    case SampleValueType::kFloatHistogram: {
      const wal::RefFloatHistogramSample one{id, state.max_time, state.last_fh};
      wal::EncodeFloatHistogramSamples({&one, 1}, &record);
      break;
    }
  }
  PutLengthPrefixed(dst, record);
}

template <typename Sample, typename Decode>
bool GetOneHistogram(std::string_view record, Decode decode,
                     decltype(Sample::t) max_time, Sample* out) {
  std::vector<Sample> samples;
  if (!decode(record, &samples).ok() || samples.size() != 1 ||
      samples[0].t != max_time) {
    return false;
  }
  *out = std::move(samples[0]);
  return true;
}

bool GetNewest(std::string_view* in, SeriesStateView* state) {
  uint8_t type;
  if (!GetByte(in, &type)) return false;
  state->last_type = static_cast<SampleValueType>(type);
  switch (state->last_type) {
    case SampleValueType::kFloat:
      return true;
    case SampleValueType::kHistogram: {
      std::string_view record;
      wal::RefHistogramSample one;
      if (!GetLengthPrefixed(in, &record) ||
          !GetOneHistogram(record, wal::DecodeHistogramSamples, state->max_time,
                           &one)) {
        return false;
      }
      state->last_h = std::move(one.h);
      return true;
    }
    case SampleValueType::kFloatHistogram: {
      std::string_view record;
      wal::RefFloatHistogramSample one;
      if (!GetLengthPrefixed(in, &record) ||
          !GetOneHistogram(record, wal::DecodeFloatHistogramSamples,
                           state->max_time, &one)) {
        return false;
      }
      state->last_fh = std::move(one.fh);
      return true;
    }
  }
  return false;
}

// The open chunk of versions 1 and 2: a has_open byte, then an XOR chunk
// and its encoder state.
bool GetOldOpenChunk(std::string_view* in, SeriesStateView* state) {
  uint8_t has_open;
  if (!GetByte(in, &has_open) || has_open > 1) return false;
  state->has_open = has_open == 1;
  state->open.disk_ref = 0;
  state->open.encoding = static_cast<uint8_t>(chunk::Encoding::kXor);
  state->last_type = SampleValueType::kFloat;
  return !state->has_open ||
         (GetChunk(in, &state->open) && GetXorState(in, &state->open_state));
}

}  // namespace

std::string DirName(const WalPosition& pos) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s%08d.%010lld", kDirPrefix, pos.segment,
                static_cast<long long>(pos.offset));
  return buf;
}

std::optional<WalPosition> ParseDirName(std::string_view name) {
  if (!name.starts_with(kDirPrefix)) return std::nullopt;
  name.remove_prefix(std::string_view(kDirPrefix).size());
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  int64_t segment, offset;
  if (!ParseDecimal(name.substr(0, dot), &segment) ||
      !ParseDecimal(name.substr(dot + 1), &offset) || segment > INT32_MAX) {
    return std::nullopt;
  }
  return WalPosition{static_cast<int>(segment), offset};
}

RecordType GetRecordType(std::string_view record) {
  if (record.empty()) return RecordType::kUnknown;
  switch (static_cast<RecordType>(record[0])) {
    case RecordType::kSeries:
    case RecordType::kSeriesWithRefs:
    case RecordType::kSeriesWithEncodings:
    case RecordType::kTombstones:
    case RecordType::kExemplars:
    case RecordType::kHeader:
    case RecordType::kFooter:
      return static_cast<RecordType>(record[0]);
    default:
      return RecordType::kUnknown;
  }
}

StatusOr<std::string> NewestCheckpointName(FileSystem* fs,
                                           const std::string& wal_dir) {
  STRATA_ASSIGN_OR_RETURN(std::string path, wal::LatestCheckpoint(fs, wal_dir));
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void EncodeHeader(const Header& h, std::string* dst) {
  dst->push_back(static_cast<char>(RecordType::kHeader));
  dst->append(kMagic);
  dst->push_back(static_cast<char>(h.version));
  PutBE64(dst, static_cast<uint64_t>(static_cast<int64_t>(h.position.segment)));
  PutBE64(dst, static_cast<uint64_t>(h.position.offset));
  PutLengthPrefixed(dst, h.checkpoint);
  PutBE64(dst, static_cast<uint64_t>(h.chunk_range_ms));
}

Status DecodeHeader(std::string_view in, Header* h) {
  if (GetRecordType(in) != RecordType::kHeader)
    return Status::Corruption("head snapshot: first record is not a header");
  in.remove_prefix(1);
  if (!in.starts_with(kMagic))
    return Status::Corruption("head snapshot: bad magic");
  in.remove_prefix(kMagic.size());
  if (!GetByte(&in, &h->version)) return Truncated("header");
  if (h->version < kOldestReadableVersion || h->version > kVersion) {
    return Status::Corruption(
        absl::StrCat("head snapshot: unknown version ", h->version));
  }
  uint64_t segment, offset, range;
  std::string_view checkpoint;
  if (!GetBE64(&in, &segment) || !GetBE64(&in, &offset) ||
      !GetLengthPrefixed(&in, &checkpoint) || !GetBE64(&in, &range)) {
    return Truncated("header");
  }
  h->position = {static_cast<int>(static_cast<int64_t>(segment)),
                 static_cast<int64_t>(offset)};
  h->checkpoint = std::string(checkpoint);
  h->chunk_range_ms = static_cast<int64_t>(range);
  return Status::OK();
}

void EncodeSeries(uint64_t id, const Labels& labels,
                  const SeriesStateView& state, std::string* dst) {
  dst->push_back(static_cast<char>(RecordType::kSeriesWithEncodings));
  PutBE64(dst, id);
  PutUvarint(dst, labels.size());
  for (const Label& l : labels) {
    PutLengthPrefixed(dst, l.name);
    PutLengthPrefixed(dst, l.value);
  }
  PutBE64(dst, static_cast<uint64_t>(state.max_time));
  PutBE64(dst, state.last_value_bits);
  PutBE64(dst, static_cast<uint64_t>(state.next_at));
  PutUvarint(dst, state.closed.size());
  for (const SeriesChunkView& c : state.closed) PutClosedChunk(c, dst);
  PutOpenChunk(state, dst);
  PutNewest(id, state, dst);
}

Status DecodeSeries(std::string_view in, uint64_t* id, Labels* labels,
                    SeriesStateView* state) {
  const RecordType type = GetRecordType(in);
  if (type != RecordType::kSeries && type != RecordType::kSeriesWithRefs &&
      type != RecordType::kSeriesWithEncodings) {
    return Status::Corruption("head snapshot: not a series record");
  }
  const bool v3 = type == RecordType::kSeriesWithEncodings;
  in.remove_prefix(1);
  uint64_t n;
  if (!GetBE64(&in, id) || !GetUvarint(&in, &n) || n > in.size())
    return Truncated("series");
  std::vector<Label> pairs;
  pairs.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view name, value;
    if (!GetLengthPrefixed(&in, &name) || !GetLengthPrefixed(&in, &value))
      return Truncated("series labels");
    if (!pairs.empty() && !(pairs.back().name < name))
      return Status::Corruption("head snapshot: series labels not sorted");
    pairs.push_back({std::string(name), std::string(value)});
  }
  *labels = Labels::FromUnchecked(std::move(pairs));
  uint64_t max_time, next_at, closed;
  if (!GetBE64(&in, &max_time) || !GetBE64(&in, &state->last_value_bits) ||
      !GetBE64(&in, &next_at) || !GetUvarint(&in, &closed) ||
      closed > in.size()) {
    return Truncated("series state");
  }
  state->max_time = static_cast<int64_t>(max_time);
  state->next_at = static_cast<int64_t>(next_at);
  state->closed.resize(closed);
  for (SeriesChunkView& c : state->closed) {
    c.disk_ref = 0;
    c.encoding = static_cast<uint8_t>(chunk::Encoding::kXor);
    const bool ok = type == RecordType::kSeries ? GetChunk(&in, &c)
                                                : GetClosedChunk(&in, v3, &c);
    if (!ok) return Truncated("series chunks");
  }
  if (!(v3 ? GetOpenChunk(&in, state) : GetOldOpenChunk(&in, state)))
    return Truncated("open chunk");
  if (v3 && !GetNewest(&in, state)) return Truncated("newest sample");
  if (!in.empty())
    return Status::Corruption("head snapshot: bytes after series record");
  return Status::OK();
}

void EncodeTombstones(std::span<const wal::Stone> stones, std::string* dst) {
  dst->push_back(static_cast<char>(RecordType::kTombstones));
  wal::EncodeTombstones(stones, dst);
}

Status DecodeTombstones(std::string_view record, std::vector<wal::Stone>* out) {
  if (GetRecordType(record) != RecordType::kTombstones)
    return Status::Corruption("head snapshot: not a tombstones record");
  record.remove_prefix(1);
  return wal::DecodeTombstones(record, out);
}

void EncodeExemplars(std::span<const wal::RefExemplar> exemplars,
                     std::string* dst) {
  dst->push_back(static_cast<char>(RecordType::kExemplars));
  wal::EncodeExemplars(exemplars, dst);
}

Status DecodeExemplars(std::string_view record,
                       std::vector<wal::RefExemplar>* out) {
  if (GetRecordType(record) != RecordType::kExemplars)
    return Status::Corruption("head snapshot: not an exemplars record");
  record.remove_prefix(1);
  return wal::DecodeExemplars(record, out);
}

void EncodeFooter(const Footer& f, std::string* dst) {
  dst->push_back(static_cast<char>(RecordType::kFooter));
  PutBE64(dst, f.series);
  PutBE64(dst, f.chunks);
  PutBE64(dst, f.tombstone_records);
}

Status DecodeFooter(std::string_view in, Footer* f) {
  if (GetRecordType(in) != RecordType::kFooter)
    return Status::Corruption("head snapshot: not a footer");
  in.remove_prefix(1);
  if (!GetBE64(&in, &f->series) || !GetBE64(&in, &f->chunks) ||
      !GetBE64(&in, &f->tombstone_records) || !in.empty()) {
    return Truncated("footer");
  }
  return Status::OK();
}

}  // namespace strata::snapshot
