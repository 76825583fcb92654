// HaTracker (election, failover on a fake clock, several clusters, the
// cluster limit, metrics), FindHaLabels, and the remote write handler with
// HA tracking on: the replica label is stripped, the cluster label kept,
// non-elected replicas are answered 202 and dropped, requests without the
// labels are unchanged, and overlap after a failover is acknowledged.
#include "server/remote/ha_tracker.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "remote_test_util.h"
#include "server/metrics/metrics.h"
#include "server/remote/metadata_store.h"
#include "server/remote/remote_write_handler.h"

namespace strata::server {
namespace {

using Decision = HaTracker::Decision;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::AddSeries;
using testing::AllSeries;
using testing::Bits;
using testing::ReadAll;
using testing::SampleMap;
using testing::TempDB;
using testing::V2Builder;
using testing::WriteRequestOf;
using Samples = std::vector<std::pair<int64_t, uint64_t>>;

constexpr int64_t kT0 = 1795620000000;  // Nov 2026, in the past of the tests.

// The value of the series rendered exactly as `series`; "" if absent.
std::string MetricValue(const MetricsRegistry& registry,
                        const std::string& series) {
  const std::string text = registry.RenderText();
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return "";
  const size_t start = at + series.size() + 2;
  return text.substr(start, text.find('\n', start) - start);
}

// A clock that moves only when told to.
struct FakeClock {
  HaTrackerOptions::Clock::time_point now{seconds(1000)};
  void Advance(milliseconds d) { now += d; }
  std::function<HaTrackerOptions::Clock::time_point()> Fn() {
    return [this] { return now; };
  }
};

HaTrackerOptions TrackerOptions(FakeClock* clock) {
  HaTrackerOptions options;
  options.replica_label = "__replica__";
  options.failover_timeout = seconds(30);
  options.now = clock->Fn();
  return options;
}

class HaTrackerTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  MetricsRegistry registry_;
};

TEST_F(HaTrackerTest, FirstReplicaIsElectedOthersAreDeduplicated) {
  HaTracker tracker(TrackerOptions(&clock_), &registry_);
  EXPECT_EQ(tracker.ElectedReplica("c1"), "");
  EXPECT_EQ(tracker.Admit("c1", "a", 10), Decision::kAccept);
  EXPECT_EQ(tracker.Admit("c1", "b", 7), Decision::kDeduplicate);
  EXPECT_EQ(tracker.Admit("c1", "a", 10), Decision::kAccept);
  EXPECT_EQ(tracker.Admit("c1", "b", 5), Decision::kDeduplicate);
  EXPECT_EQ(tracker.ElectedReplica("c1"), "a");
  EXPECT_EQ(MetricValue(registry_,
                        "strata_ha_elected_replica{cluster=\"c1\",replica="
                        "\"a\"}"),
            "1");
  EXPECT_EQ(MetricValue(registry_,
                        "strata_ha_requests_deduplicated_total{cluster="
                        "\"c1\"}"),
            "2");
  EXPECT_EQ(MetricValue(registry_,
                        "strata_ha_samples_deduplicated_total{cluster=\"c1\"}"),
            "12");
  // The first election is not a change; its series exists from the start.
  EXPECT_EQ(MetricValue(registry_,
                        "strata_ha_elected_replica_changes_total{cluster="
                        "\"c1\"}"),
            "0");
}

TEST_F(HaTrackerTest, FailsOverOnlyAfterTheElectedReplicaWasSilentForTimeout) {
  HaTracker tracker(TrackerOptions(&clock_), &registry_);
  ASSERT_EQ(tracker.Admit("c1", "a", 1), Decision::kAccept);
  clock_.Advance(milliseconds(29999));
  EXPECT_EQ(tracker.Admit("c1", "b", 1), Decision::kDeduplicate);
  // A renews its lease: the timeout runs from its last request.
  ASSERT_EQ(tracker.Admit("c1", "a", 1), Decision::kAccept);
  clock_.Advance(milliseconds(29999));
  EXPECT_EQ(tracker.Admit("c1", "b", 1), Decision::kDeduplicate);
  clock_.Advance(milliseconds(1));  // 30 s since a's last request.
  EXPECT_EQ(tracker.Admit("c1", "b", 1), Decision::kAccept);
  EXPECT_EQ(tracker.ElectedReplica("c1"), "b");
  // Now a is the one dropped, until b is silent in turn.
  EXPECT_EQ(tracker.Admit("c1", "a", 1), Decision::kDeduplicate);
  EXPECT_EQ(MetricValue(registry_,
                        "strata_ha_elected_replica_changes_total{cluster="
                        "\"c1\"}"),
            "1");
  EXPECT_EQ(MetricValue(registry_,
                        "strata_ha_elected_replica{cluster=\"c1\",replica="
                        "\"b\"}"),
            "1");
  EXPECT_EQ(MetricValue(registry_,
                        "strata_ha_elected_replica{cluster=\"c1\",replica="
                        "\"a\"}"),
            "");
  clock_.Advance(seconds(31));
  EXPECT_EQ(tracker.Admit("c1", "a", 1), Decision::kAccept);
  EXPECT_EQ(MetricValue(registry_,
                        "strata_ha_elected_replica_changes_total{cluster="
                        "\"c1\"}"),
            "2");
}

TEST_F(HaTrackerTest, ClustersAreElectedIndependently) {
  HaTracker tracker(TrackerOptions(&clock_), &registry_);
  EXPECT_EQ(tracker.Admit("c1", "a", 1), Decision::kAccept);
  EXPECT_EQ(tracker.Admit("c2", "b", 1), Decision::kAccept);
  EXPECT_EQ(tracker.Admit("c1", "b", 1), Decision::kDeduplicate);
  EXPECT_EQ(tracker.Admit("c2", "a", 1), Decision::kDeduplicate);
  // Replica names are per cluster: "a" of c3 is another sender.
  EXPECT_EQ(tracker.Admit("c3", "a", 1), Decision::kAccept);
  // c2's elected replica keeps writing while c1's goes silent.
  clock_.Advance(seconds(20));
  EXPECT_EQ(tracker.Admit("c2", "b", 1), Decision::kAccept);
  clock_.Advance(seconds(15));
  EXPECT_EQ(tracker.Admit("c1", "b", 1), Decision::kAccept);
  EXPECT_EQ(tracker.Admit("c2", "a", 1), Decision::kDeduplicate);
  EXPECT_EQ(tracker.ElectedReplica("c1"), "b");
  EXPECT_EQ(tracker.ElectedReplica("c2"), "b");
  EXPECT_EQ(tracker.ElectedReplica("c3"), "a");
  const std::string text = registry_.RenderText();
  EXPECT_NE(text.find("strata_ha_elected_replica{cluster=\"c1\",replica=\"b\"} "
                      "1\nstrata_ha_elected_replica{cluster=\"c2\",replica="
                      "\"b\"} 1\nstrata_ha_elected_replica{cluster=\"c3\","
                      "replica=\"a\"} 1\n"),
            std::string::npos)
      << text;
}

TEST_F(HaTrackerTest, NewClustersPastTheLimitAreRefusedUntilOthersGoIdle) {
  HaTrackerOptions options = TrackerOptions(&clock_);
  options.max_clusters = 2;
  HaTracker tracker(options, nullptr);  // No registry: no metrics.
  EXPECT_EQ(tracker.Admit("c1", "a", 1), Decision::kAccept);
  EXPECT_EQ(tracker.Admit("c2", "a", 1), Decision::kAccept);
  EXPECT_EQ(tracker.Admit("c3", "a", 1), Decision::kTooManyClusters);
  // Known clusters carry on.
  EXPECT_EQ(tracker.Admit("c1", "b", 1), Decision::kDeduplicate);
  clock_.Advance(seconds(20));
  EXPECT_EQ(tracker.Admit("c2", "a", 1), Decision::kAccept);
  clock_.Advance(seconds(15));
  // c1 has been silent for 35 s: forgotten to make room; c2 stays.
  EXPECT_EQ(tracker.Admit("c3", "a", 1), Decision::kAccept);
  EXPECT_EQ(tracker.ElectedReplica("c1"), "");
  EXPECT_EQ(tracker.Admit("c2", "b", 1), Decision::kDeduplicate);
}

// The decoded batch of a 1.0 request, labels deferred or not.
struct DecodedV1 {
  std::string body;
  WriteBatch batch;
};
std::unique_ptr<DecodedV1> DecodeV1(const prometheus::WriteRequest& req,
                                    bool defer_labels) {
  auto out = std::make_unique<DecodedV1>();
  out->body = req.SerializeAsString();
  out->batch.defer_labels = defer_labels;
  EXPECT_TRUE(
      DecodeWriteRequest(RemoteWriteVersion::kV1, out->body, &out->batch).ok());
  return out;
}

TEST(FindHaLabelsTest, TheFirstSeriesWithBothLabelsDecides) {
  HaTrackerOptions options;
  options.replica_label = "__replica__";
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "no_labels"}}, {{kT0, 1}});
  AddSeries(&req, {{"__name__", "only_replica"}, {"__replica__", "x"}},
            {{kT0, 1}});
  AddSeries(
      &req,
      {{"__name__", "empty_cluster"}, {"__replica__", "x"}, {"cluster", ""}},
      {{kT0, 1}});
  AddSeries(&req, {{"__name__", "up"}, {"__replica__", "b"}, {"cluster", "c1"}},
            {{kT0, 1}});
  AddSeries(&req, {{"__name__", "up"}, {"__replica__", "z"}, {"cluster", "c9"}},
            {{kT0, 1}});
  for (bool defer : {false, true}) {
    SCOPED_TRACE(defer ? "deferred labels" : "decoded labels");
    std::unique_ptr<DecodedV1> decoded = DecodeV1(req, defer);
    std::vector<WireLabel> scratch;
    std::optional<HaLabels> ha =
        FindHaLabels(decoded->batch, options, &scratch);
    ASSERT_TRUE(ha.has_value());
    EXPECT_EQ(ha->cluster, "c1");
    EXPECT_EQ(ha->replica, "b");
  }
  prometheus::WriteRequest none;
  AddSeries(&none, {{"__name__", "up"}, {"cluster", "c1"}}, {{kT0, 1}});
  std::vector<WireLabel> scratch;
  EXPECT_FALSE(
      FindHaLabels(DecodeV1(none, true)->batch, options, &scratch).has_value());
}

