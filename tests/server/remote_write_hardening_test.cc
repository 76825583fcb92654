// Remote write against requests that break the protocol or the configured
// limits (issue 15, item 10): a 2.0 request whose symbols[0] is not "" is
// refused (it used to be stored with every label misread), and the limits
// on labels per series, label name and value length and series per request
// refuse what exceeds them with a 400 naming the series and the flag.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ingest_handler_fixture.h"
#include "remote_test_util.h"
#include "server/remote/remote_write_handler.h"

namespace strata::server {
namespace {

using testing::AddSeries;
using testing::MetricValue;
using testing::SampleMap;
using testing::V2Builder;
using testing::WriteRequestOf;

constexpr int64_t kT0 = 1795620000000;

using LabelList = std::vector<std::pair<std::string, std::string>>;

class RemoteWriteHardeningTest
    : public testing::IngestHandlerFixture<RemoteWriteHandler,
                                           RemoteWriteOptions> {
 protected:
  Response WriteV1(const prometheus::WriteRequest& req) {
    Request r = WriteRequestOf(req.SerializeAsString());
    return handler_->Handle(r);
  }

  Response WriteV2(const std::string& raw) {
    Request r = WriteRequestOf(raw, testing::kV2ContentType);
    return handler_->Handle(r);
  }

  std::string Rejected(const std::string& reason) {
    return MetricValue(*registry_,
                       "strata_remote_write_samples_rejected_total{reason=\"" +
                           reason + "\"}");
  }
  std::string Refused(const std::string& reason) {
    return MetricValue(*registry_,
                       "strata_remote_write_requests_refused_total{reason=\"" +
                           reason + "\"}");
  }
};

TEST_F(RemoteWriteHardeningTest, V2FirstSymbolMustBeEmpty) {
  // A sender that forgot the leading "": refs 0 and 1 would read as
  // __name__="up" here but mean something else to it.
  io::prometheus::write::v2::Request req;
  req.add_symbols("__name__");
  req.add_symbols("up");
  auto* ts = req.add_timeseries();
  ts->add_labels_refs(0);
  ts->add_labels_refs(1);
  auto* s = ts->add_samples();
  s->set_timestamp(kT0);
  s->set_value(1);
  Response r = WriteV2(req.SerializeAsString());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.body,
            "malformed io.prometheus.write.v2.Request: symbols[0] must be the "
            "empty string, got \"__name__\"\n");
  EXPECT_TRUE(Stored().empty());
  EXPECT_EQ(Refused("malformed"), "1");

  // A long first symbol is shown truncated.
  io::prometheus::write::v2::Request long_first;
  long_first.add_symbols(std::string(10000, 'x'));
  Response r2 = WriteV2(long_first.SerializeAsString());
  EXPECT_EQ(r2.status, 400);
  EXPECT_LT(r2.body.size(), 300u);
  EXPECT_NE(r2.body.find("(truncated)"), std::string::npos);

