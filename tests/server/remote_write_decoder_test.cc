// The hand-written remote write decoder against messages encoded by the
// protobuf library itself, for both protocol versions, plus truncated and
// damaged input.
#include "server/remote/remote_write_decoder.h"

#include <random>
#include <string>

#include "gtest/gtest.h"
#include "remote_test_util.h"
#include "server/remote/protowire.h"

namespace strata::server {
namespace {

using testing::AddSeries;
using testing::Bits;
using testing::V2Builder;

std::vector<std::pair<std::string, std::string>> LabelsOf(
    const WriteBatch& batch, const WireSeries& s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const WireLabel& l : batch.LabelsOf(s)) {
    out.emplace_back(std::string(l.name), std::string(l.value));
  }
  return out;
}

TEST(RemoteWriteDecoderTest, DecodesV1SeriesSamplesExemplarsHistogramsMeta) {
  prometheus::WriteRequest req;
  prometheus::TimeSeries* a = AddSeries(
      &req, {{"__name__", "up"}, {"instance", "a:1"}, {"job", "node"}},
      {{1000, 1}, {2000, 0}});
  prometheus::Exemplar* ex = a->add_exemplars();
  ex->set_value(3);
  ex->set_timestamp(1500);
  auto* exl = ex->add_labels();
  exl->set_name("trace_id");
  exl->set_value("abc");
  prometheus::TimeSeries* h = AddSeries(&req, {{"__name__", "lat"}}, {});
  h->add_histograms()->set_count_int(5);
  h->add_histograms()->set_timestamp(7);
  // A stale marker keeps its exact bits.
  AddSeries(&req, {{"__name__", "gone"}},
            {{3000, std::bit_cast<double>(kStaleNaNBits)}});
  prometheus::MetricMetadata* md = req.add_metadata();
  md->set_type(prometheus::MetricMetadata::COUNTER);
  md->set_metric_family_name("http_requests_total");
  md->set_help("Requests.");
  md->set_unit("requests");

  const std::string data = req.SerializeAsString();  // Outlives the batch.
  WriteBatch batch;
  ASSERT_TRUE(DecodeWriteRequest(RemoteWriteVersion::kV1, data, &batch).ok());
  ASSERT_EQ(batch.series.size(), 3u);
  EXPECT_EQ(LabelsOf(batch, batch.series[0]),
            (std::vector<std::pair<std::string, std::string>>{
                {"__name__", "up"}, {"instance", "a:1"}, {"job", "node"}}));
  auto samples = batch.SamplesOf(batch.series[0]);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].timestamp, 1000);
  EXPECT_EQ(samples[0].value, 1);
  EXPECT_EQ(samples[1].timestamp, 2000);
  ASSERT_EQ(batch.series[0].num_exemplars, 1u);
  const WireExemplar& e = batch.ExemplarsOf(batch.series[0])[0];
  EXPECT_EQ(e.value, 3);
  EXPECT_EQ(e.timestamp, 1500);
  ASSERT_EQ(batch.LabelsOf(e).size(), 1u);
  EXPECT_EQ(batch.LabelsOf(e)[0].name, "trace_id");
  EXPECT_EQ(batch.LabelsOf(e)[0].value, "abc");
  EXPECT_EQ(batch.series[1].num_histograms, 2u);
  EXPECT_EQ(batch.series[1].num_exemplars, 0u);
  EXPECT_EQ(batch.series[1].num_samples, 0u);
  EXPECT_EQ(Bits(batch.SamplesOf(batch.series[2])[0].value), kStaleNaNBits);
  EXPECT_EQ(batch.exemplars, 1);
  EXPECT_EQ(batch.histograms, 2);
  ASSERT_EQ(batch.metadata.size(), 1u);
  EXPECT_EQ(batch.metadata[0].type, WireMetricType::kCounter);
  EXPECT_EQ(batch.metadata[0].metric_family_name, "http_requests_total");
  EXPECT_EQ(batch.metadata[0].help, "Requests.");
  EXPECT_EQ(batch.metadata[0].unit, "requests");
  EXPECT_EQ(MetricTypeName(batch.metadata[0].type), "counter");
}