TEST(FindHaLabelsTest, ReadsRemoteWrite2Labels) {
  HaTrackerOptions options;
  options.replica_label = "prometheus_replica";
  options.cluster_label = "ha_pair";
  V2Builder b;
  b.AddSeries(
      {{"__name__", "up"}, {"ha_pair", "p"}, {"prometheus_replica", "r1"}},
      {{kT0, 1}});
  const std::string body = b.Serialize();
  WriteBatch batch;
  ASSERT_TRUE(DecodeWriteRequest(RemoteWriteVersion::kV2, body, &batch).ok());
  std::vector<WireLabel> scratch;
  std::optional<HaLabels> ha = FindHaLabels(batch, options, &scratch);
  ASSERT_TRUE(ha.has_value());
  EXPECT_EQ(ha->cluster, "p");
  EXPECT_EQ(ha->replica, "r1");
}

// The remote write handler with HA tracking on, over a real DB.
class HaRemoteWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RemoteWriteOptions options;
    options.ha = TrackerOptions(&clock_);
    metadata_ =
        std::make_unique<MetadataStore>(nullptr, tmp_.dir() + "/metadata");
    handler_ = std::make_unique<RemoteWriteHandler>(options, &registry_,
                                                    metadata_.get());
    handler_->SetDB(tmp_.db());
  }

  Response Write(const prometheus::WriteRequest& req) {
    Request r = WriteRequestOf(req.SerializeAsString());
    return handler_->Handle(r);
  }

  // A 1.0 request of replica `replica` of cluster c1: `up` and `reqs` with
  // the given samples.
  Response WriteFrom(const std::string& replica,
                     const std::vector<std::pair<int64_t, double>>& samples) {
    prometheus::WriteRequest req;
    AddSeries(&req,
              {{"__name__", "up"}, {"__replica__", replica}, {"cluster", "c1"}},
              samples);
    AddSeries(&req,
              {{"__name__", "reqs"},
               {"__replica__", replica},
               {"cluster", "c1"},
               {"job", "api"}},
              samples);
    return Write(req);
  }

  SampleMap Stored() { return ReadAll(tmp_.db(), AllSeries()); }

  FakeClock clock_;
  TempDB tmp_;
  MetricsRegistry registry_;
  std::unique_ptr<MetadataStore> metadata_;
  std::unique_ptr<RemoteWriteHandler> handler_;
};

