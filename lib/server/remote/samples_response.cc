#include "server/remote/samples_response.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "snappy-sinksource.h"
#include "snappy.h"
#include "util/coding.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// Tags (field number << 3 | wire type) of the fields written, from
// proto/prometheus/{remote,types}.proto. Every message here has its
// repeated or string field 1 as LEN, so 0x0a serves for several.
constexpr char kTagField1Len = 0x0a;        // results, timeseries, labels, name
constexpr char kTagField2Len = 0x12;        // TimeSeries.samples, Label.value
constexpr char kTagSampleValue = 0x09;      // Sample.value, fixed64
constexpr char kTagSampleTimestamp = 0x10;  // Sample.timestamp, varint

// Encoded pieces grow to this size; the last one of a query may be smaller.
constexpr size_t kMaxPieceBytes = 1 << 20;
constexpr size_t kMinPieceBytes = 4 << 10;

void PutLenField(std::string* out, char tag, std::string_view data) {
  out->push_back(tag);
  PutUvarint(out, data.size());
  out->append(data);
}

// A Sample message, as proto3 writes it: zero fields are left out.
void PutSample(std::string* out, int64_t t, double v) {
  const uint64_t bits = DoubleBits(v);
  const auto ts = static_cast<uint64_t>(t);
  const size_t size =
      (bits != 0 ? 9 : 0) + (t != 0 ? 1 + UvarintLength(ts) : 0);
  out->push_back(kTagField2Len);
  PutUvarint(out, size);
  if (bits != 0) {
    out->push_back(kTagSampleValue);
    for (int i = 0; i < 8; ++i)
      out->push_back(static_cast<char>(bits >> (8 * i)));
  }
  if (t != 0) {
    out->push_back(kTagSampleTimestamp);
    PutUvarint(out, ts);
  }
}

// Reads the pieces in order, freeing each (and its budget) once consumed.
class PiecesSource : public snappy::Source {
 public:
  PiecesSource(std::vector<std::string>* pieces, MemoryBudget* budget)
      : pieces_(pieces), budget_(budget) {
    for (const std::string& p : *pieces_) remaining_ += p.size();
    SkipEmpty();
  }

  size_t Available() const override { return remaining_; }

  const char* Peek(size_t* len) override {
    if (index_ == pieces_->size()) {
      *len = 0;
      return nullptr;
    }
    const std::string& piece = (*pieces_)[index_];
    *len = piece.size() - offset_;
    return piece.data() + offset_;
  }

  void Skip(size_t n) override {
    remaining_ -= n;
    offset_ += n;
    SkipEmpty();
  }

 private:
  void SkipEmpty() {
    while (index_ < pieces_->size() && offset_ == (*pieces_)[index_].size()) {
      std::string& done = (*pieces_)[index_];
      budget_->Add(-static_cast<int64_t>(done.capacity()));
      std::string().swap(done);
      ++index_;
      offset_ = 0;
    }
  }

  std::vector<std::string>* const pieces_;
  MemoryBudget* const budget_;
  size_t index_ = 0;
  size_t offset_ = 0;
  size_t remaining_ = 0;
};

// Writes compressed output to the client; the first error sticks.
class WriterSink : public snappy::Sink {
 public:
  explicit WriterSink(BodyWriter* writer) : writer_(writer) {}

  void Append(const char* data, size_t n) override {
    if (status_.ok()) status_ = writer_->Write(std::string_view(data, n));
  }

  const Status& status() const { return status_; }

 private:
  BodyWriter* const writer_;
  Status status_;
};

}  // namespace

Status SamplesResponse::Charge(int64_t bytes) {
  if (budget_->Add(bytes)) return Status::OK();
  const bool pool =
      budget_->exceeded_reason() == MemoryBudget::Exceeded::kPoolLimit;
  return Status::ResourceExhausted(Cat(
      "remote read would use too much memory: ",
      pool ? "the queries and remote reads running at once would hold more "
             "than "
           : "the response would hold more than ",
      pool ? budget_->pool()->limit() : budget_->limit(),
      pool ? " bytes (--query.max-total-memory-bytes)"
           : " bytes (--storage.remote.read-max-memory-bytes); select fewer "
             "series or a shorter range, or use STREAMED_XOR_CHUNKS"));
}