TEST(RemoteWriteDecoderTest, V1KeepsLabelsInWireOrderAndEmptyValues) {
  prometheus::WriteRequest req;
  AddSeries(&req, {{"b", "2"}, {"a", ""}, {"", "x"}}, {{1, 1}});
  const std::string data = req.SerializeAsString();  // Outlives the batch.
  WriteBatch batch;
  ASSERT_TRUE(DecodeWriteRequest(RemoteWriteVersion::kV1, data, &batch).ok());
  EXPECT_EQ(LabelsOf(batch, batch.series[0]),
            (std::vector<std::pair<std::string, std::string>>{
                {"b", "2"}, {"a", ""}, {"", "x"}}));
}

TEST(RemoteWriteDecoderTest, DeferredLabelsDecodeLaterToTheSame) {
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "up"}, {"job", "a"}}, {{1, 1}});
  const std::string data = req.SerializeAsString();
  // Labels interleaved with a sample: valid protobuf, decoded at once.
  std::string interleaved_series;
  {
    prometheus::TimeSeries a, b, c;
    testing::AddLabel(&a, "__name__", "x");
    testing::AddSample(&b, 5, 6);
    testing::AddLabel(&c, "job", "j");
    interleaved_series =
        a.SerializeAsString() + b.SerializeAsString() + c.SerializeAsString();
  }
  std::string interleaved = "\x0a";
  interleaved += static_cast<char>(interleaved_series.size());
  interleaved += interleaved_series;

  WriteBatch batch;
  batch.defer_labels = true;
  ASSERT_TRUE(DecodeWriteRequest(RemoteWriteVersion::kV1, data, &batch).ok());
  ASSERT_EQ(batch.series.size(), 1u);
  EXPECT_TRUE(batch.series[0].labels_deferred);
  EXPECT_EQ(batch.series[0].num_labels, 0u);
  std::vector<WireLabel> labels;
  ASSERT_TRUE(DecodeLabelFields(batch.series[0].label_bytes, &labels).ok());
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[1].name, "job");
  EXPECT_EQ(labels[1].value, "a");
  EXPECT_FALSE(DecodeLabelFields("\x0a\x05\x0a", &labels).ok());

  ASSERT_TRUE(
      DecodeWriteRequest(RemoteWriteVersion::kV1, interleaved, &batch).ok());
  ASSERT_EQ(batch.series.size(), 1u);
  EXPECT_FALSE(batch.series[0].labels_deferred);
  EXPECT_TRUE(batch.series[0].label_bytes.empty());
  EXPECT_EQ(LabelsOf(batch, batch.series[0]),
            (std::vector<std::pair<std::string, std::string>>{{"__name__", "x"},
                                                              {"job", "j"}}));
  EXPECT_EQ(batch.series[0].num_samples, 1u);
}