TEST_F(HaRemoteWriteTest, StoresTheElectedReplicaWithoutItsLabel) {
  Response a = WriteFrom("a", {{kT0, 1}, {kT0 + 1000, 2}});
  EXPECT_EQ(a.status, 204) << a.body;
  // b scraped the same targets at other instants: dropped, acknowledged.
  Response b = WriteFrom("b", {{kT0 + 500, 10}, {kT0 + 1500, 20}});
  EXPECT_EQ(b.status, 202) << b.body;
  EXPECT_EQ(b.headers.Get("X-Prometheus-Remote-Write-Samples-Written"), "4");
  const SampleMap stored = Stored();
  ASSERT_EQ(stored.size(), 2u);
  const Samples want = {{kT0, Bits(1)}, {kT0 + 1000, Bits(2)}};
  EXPECT_EQ(stored.at("up{cluster=\"c1\"}"), want);
  EXPECT_EQ(stored.at("reqs{cluster=\"c1\", job=\"api\"}"), want);
  EXPECT_EQ(MetricValue(registry_, "strata_remote_write_samples_written_total"),
            "4");
  EXPECT_EQ(MetricValue(registry_,
                        "strata_ha_samples_deduplicated_total{cluster=\"c1\"}"),
            "4");
  EXPECT_EQ(MetricValue(registry_,
                        "strata_ha_requests_deduplicated_total{cluster="
                        "\"c1\"}"),
            "1");
}