void SamplesResponse::BeginQuery() { queries_.emplace_back(); }

size_t SamplesResponse::size() const {
  size_t n = 0;
  for (const Query& q : queries_) n += 1 + UvarintLength(q.size) + q.size;
  return n;
}

Status SamplesResponse::AddSeries(const Labels& labels, SampleIterator& it) {
  STRATA_RETURN_IF_ERROR(EncodeSeries(labels, it));
  std::string header(1, kTagField1Len);
  PutUvarint(&header, scratch_.size());
  STRATA_RETURN_IF_ERROR(Append(header));
  return Append(scratch_);
}

Status SamplesResponse::EncodeSeries(const Labels& labels, SampleIterator& it) {
  scratch_.clear();
  std::string label;
  for (const Label& l : labels) {
    label.clear();
    PutLenField(&label, kTagField1Len, l.name);
    PutLenField(&label, kTagField2Len, l.value);
    if (scratch_.size() + label.size() + kMaxVarintBytes >
        scratch_.capacity()) {
      const size_t want = std::max(2 * scratch_.capacity(),
                                   scratch_.size() + label.size() + 64);
      STRATA_RETURN_IF_ERROR(
          Charge(static_cast<int64_t>(want - scratch_.capacity())));
      scratch_.reserve(want);
    }
    PutLenField(&scratch_, kTagField1Len, label);
  }
  // A sample takes at most 2 + 9 + 11 bytes.
  constexpr size_t kMaxSampleBytes = 22;
  // As Prometheus 2.42's ToQueryResult: floats up to the series' first
  // native histogram (prompb samples cannot hold one; 2.42 stops there).
  while (it.Next() && it.value_type() == SampleValueType::kFloat) {
    if (sample_limit_ > 0 && ++samples_ > sample_limit_) {
      return Status::InvalidArgument(
          Cat("exceeded sample limit (", sample_limit_, ")"));
    }
    if (scratch_.size() + kMaxSampleBytes > scratch_.capacity()) {
      const size_t want = std::max<size_t>(2 * scratch_.capacity(), 1024);
      STRATA_RETURN_IF_ERROR(
          Charge(static_cast<int64_t>(want - scratch_.capacity())));
      scratch_.reserve(want);
    }
    PutSample(&scratch_, it.t(), it.v());
  }
  return it.status();
}

Status SamplesResponse::Append(std::string_view data) {
  Query& q = queries_.back();
  q.size += data.size();
  while (!data.empty()) {
    if (q.pieces.empty() ||
        q.pieces.back().size() == q.pieces.back().capacity()) {
      const size_t last = q.pieces.empty() ? 0 : q.pieces.back().capacity();
      const size_t capacity =
          std::clamp(2 * last, kMinPieceBytes, kMaxPieceBytes);
      STRATA_RETURN_IF_ERROR(Charge(static_cast<int64_t>(capacity)));
      q.pieces.emplace_back();
      q.pieces.back().reserve(capacity);
    }
    std::string& piece = q.pieces.back();
    const size_t n = std::min(data.size(), piece.capacity() - piece.size());
    piece.append(data.substr(0, n));
    data.remove_prefix(n);
  }
  return Status::OK();
}

Status SamplesResponse::Write(BodyWriter* writer) {
  // The ReadResponse: each QueryResult's tag and length, then its pieces.
  std::vector<std::string> pieces;
  for (Query& q : queries_) {
    std::string header(1, kTagField1Len);
    PutUvarint(&header, q.size);
    pieces.push_back(std::move(header));
    for (std::string& p : q.pieces) pieces.push_back(std::move(p));
    q.pieces.clear();
  }
  PiecesSource source(&pieces, budget_);
  WriterSink sink(writer);
  snappy::Compress(&source, &sink);
  return sink.status();
}

}  // namespace strata::server