TEST(RemoteWriteDecoderTest, DecodesV2WithSymbolsMetadataAndBothCtLayouts) {
  V2Builder b;
  auto* ts = b.AddSeries({{"__name__", "reqs_total"}, {"job", "api"}},
                         {{1000, 5}, {2000, 6}});
  ts->mutable_metadata()->set_type(
      io::prometheus::write::v2::Metadata::METRIC_TYPE_COUNTER);
  ts->mutable_metadata()->set_help_ref(b.Ref("Total requests."));
  ts->mutable_metadata()->set_unit_ref(b.Ref(""));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  ts->set_created_timestamp(500);  // rc.0..rc.3 layout.
#pragma GCC diagnostic pop
  ts->mutable_samples(1)->set_start_timestamp(1500);  // rc.4 layout.
  auto* ex = ts->add_exemplars();
  ex->add_labels_refs(b.Ref("trace_id"));
  ex->add_labels_refs(b.Ref("t1"));
  ex->set_value(0.5);
  ex->set_timestamp(1200);
  auto* hs = b.AddSeries({{"__name__", "lat"}}, {});
  hs->add_histograms()->set_start_timestamp(10);

  const std::string data = b.Serialize();  // Outlives the batch.
  WriteBatch batch;
  ASSERT_TRUE(DecodeWriteRequest(RemoteWriteVersion::kV2, data, &batch).ok());
  ASSERT_EQ(batch.series.size(), 2u);
  const WireSeries& s = batch.series[0];
  EXPECT_EQ(s.invalid, nullptr);
  EXPECT_EQ(LabelsOf(batch, s),
            (std::vector<std::pair<std::string, std::string>>{
                {"__name__", "reqs_total"}, {"job", "api"}}));
  ASSERT_EQ(s.num_samples, 2u);
  // The per-series created timestamp fills samples without their own.
  EXPECT_EQ(batch.SamplesOf(s)[0].start_timestamp, 500);
  EXPECT_EQ(batch.SamplesOf(s)[1].start_timestamp, 1500);
  EXPECT_TRUE(s.has_metadata);
  EXPECT_EQ(s.metadata.type, WireMetricType::kCounter);
  EXPECT_EQ(s.metadata.help, "Total requests.");
  ASSERT_EQ(s.num_exemplars, 1u);
  const WireExemplar& e = batch.ExemplarsOf(s)[0];
  EXPECT_EQ(e.value, 0.5);
  EXPECT_EQ(e.timestamp, 1200);
  ASSERT_EQ(batch.LabelsOf(e).size(), 1u);
  EXPECT_EQ(batch.LabelsOf(e)[0].name, "trace_id");
  EXPECT_EQ(batch.LabelsOf(e)[0].value, "t1");
  EXPECT_EQ(batch.series[1].num_histograms, 1u);
  EXPECT_EQ(batch.start_timestamps, 2);
}

TEST(RemoteWriteDecoderTest, V2FlagsUnusableSeriesButKeepsOthers) {
  V2Builder b;
  b.AddSeries({{"__name__", "ok"}}, {{1, 1}});
  auto* odd = b.AddSeries({{"__name__", "odd"}}, {{1, 1}});
  odd->add_labels_refs(1);  // Odd count.
  auto* range = b.AddSeries({{"__name__", "range"}}, {{1, 1}});
  range->add_labels_refs(999);
  range->add_labels_refs(1);
  auto* both = b.AddSeries({{"__name__", "both"}}, {{1, 1}});
  both->add_histograms();
  auto* meta = b.AddSeries({{"__name__", "meta"}}, {{1, 1}});
  meta->mutable_metadata()->set_help_ref(12345);

  const std::string data = b.Serialize();  // Outlives the batch.
  WriteBatch batch;
  ASSERT_TRUE(DecodeWriteRequest(RemoteWriteVersion::kV2, data, &batch).ok());
  ASSERT_EQ(batch.series.size(), 5u);
  EXPECT_EQ(batch.series[0].invalid, nullptr);
  EXPECT_STREQ(batch.series[1].invalid, "odd number of label references");
  EXPECT_STREQ(batch.series[2].invalid, "label symbol reference out of range");
  EXPECT_STREQ(batch.series[3].invalid, "samples and histograms in one series");
  EXPECT_STREQ(batch.series[4].invalid,
               "metadata symbol reference out of range");
}

TEST(RemoteWriteDecoderTest, V2RefusesAV1Message) {
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "up"}}, {{1, 1}});
  WriteBatch batch;
  Status st = DecodeWriteRequest(RemoteWriteVersion::kV2,
                                 req.SerializeAsString(), &batch);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("Content-Type"), std::string_view::npos);
}

TEST(RemoteWriteDecoderTest, PackedAndUnpackedLabelRefsAgree) {
  // labels_refs = [1, 2] as one packed field and as two varint fields.
  std::string symbols;
  for (const char* s : {"", "__name__", "up"}) {
    symbols += '\x22';  // Field 4, LEN.
    symbols += static_cast<char>(std::strlen(s));
    symbols += s;
  }
  const std::string packed_series = std::string("\x0a\x02\x01\x02", 4);
  const std::string unpacked_series = std::string("\x08\x01\x08\x02", 4);
  for (const std::string& series : {packed_series, unpacked_series}) {
    std::string msg = symbols;
    msg += '\x2a';  // Field 5, LEN.
    msg += static_cast<char>(series.size());
    msg += series;
    WriteBatch batch;
    ASSERT_TRUE(DecodeWriteRequest(RemoteWriteVersion::kV2, msg, &batch).ok());
    ASSERT_EQ(batch.series.size(), 1u);
    EXPECT_EQ(
        LabelsOf(batch, batch.series[0]),
        (std::vector<std::pair<std::string, std::string>>{{"__name__", "up"}}));
  }
}