TEST_F(HaRemoteWriteTest, StoresRemoteWrite2WithoutTheReplicaLabel) {
  V2Builder b;
  b.AddSeries(
      {{"__name__", "up"}, {"__replica__", "a"}, {"cluster", "c1"}, {"z", "1"}},
      {{kT0, 1}});
  Request r = WriteRequestOf(b.Serialize(), testing::kV2ContentType);
  Response resp = handler_->Handle(r);
  EXPECT_EQ(resp.status, 204) << resp.body;
  V2Builder other;
  other.AddSeries({{"__name__", "up"}, {"__replica__", "b"}, {"cluster", "c1"}},
                  {{kT0 + 100, 5}});
  Request r2 = WriteRequestOf(other.Serialize(), testing::kV2ContentType);
  Response deduplicated = handler_->Handle(r2);
  EXPECT_EQ(deduplicated.status, 202);
  // A 2.0 sender takes a 2xx with nothing written for a failure.
  EXPECT_EQ(
      deduplicated.headers.Get("X-Prometheus-Remote-Write-Samples-Written"),
      "1");
  const SampleMap stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored.at("up{cluster=\"c1\", z=\"1\"}"),
            (Samples{{kT0, Bits(1)}}));
}

TEST_F(HaRemoteWriteTest, RequestsWithoutBothLabelsAreUnchanged) {
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "plain"}}, {{kT0, 1}});
  AddSeries(&req, {{"__name__", "replica_only"}, {"__replica__", "a"}},
            {{kT0, 1}});
  AddSeries(&req, {{"__name__", "cluster_only"}, {"cluster", "c1"}},
            {{kT0, 1}});
  EXPECT_EQ(Write(req).status, 204);
  const SampleMap stored = Stored();
  EXPECT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored.count("plain"), 1u);
  EXPECT_EQ(stored.count("replica_only{__replica__=\"a\"}"), 1u);
  EXPECT_EQ(stored.count("cluster_only{cluster=\"c1\"}"), 1u);
  // Without HA labels, overlap is answered 400 as before.
  prometheus::WriteRequest old;
  AddSeries(&old, {{"__name__", "plain"}}, {{kT0 - 1000, 1}});
  EXPECT_EQ(Write(old).status, 400);
}

