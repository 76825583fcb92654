// SamplesResponse: the SAMPLES answer of remote read (a snappy-compressed
// prometheus.ReadResponse), encoded straight into its wire form.
//
// Building the protobuf message tree first cost about 95 bytes per sample
// (message objects, then the serialized copy, then the compressed copy).
// Here each series is encoded once into pieces of at most 1 MiB (about 20
// bytes per sample, labels included), and compression reads the pieces in
// order, releasing each once read, and writes its output straight to the
// client: the uncompressed encoding is the only copy of the whole answer.
//
//   SamplesResponse r(&budget, sample_limit);
//   for each query: r.BeginQuery(); for each series: r.AddSeries(...);
//   r.Write(body_writer);
//
// Every byte held (pieces, the per-series scratch) is charged to a
// MemoryBudget first, so an answer over budget is refused before it is
// built.
//
// Thread-safety: one request's, used by one thread at a time.
#ifndef STRATA_SERVER_REMOTE_SAMPLES_RESPONSE_H_
#define STRATA_SERVER_REMOTE_SAMPLES_RESPONSE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "server/http/http.h"
#include "strata/labels.h"
#include "strata/querier.h"
#include "strata/status.h"
#include "util/memory_budget.h"

namespace strata::server {

class SamplesResponse {
 public:
  // `budget` (not owned) must outlive this. `sample_limit`: most samples
  // over all queries; 0 means none.
  SamplesResponse(MemoryBudget* budget, int64_t sample_limit)
      : budget_(budget), sample_limit_(sample_limit) {}

  // Starts the QueryResult of the next query (one per query, even empty).
  void BeginQuery();
  // Appends a TimeSeries with every sample of `it` (stale markers
  // included). InvalidArgument "exceeded sample limit (N)" past the sample
  // limit; ResourceExhausted when the budget refuses; the iterator's error.
  Status AddSeries(const Labels& labels, SampleIterator& it);

  int64_t samples() const { return samples_; }
  // Bytes of the uncompressed ReadResponse.
  size_t size() const;

  // Writes the snappy-compressed ReadResponse to `writer`, releasing the
  // encoded pieces as compression passes them. Call once.
  Status Write(BodyWriter* writer);

 private:
  struct Query {
    std::vector<std::string> pieces;
    size_t size = 0;
  };

  // Appends `data` to the current query's pieces, charging new pieces.
  Status Append(std::string_view data);
  // Encodes the labels and samples of one series into scratch_.
  Status EncodeSeries(const Labels& labels, SampleIterator& it);
  Status Charge(int64_t bytes);

  MemoryBudget* const budget_;
  const int64_t sample_limit_;
  int64_t samples_ = 0;
  std::vector<Query> queries_;
  std::string scratch_;  // One TimeSeries message.
};

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_SAMPLES_RESPONSE_H_