  // The well-formed request and an empty one are fine.
  V2Builder ok;
  ok.AddSeries({{"__name__", "up"}}, {{kT0, 1}});
  EXPECT_EQ(WriteV2(ok.Serialize()).status, 204);
  EXPECT_EQ(WriteV2("").status, 204);
}

TEST_F(RemoteWriteHardeningTest, SeriesPerRequestLimit) {
  RemoteWriteOptions options;
  options.max_series_per_request = 3;
  MakeHandler(options);
  for (int n : {3, 4}) {
    prometheus::WriteRequest v1;
    V2Builder v2;
    for (int i = 0; i < n; ++i) {
      const LabelList labels = {{"__name__", "up"},
                                {"i", std::to_string(n * 10 + i)}};
      AddSeries(&v1, labels, {{kT0, 1}});
      v2.AddSeries(labels, {{kT0 + 1, 1}});
    }
    for (const Response& r : {WriteV1(v1), WriteV2(v2.Serialize())}) {
      if (n == 3) {
        EXPECT_EQ(r.status, 204) << r.body;
      } else {
        EXPECT_EQ(r.status, 400);
        EXPECT_EQ(r.body,
                  "too many series in one request: more than the limit of 3 "
                  "(--remote-write.max-series-per-request); send smaller "
                  "batches\n");
      }
    }
  }
  EXPECT_EQ(Stored().size(), 3u);  // Only the request of 3.
  EXPECT_EQ(Refused("too_many_series"), "2");
}

TEST_F(RemoteWriteHardeningTest, LabelLimitsRejectTheSeriesNamingIt) {
  RemoteWriteOptions options;
  options.ingest.label_limits.max_label_names_per_series = 3;
  options.ingest.label_limits.max_label_name_length = 10;
  options.ingest.label_limits.max_label_value_length = 20;
  MakeHandler(options);
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "ok"}, {"a", "1"}, {"b", "2"}}, {{kT0, 1}});
  AddSeries(&req, {{"__name__", "many"}, {"a", "1"}, {"b", "2"}, {"c", "3"}},
            {{kT0, 1}, {kT0 + 1, 2}});
  AddSeries(&req, {{"__name__", "longname"}, {"abcdefghijk", "1"}}, {{kT0, 1}});
  AddSeries(&req, {{"__name__", "longvalue"}, {"a", std::string(21, 'v')}},
            {{kT0, 1}});
  // Exactly at each limit is fine.
  AddSeries(&req, {{"__name__", "edge"}, {"abcdefghij", std::string(20, 'v')}},
            {{kT0, 1}});
  Response r = WriteV1(req);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(
      r.body.find("max_label_names_per_series: {__name__=\"many\", "
                  "a=\"1\", b=\"2\", c=\"3\"}: 4 labels, more than the "
                  "limit of 3 (--remote-write.max-label-names-per-series)"),
      std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("label_name_too_long: {__name__=\"longname\", "
                        "abcdefghijk=\"1\"}: label name \"abcdefghijk\" is 11 "
                        "bytes long, more than the limit of 10 "
                        "(--remote-write.max-length-label-name)"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("label_value_too_long: {__name__=\"longvalue\", a=\"" +
                        std::string(21, 'v') +
                        "\"}: the value of label \"a\" is 21 bytes long, more "
                        "than the limit of 20 "
                        "(--remote-write.max-length-label-value)"),
            std::string::npos)
      << r.body;
  SampleMap stored = Stored();
  EXPECT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored.count("ok{a=\"1\", b=\"2\"}"), 1u);
  EXPECT_EQ(Rejected("max_label_names_per_series"), "2");
  EXPECT_EQ(Rejected("label_name_too_long"), "1");
  EXPECT_EQ(Rejected("label_value_too_long"), "1");

  // Remote write 2.0 goes through the same checks.
  V2Builder v2;
  v2.AddSeries({{"__name__", "many2"}, {"a", "1"}, {"b", "2"}, {"c", "3"}},
               {{kT0, 1}});
  Response r2 = WriteV2(v2.Serialize());
  EXPECT_EQ(r2.status, 400);
  EXPECT_NE(r2.body.find("max_label_names_per_series: {__name__=\"many2\""),
            std::string::npos)
      << r2.body;
}

TEST_F(RemoteWriteHardeningTest, DefaultLimitsAreGenerous) {
  const LabelLimits defaults;
  EXPECT_GE(defaults.max_label_names_per_series, 30);  // Mimir: 30.
  EXPECT_GE(defaults.max_label_name_length, 1024);     // Mimir: 1024.
  EXPECT_GE(defaults.max_label_value_length, 2048);    // Mimir: 2048.
  EXPECT_GE(RemoteWriteOptions().max_series_per_request, 10000u);
  // 100 labels with 2 KiB values: a kube-state-metrics-like series.
  LabelList labels = {{"__name__", "wide"}};
  for (int i = 0; i < 100; ++i) {
    char name[8];
    std::snprintf(name, sizeof(name), "l%03d", i);
    labels.push_back({name, std::string(2048, 'v')});
  }
  prometheus::WriteRequest req;
  AddSeries(&req, labels, {{kT0, 1}});
  Response r = WriteV1(req);
  EXPECT_EQ(r.status, 204) << r.body.substr(0, 300);
}

}  // namespace
}  // namespace strata::server