// Every prefix of a valid message decodes exactly when the protobuf
// library parses it, and never reads out of bounds.
TEST(RemoteWriteDecoderTest, TruncationsAgreeWithProtobuf) {
  prometheus::WriteRequest req;
  for (int i = 0; i < 3; ++i) {
    AddSeries(&req, {{"__name__", "metric_" + std::to_string(i)}, {"job", "j"}},
              {{1000 + i, 0.5 * i}, {2000 + i, 1.5}});
  }
  req.add_metadata()->set_metric_family_name("metric_0");
  const std::string full = req.SerializeAsString();
  V2Builder b;
  b.AddSeries({{"__name__", "x"}, {"a", "b"}}, {{5, 6}});
  const std::string full_v2 = b.Serialize();
  for (auto [version, data] : {std::pair{RemoteWriteVersion::kV1, full},
                               std::pair{RemoteWriteVersion::kV2, full_v2}}) {
    for (size_t n = 0; n <= data.size(); ++n) {
      const std::string prefix = data.substr(0, n);
      WriteBatch batch;
      const bool ours = DecodeWriteRequest(version, prefix, &batch).ok();
      bool theirs;
      if (version == RemoteWriteVersion::kV1) {
        prometheus::WriteRequest parsed;
        theirs = parsed.ParseFromString(prefix);
      } else {
        io::prometheus::write::v2::Request parsed;
        theirs = parsed.ParseFromString(prefix);
      }
      EXPECT_EQ(ours, theirs) << "prefix of " << n << " bytes";
    }
  }
}

TEST(RemoteWriteDecoderTest, RandomDamageNeverCrashes) {
  prometheus::WriteRequest req;
  for (int i = 0; i < 20; ++i) {
    AddSeries(&req, {{"__name__", "m"}, {"i", std::to_string(i)}},
              {{i, 1.0 * i}});
  }
  const std::string full = req.SerializeAsString();
  std::mt19937 rng(42);
  int failures = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string damaged = full;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      damaged[rng() % damaged.size()] = static_cast<char>(rng());
    }
    WriteBatch batch;
    for (RemoteWriteVersion v :
         {RemoteWriteVersion::kV1, RemoteWriteVersion::kV2}) {
      Status st = DecodeWriteRequest(v, damaged, &batch);
      if (!st.ok()) {
        ++failures;
        EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
        continue;
      }
      // Whatever decoded lies within the input.
      for (const WireLabel& l : batch.labels) {
        if (l.name.empty()) continue;
        EXPECT_GE(l.name.data(), damaged.data());
        EXPECT_LE(l.name.data() + l.name.size(),
                  damaged.data() + damaged.size());
      }
    }
  }
  EXPECT_GT(failures, 0);
}

TEST(WireReaderTest, RejectsGroupsAndBadLengths) {
  const std::string group("\x0b", 1);  // Field 1, start group.
  WireReader r1(group);
  EXPECT_FALSE(r1.Next());
  EXPECT_NE(r1.error(), nullptr);
  const std::string too_long("\x0a\x05\x01", 3);  // LEN 5, 1 byte present.
  WireReader r2(too_long);
  EXPECT_FALSE(r2.Next());
  EXPECT_NE(r2.error(), nullptr);
  const std::string huge_len("\x0a\xff\xff\xff\xff\x0f", 6);
  WireReader r3(huge_len);
  EXPECT_FALSE(r3.Next());
  EXPECT_NE(r3.error(), nullptr);
  const std::string field_zero("\x00\x01", 2);
  WireReader r4(field_zero);
  EXPECT_FALSE(r4.Next());
  EXPECT_NE(r4.error(), nullptr);
  WireReader r5("");
  EXPECT_FALSE(r5.Next());
  EXPECT_EQ(r5.error(), nullptr);
}

}  // namespace
}  // namespace strata::server