TEST_F(HaRemoteWriteTest, SameLabelBytesStrippedOrNotAreDifferentSeries) {
  // The series ref cache keys series by their wire bytes: the same bytes
  // stored with the replica label (untracked request) and without it
  // (tracked request) must not share a cache entry.
  prometheus::WriteRequest untracked;
  AddSeries(&untracked, {{"__name__", "x"}, {"__replica__", "a"}}, {{kT0, 1}});
  EXPECT_EQ(Write(untracked).status, 204);
  prometheus::WriteRequest tracked;
  AddSeries(&tracked,
            {{"__name__", "up"}, {"__replica__", "a"}, {"cluster", "c1"}},
            {{kT0, 1}});
  AddSeries(&tracked, {{"__name__", "x"}, {"__replica__", "a"}},
            {{kT0 + 1000, 2}});
  EXPECT_EQ(Write(tracked).status, 204);
  const SampleMap stored = Stored();
  EXPECT_EQ(stored.at("x{__replica__=\"a\"}"), (Samples{{kT0, Bits(1)}}));
  EXPECT_EQ(stored.at("x"), (Samples{{kT0 + 1000, Bits(2)}}));
}

TEST_F(HaRemoteWriteTest, OverlapAfterAFailoverIsAcknowledged) {
  ASSERT_EQ(WriteFrom("a", {{kT0, 1}, {kT0 + 2000, 3}}).status, 204);
  clock_.Advance(seconds(30));
  // b is elected; its queue holds samples from before a's last one (out of
  // order), at a's last instant with another value (duplicate), and new.
  Response b =
      WriteFrom("b", {{kT0 + 1500, 2}, {kT0 + 2000, 30}, {kT0 + 2500, 4}});
  EXPECT_EQ(b.status, 204) << b.body;
  EXPECT_EQ(b.body, "");
  // Acknowledged as written, so that no sender counts them as failed.
  EXPECT_EQ(b.headers.Get("X-Prometheus-Remote-Write-Samples-Written"), "6");
  const Samples want = {
      {kT0, Bits(1)}, {kT0 + 2000, Bits(3)}, {kT0 + 2500, Bits(4)}};
  EXPECT_EQ(Stored().at("up{cluster=\"c1\"}"), want);
  EXPECT_EQ(MetricValue(registry_,
                        "strata_remote_write_samples_rejected_total{reason="
                        "\"out_of_order\"}"),
            "2");
  EXPECT_EQ(MetricValue(registry_,
                        "strata_remote_write_samples_rejected_total{reason="
                        "\"duplicate_sample\"}"),
            "2");
  EXPECT_EQ(MetricValue(registry_,
                        "strata_ha_elected_replica_changes_total{cluster="
                        "\"c1\"}"),
            "1");
}

TEST_F(HaRemoteWriteTest, OtherRejectionsOfTheElectedReplicaAre400) {
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "up"}, {"__replica__", "a"}, {"cluster", "c1"}},
            {{kT0, 1}});
  AddSeries(&req,
            {{"__name__", "bad"},
             {"__replica__", "a"},
             {"cluster", "c1"},
             {"a", "unsorted"}},
            {{kT0, 1}});
  Response r = Write(req);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid_labels: 1"), std::string::npos) << r.body;
  EXPECT_EQ(Stored().count("up{cluster=\"c1\"}"), 1u);
}

}  // namespace
}  // namespace strata::server
