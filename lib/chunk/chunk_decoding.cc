#include "chunk/chunk_decoding.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "chunk/dense_chunk.h"
#include "chunk/dense_format.h"
#include "chunk/encoding.h"
#include "chunk/float_histogram_iterator.h"
#include "chunk/histogram_iterator.h"
#include "chunk/xor_chunk.h"

namespace strata::chunk {
namespace {

constexpr uint8_t kXorByte = static_cast<uint8_t>(Encoding::kXor);
constexpr uint8_t kDenseByte = static_cast<uint8_t>(Encoding::kDense);
// Prometheus 2.42's histogram chunks: only their count header is read.
constexpr uint8_t kHistogramByte = 2;
constexpr uint8_t kFloatHistogramByte = 3;

constexpr char kUnknownEncoding[] = "unsupported chunk encoding";
constexpr char kBadDenseCount[] = "dense chunk: bad sample count";
constexpr char kHistogramAsFloats[] = "histogram chunk read as float samples";

// Decodes a whole histogram chunk into ts and values; null or the
// iterator's (static) error, with the samples before it kept.
template <typename Iterator, typename Value>
const char* DecodeHistograms(std::string_view data, std::vector<int64_t>* ts,
                             std::vector<Value>* values) {
  Iterator it(data);
  while (it.Next()) {
    ts->push_back(it.t());
    values->push_back(it.At());
  }
  return it.error() ? it.error_message() : nullptr;
}

}  // namespace

int ChunkNumSamples(uint8_t encoding, std::string_view data) {
  switch (encoding) {
    case kXorByte:
    case kHistogramByte:
    case kFloatHistogramByte:
      return XorNumSamples(data);
    case kDenseByte:
      return DenseNumSamples(data);
    default:
      return -1;
  }
}

void ChunkSampleIterator::Reset(uint8_t encoding, std::string_view data) {
  error_ = nullptr;
  pos_ = 0;
  ts_.clear();
  vs_.clear();
  hs_.clear();
  fhs_.clear();
  encoding_ = encoding;
  dense_ = encoding == kDenseByte;
  if (encoding == kXorByte) {
    xor_.Reset(data);
    return;
  }
  // XOR state off: an exhausted iterator, so error() reads only error_.
  xor_ = XorIterator();
  if (encoding == kHistogramByte || encoding == kFloatHistogramByte) {
    dense_ = true;  // Served from ts_ like a dense chunk.
    error_ = encoding == kHistogramByte
                 ? DecodeHistograms<HistogramIterator>(data, &ts_, &hs_)
                 : DecodeHistograms<FloatHistogramIterator>(data, &ts_, &fhs_);
    vs_.assign(ts_.size(), 0.0);  // Never read as values (v() is 0).
    return;
  }
  if (!dense_) {
    dense_ = true;  // No samples, served by the (empty) dense buffers.
    error_ = kUnknownEncoding;
    return;
  }
  const int n = DenseNumSamples(data);
  if (n < 0) {
    error_ = kBadDenseCount;
    return;
  }
  ts_.resize(static_cast<size_t>(n));
  vs_.resize(static_cast<size_t>(n));
  error_ = DecodeDenseChunk(data, ts_, vs_);
  if (error_ != nullptr) {
    ts_.clear();
    vs_.clear();
  }
}

bool ChunkSampleIterator::Seek(int64_t t) {
  if (!dense_) return xor_.Seek(t);
  if (pos_ > 0 && ts_[pos_ - 1] >= t) return true;
  while (pos_ < ts_.size()) {
    if (ts_[pos_++] >= t) return true;
  }
  return false;
}

size_t ChunkSampleIterator::NextBatch(int64_t* ts, double* vs, size_t max) {
  if (!dense_) return xor_.NextBatch(ts, vs, max);
  if (IsHistogramEncoding(encoding_)) {
    error_ = kHistogramAsFloats;
    return 0;
  }
  const size_t n = std::min(max, ts_.size() - pos_);
  std::memcpy(ts, ts_.data() + pos_, n * sizeof(int64_t));
  std::memcpy(vs, vs_.data() + pos_, n * sizeof(double));
  pos_ += n;
  return n;
}

const Histogram& ChunkSampleIterator::histogram() const {
  static const Histogram kEmpty;
  if (encoding_ != kHistogramByte || pos_ == 0) return kEmpty;
  return hs_[pos_ - 1];
}

FloatHistogram ChunkSampleIterator::float_histogram() const {
  if (pos_ == 0) return {};
  if (encoding_ == kHistogramByte) return ToFloatHistogram(hs_[pos_ - 1]);
  if (encoding_ == kFloatHistogramByte) return fhs_[pos_ - 1];
  return {};
}

ChunkSummary SummarizeChunk(uint8_t encoding, std::string_view data) {
  ChunkSummary s;
  ChunkSampleIterator it;
  it.Reset(encoding, data);
  while (it.Next()) {
    if (s.num_samples > 0 && it.t() <= s.last) s.increasing = false;
    if (s.num_samples == 0) s.first = it.t();
    s.last = it.t();
    ++s.num_samples;
  }
  if (it.error()) s.error = it.error_message();
  return s;
}

const char* DecodeChunk(uint8_t encoding, std::string_view data,
                        std::vector<int64_t>* ts, std::vector<double>* vs) {
  ChunkSampleIterator it;
  it.Reset(encoding, data);
  const size_t start = ts->size();
  const int n = std::max(0, ChunkNumSamples(encoding, data));
  ts->resize(start + static_cast<size_t>(n));
  vs->resize(start + static_cast<size_t>(n));
  const size_t got = it.NextBatch(ts->data() + start, vs->data() + start,
                                  static_cast<size_t>(n));
  ts->resize(start + got);
  vs->resize(start + got);
  if (it.error()) return it.error_message().data();
  if (got != static_cast<size_t>(n)) return "chunk: fewer samples than stated";
  return nullptr;
}

std::string EncodeXorChunk(std::span<const int64_t> ts,
                           std::span<const double> vs) {
  XorChunk c;
  std::optional<XorAppender> app = c.NewAppender();
  for (size_t i = 0; i < ts.size(); ++i) app->Append(ts[i], vs[i]);
  return std::string(c.Bytes());
}

EncodedChunk EncodeColdChunk(std::span<const int64_t> ts,
                             std::span<const double> vs,
                             std::string_view xor_data) {
  if (!ts.empty() && ts.size() <= dense_format::kMaxSamples) {
    std::string dense = EncodeDenseChunk(ts, vs);
    if (dense.size() < xor_data.size()) return {kDenseByte, std::move(dense)};
  }
  return {kXorByte, std::string(xor_data)};
}

}  // namespace strata::chunk
