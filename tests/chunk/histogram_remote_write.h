// The series of histogram_test_data.h as a remote write 1.0 request, as
// the golden tests send them to a live Prometheus 2.42 (chunks:
// tests/chunk/histogram_golden_test.cc; the API's JSON:
// tests/server/histogram_json_test.cc).
#ifndef STRATA_TESTS_CHUNK_HISTOGRAM_REMOTE_WRITE_H_
#define STRATA_TESTS_CHUNK_HISTOGRAM_REMOTE_WRITE_H_

#include <cstdint>
#include <string>
#include <utility>

#include "histogram_test_data.h"
#include "http_client/http_client.h"
#include "prometheus/remote.pb.h"
#include "snappy.h"

namespace strata::chunk::testing {

inline prometheus::TimeSeries* AddHistogramSeries(prometheus::WriteRequest* req,
                                                  const std::string& series) {
  prometheus::TimeSeries* ts = req->add_timeseries();
  prometheus::Label* name = ts->add_labels();
  name->set_name("__name__");
  name->set_value("golden_histogram");
  prometheus::Label* label = ts->add_labels();
  label->set_name("series");
  label->set_value(series);
  return ts;
}

// The fields both kinds share.
template <typename H>
prometheus::Histogram* AddHistogram(prometheus::TimeSeries* ts, int64_t t,
                                    const H& x) {
  prometheus::Histogram* h = ts->add_histograms();
  h->set_timestamp(t);
  h->set_sum(x.sum);
  h->set_schema(x.schema);
  h->set_zero_threshold(x.zero_threshold);
  h->set_reset_hint(
      static_cast<prometheus::Histogram::ResetHint>(x.counter_reset_hint));
  for (const HistogramSpan& sp : x.positive_spans) {
    prometheus::BucketSpan* b = h->add_positive_spans();
    b->set_offset(sp.offset);
    b->set_length(sp.length);
  }
  for (const HistogramSpan& sp : x.negative_spans) {
    prometheus::BucketSpan* b = h->add_negative_spans();
    b->set_offset(sp.offset);
    b->set_length(sp.length);
  }
  return h;
}

// An integer histogram (counts as deltas) and a float one (absolute
// counts) as remote write 1.0 Histogram messages of `ts`.
inline void AddIntHistogram(prometheus::TimeSeries* ts, int64_t t,
                            const Histogram& x) {
  prometheus::Histogram* h = AddHistogram(ts, t, x);
  h->set_count_int(x.count);
  h->set_zero_count_int(x.zero_count);
  for (int64_t d : x.positive_buckets) h->add_positive_deltas(d);
  for (int64_t d : x.negative_buckets) h->add_negative_deltas(d);
}
inline void AddFloatHistogram(prometheus::TimeSeries* ts, int64_t t,
                              const FloatHistogram& x) {
  prometheus::Histogram* h = AddHistogram(ts, t, x);
  h->set_count_float(x.count);
  h->set_zero_count_float(x.zero_count);
  for (double c : x.positive_buckets) h->add_positive_counts(c);
  for (double c : x.negative_buckets) h->add_negative_counts(c);
}

// Remote write 1.0 Histogram messages for the test series, each series
// {__name__="golden_histogram", series="<name>"}, snappy-compressed.
inline std::string HistogramWriteRequestBody() {
  prometheus::WriteRequest req;
  for (const HistogramSeries& s : HistogramTestSeries()) {
    prometheus::TimeSeries* ts = AddHistogramSeries(&req, s.name);
    for (const HistogramSample& x : s.samples) AddIntHistogram(ts, x.t, x.h);
  }
  for (const FloatHistogramSeries& s : FloatHistogramTestSeries()) {
    prometheus::TimeSeries* ts = AddHistogramSeries(&req, s.name);
    for (const FloatHistogramSample& x : s.samples) {
      AddFloatHistogram(ts, x.t, x.h);
    }
  }
  std::string compressed;
  const std::string raw = req.SerializeAsString();
  snappy::Compress(raw.data(), raw.size(), &compressed);
  return compressed;
}

// POSTs a snappy-compressed remote write 1.0 request to the receiver of
// the Prometheus listening on 127.0.0.1:`port`.
inline StatusOr<http_client::Response> RemoteWrite(int port, std::string body) {
  http_client::Request write;
  write.method = "POST";
  write.target = "/api/v1/write";
  write.headers = {{"Content-Type", "application/x-protobuf"},
                   {"Content-Encoding", "snappy"},
                   {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
  write.body = std::move(body);
  return http_client::Fetch("127.0.0.1", port, write);
}

// POSTs HistogramWriteRequestBody() (see RemoteWrite).
inline StatusOr<http_client::Response> RemoteWriteHistogramTestSeries(
    int port) {
  return RemoteWrite(port, HistogramWriteRequestBody());
}

}  // namespace strata::chunk::testing

#endif  // STRATA_TESTS_CHUNK_HISTOGRAM_REMOTE_WRITE_H_
