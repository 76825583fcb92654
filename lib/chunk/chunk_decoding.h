// The one place where a stored chunk's encoding byte is dispatched: every
// reader of block chunks (queries, compaction, remote read, verify, dump)
// decodes through ChunkSampleIterator or the functions here, so a new
// encoding is added here and nowhere else. Encodings: XOR (Prometheus's,
// xor_iterator.h), dense (Strata's cold-block chunk, dense_chunk.h) and
// Prometheus's native histogram chunks (2: histogram_iterator.h, 3:
// float_histogram_iterator.h), whose samples are histograms, never floats:
// ChunkSampleIterator yields them through histogram()/float_histogram(),
// and the float-only paths (NextBatch, DecodeChunk) refuse them with an
// error rather than reinterpret them.
//
// Like the codecs below it, nothing here throws or reads outside the given
// bytes: unknown encodings and corrupt data are reported as errors.
//
// Thread-safety: the functions are stateless; one thread per iterator.
#ifndef STRATA_CHUNK_CHUNK_DECODING_H_
#define STRATA_CHUNK_CHUNK_DECODING_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chunk/encoding.h"
#include "chunk/histogram.h"
#include "chunk/xor_iterator.h"

namespace strata::chunk {

// The sample count a chunk's header states, or -1 if the encoding is
// unknown or the header unreadable. Histogram chunks (2, 3) share XOR's
// 2-byte count header, so callers that only count them may pass them.
int ChunkNumSamples(uint8_t encoding, std::string_view data);

// Whether readers can decode chunks of this encoding: IsSupportedEncoding
// (the float encodings) and the histogram encodings 2 and 3.
inline constexpr bool IsReadableEncoding(uint8_t e) {
  return IsSupportedEncoding(e) ||
         e == static_cast<uint8_t>(Encoding::kHistogram) ||
         e == static_cast<uint8_t>(Encoding::kFloatHistogram);
}
inline constexpr bool IsHistogramEncoding(uint8_t e) {
  return e == static_cast<uint8_t>(Encoding::kHistogram) ||
         e == static_cast<uint8_t>(Encoding::kFloatHistogram);
}

// Iterates the samples of one chunk of any supported encoding, with
// XorIterator's interface and semantics (Seek never moves backwards; an
// error ends iteration after the samples before it). Dense chunks are
// decoded whole on Reset (a dense chunk has no sample-by-sample form), into
// buffers the iterator keeps across Resets; so are histogram chunks.
class ChunkSampleIterator {
 public:
  ChunkSampleIterator() = default;

  // Starts over on `data` (not owned; must outlive the use). An unsupported
  // encoding or an undecodable dense chunk gives an iterator with no
  // samples and error() set.
  void Reset(uint8_t encoding, std::string_view data);

  bool Next() {
    if (!dense_) [[likely]] {
      return xor_.Next();
    }
    if (pos_ >= ts_.size()) return false;
    ++pos_;
    return true;
  }
  // Advances to the first sample with timestamp >= t (see XorIterator).
  bool Seek(int64_t t);
  // Up to `max` further samples into ts/vs (see XorIterator::NextBatch).
  // A histogram chunk gives none and sets error().
  size_t NextBatch(int64_t* ts, double* vs, size_t max);

  // The chunk's encoding byte (as given to Reset).
  uint8_t encoding() const { return encoding_; }
  // The current sample of a histogram chunk (encoding 2 or 3); empty
  // otherwise. float_histogram() converts an integer one
  // (ToFloatHistogram).
  const Histogram& histogram() const;
  FloatHistogram float_histogram() const;

  int64_t t() const { return dense_ ? ts_[pos_ - 1] : xor_.t(); }
  double v() const { return dense_ ? vs_[pos_ - 1] : xor_.v(); }
  int num_read() const {
    return dense_ ? static_cast<int>(pos_) : xor_.num_read();
  }

  bool error() const { return error_ != nullptr || xor_.error(); }
  // Empty when there is no error.
  std::string_view error_message() const {
    if (error_ != nullptr) return error_;
    return xor_.error_message();
  }

 private:
  bool dense_ = false;
  XorIterator xor_;
  // A dense chunk's samples; pos_ of them returned so far.
  std::vector<int64_t> ts_;
  std::vector<double> vs_;
  // A histogram chunk's samples (one of the two, by encoding_).
  std::vector<Histogram> hs_;
  std::vector<FloatHistogram> fhs_;
  uint8_t encoding_ = 0;
  size_t pos_ = 0;
  const char* error_ = nullptr;  // Static string; null when OK.
};

// What a whole chunk holds, for verification.
struct ChunkSummary {
  int64_t num_samples = 0;  // Decoded before any error.
  int64_t first = 0;        // Timestamps of the first and last sample.
  int64_t last = 0;
  bool increasing = true;  // Every timestamp above the one before.
  std::string_view error;  // Empty unless decoding failed.
};

// Decodes the whole chunk.
ChunkSummary SummarizeChunk(uint8_t encoding, std::string_view data);

// Appends every sample of the chunk to ts and vs. Null, or a static error
// message (unknown encoding, corrupt data); samples before an error may
// have been appended.
const char* DecodeChunk(uint8_t encoding, std::string_view data,
                        std::vector<int64_t>* ts, std::vector<double>* vs);

// The XOR chunk (bytes as Prometheus 2.42 writes them) for the samples.
std::string EncodeXorChunk(std::span<const int64_t> ts,
                           std::span<const double> vs);

// A chunk as it will be stored: encoding byte and data.
struct EncodedChunk {
  uint8_t encoding = 0;
  std::string data;
};

// The cold-block choice for samples already held as the XOR chunk
// `xor_data`: the dense chunk if it is smaller, else XOR (the per-chunk
// fallback; FORMAT.md, "Dense chunks in blocks").
EncodedChunk EncodeColdChunk(std::span<const int64_t> ts,
                             std::span<const double> vs,
                             std::string_view xor_data);

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_CHUNK_DECODING_H_
