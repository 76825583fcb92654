// HaTracker (election, failover on a fake clock, several clusters, the
// cluster limit, metrics), FindHaLabels, and the remote write handler with
// HA tracking on: the replica label is stripped, the cluster label kept,
// non-elected replicas are answered 202 and dropped, requests without the
// labels are unchanged, overlap after a failover is acknowledged, and the
// standby buffer (bounds, replay order, the replay's samples stored).
#include "server/remote/ha_tracker.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "ingest_handler_fixture.h"
#include "remote_test_util.h"
#include "server/metrics/metrics.h"
#include "server/remote/remote_write_handler.h"

namespace strata::server {
namespace {

using Decision = HaTracker::Decision;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::AddSeries;
using testing::Bits;
using testing::MetricValue;
using testing::SampleMap;
using testing::V2Builder;
using testing::WriteRequestOf;
using Samples = std::vector<std::pair<int64_t, uint64_t>>;

constexpr int64_t kT0 = 1795620000000;  // Nov 2026, in the past of the tests.

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

StandbyRequest Body(std::string text) {
  return StandbyRequest{RemoteWriteVersion::kV1, std::move(text)};
}

// The bodies of `requests`, in order.
std::vector<std::string> BodiesOf(const std::vector<StandbyRequest>& requests) {
  std::vector<std::string> out;
  for (const StandbyRequest& r : requests) out.push_back(r.body);
  return out;
}

TEST_F(HaTrackerTest, AFailoverHandsOutTheNewReplicasBufferedRequestsInOrder) {
  HaTracker tracker(TrackerOptions(&clock_), &registry_);
  ASSERT_EQ(tracker.Admit("c1", "a", 1), Decision::kAccept);
  std::vector<StandbyRequest> replay;
  for (const char* text : {"b1", "c1", "b2"}) {
    StandbyRequest r = Body(text);
    const std::string replica(1, text[0]);
    ASSERT_EQ(tracker.Admit("c1", replica, 1, &r, &replay),
              Decision::kDeduplicate);
    clock_.Advance(seconds(10));
  }
  // Another cluster's standby is kept apart.
  ASSERT_EQ(tracker.Admit("c2", "x", 1), Decision::kAccept);
  StandbyRequest other = Body("y1");
  ASSERT_EQ(tracker.Admit("c2", "y", 1, &other, &replay),
            Decision::kDeduplicate);
  EXPECT_GT(tracker.StandbyBufferBytes(), 0u);
  EXPECT_EQ(MetricValue(registry_, "strata_ha_standby_buffer_bytes"),
            std::to_string(tracker.StandbyBufferBytes()));
  StandbyRequest current = Body("b3");
  ASSERT_EQ(tracker.Admit("c1", "b", 1, &current, &replay), Decision::kAccept);
  EXPECT_EQ(BodiesOf(replay), (std::vector<std::string>{"b1", "b2"}));
  EXPECT_EQ(current.body, "b3");  // Accepted requests are not buffered.
  tracker.FinishReplay("c1", 7);
  EXPECT_EQ(MetricValue(registry_,
                        "strata_ha_samples_replayed_total{cluster=\"c1\"}"),
            "7");
  // At a failover to c: c's requests since (b's are gone with its
  // election; "c1" is past the age bound by then).
  replay.clear();
  clock_.Advance(seconds(20));
  StandbyRequest c2 = Body("c2");
  ASSERT_EQ(tracker.Admit("c1", "c", 1, &c2, &replay), Decision::kDeduplicate);
  clock_.Advance(seconds(30));
  StandbyRequest c3 = Body("c3");
  ASSERT_EQ(tracker.Admit("c1", "c", 1, &c3, &replay), Decision::kAccept);
  EXPECT_EQ(BodiesOf(replay), (std::vector<std::string>{"c2"}));
  tracker.FinishReplay("c1", 0);
  EXPECT_EQ(MetricValue(registry_,
                        "strata_ha_elected_replica_changes_total{cluster="
                        "\"c1\"}"),
            "2");
}

TEST_F(HaTrackerTest, TheStandbyBufferDropsRequestsOlderThanTimeoutPlusMargin) {
  HaTrackerOptions options = TrackerOptions(&clock_);
  options.standby_buffer_margin = seconds(5);
  HaTracker tracker(options, &registry_);
  ASSERT_EQ(tracker.Admit("c1", "a", 1), Decision::kAccept);
  std::vector<StandbyRequest> replay;
  StandbyRequest old = Body("old");
  ASSERT_EQ(tracker.Admit("c1", "b", 1, &old, &replay), Decision::kDeduplicate);
  clock_.Advance(seconds(6));
  StandbyRequest recent = Body("recent");
  ASSERT_EQ(tracker.Admit("c1", "b", 1, &recent, &replay),
            Decision::kDeduplicate);
  // "old" is 35 s + 1 ms old at the failover: past 30 s + 5 s.
  clock_.Advance(milliseconds(29001));
  StandbyRequest current = Body("now");
  ASSERT_EQ(tracker.Admit("c1", "b", 1, &current, &replay), Decision::kAccept);
  EXPECT_EQ(BodiesOf(replay), (std::vector<std::string>{"recent"}));
  tracker.FinishReplay("c1", 0);
  EXPECT_EQ(tracker.StandbyBufferBytes(), 0u);
}

TEST_F(HaTrackerTest, TheStandbyBufferKeepsTheNewestWithinItsBytes) {
  std::vector<StandbyRequest> replay;
  size_t entry_bytes = 0;  // What one 100-byte body costs.
  {
    HaTracker probe(TrackerOptions(&clock_), nullptr);
    probe.Admit("c1", "a", 1);
    StandbyRequest r = Body(std::string(100, 'x'));
    probe.Admit("c1", "b", 1, &r, &replay);
    entry_bytes = probe.StandbyBufferBytes();
  }
  HaTrackerOptions options = TrackerOptions(&clock_);
  options.standby_buffer_bytes = 2 * entry_bytes;
  HaTracker tracker(options, &registry_);
  ASSERT_EQ(tracker.Admit("c1", "a", 1), Decision::kAccept);
  for (char c : {'1', '2', '3'}) {
    StandbyRequest r = Body(std::string(100, c));
    ASSERT_EQ(tracker.Admit("c1", "b", 1, &r, &replay), Decision::kDeduplicate);
    EXPECT_LE(tracker.StandbyBufferBytes(), 2 * entry_bytes);
  }
  // Too large to fit at all: not kept, nothing evicted for it.
  StandbyRequest huge = Body(std::string(3 * entry_bytes, 'h'));
  ASSERT_EQ(tracker.Admit("c1", "b", 1, &huge, &replay),
            Decision::kDeduplicate);
  EXPECT_EQ(tracker.StandbyBufferBytes(), 2 * entry_bytes);
  clock_.Advance(seconds(30));
  StandbyRequest current = Body("now");
  ASSERT_EQ(tracker.Admit("c1", "b", 1, &current, &replay), Decision::kAccept);
  EXPECT_EQ(
      BodiesOf(replay),
      (std::vector<std::string>{std::string(100, '2'), std::string(100, '3')}));
  tracker.FinishReplay("c1", 0);

  // 0 disables the buffer.
  options.standby_buffer_bytes = 0;
  HaTracker disabled(options, nullptr);
  disabled.Admit("c1", "a", 1);
  StandbyRequest r = Body("x");
  disabled.Admit("c1", "b", 1, &r, &replay);
  EXPECT_EQ(disabled.StandbyBufferBytes(), 0u);
  EXPECT_EQ(r.body, "x");
}

TEST_F(HaTrackerTest, TheElectedReplicaWaitsForItsReplay) {
  HaTracker tracker(TrackerOptions(&clock_), &registry_);
  ASSERT_EQ(tracker.Admit("c1", "a", 1), Decision::kAccept);
  std::vector<StandbyRequest> replay;
  StandbyRequest r = Body("b1");
  ASSERT_EQ(tracker.Admit("c1", "b", 1, &r, &replay), Decision::kDeduplicate);
  clock_.Advance(seconds(30));
  ASSERT_EQ(tracker.Admit("c1", "b", 1, nullptr, &replay), Decision::kAccept);
  ASSERT_EQ(replay.size(), 1u);
  // The old replica is decided at once; the new one waits for the replay.
  EXPECT_EQ(tracker.Admit("c1", "a", 1), Decision::kDeduplicate);
  std::atomic<bool> admitted{false};
  std::thread next([&] {
    EXPECT_EQ(tracker.Admit("c1", "b", 1), Decision::kAccept);
    admitted = true;
  });
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_FALSE(admitted);
  tracker.FinishReplay("c1", 1);
  next.join();
  EXPECT_TRUE(admitted);
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
class HaRemoteWriteTest
    : public testing::IngestHandlerFixture<RemoteWriteHandler,
                                           RemoteWriteOptions> {
 protected:
  void SetUp() override {
    RemoteWriteOptions options;
    options.ha = TrackerOptions(&clock_);
    MakeHandler(options);
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

  // The handler (a member of the base) reads clock_: it goes first.
  void TearDown() override { handler_.reset(); }

  FakeClock clock_;
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
  EXPECT_EQ(
      MetricValue(*registry_, "strata_remote_write_samples_written_total"),
      "4");
  EXPECT_EQ(MetricValue(*registry_,
                        "strata_ha_samples_deduplicated_total{cluster=\"c1\"}"),
            "4");
  EXPECT_EQ(MetricValue(*registry_,
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
  EXPECT_EQ(MetricValue(*registry_,
                        "strata_remote_write_samples_rejected_total{reason="
                        "\"out_of_order\"}"),
            "2");
  EXPECT_EQ(MetricValue(*registry_,
                        "strata_remote_write_samples_rejected_total{reason="
                        "\"duplicate_sample\"}"),
            "2");
  EXPECT_EQ(MetricValue(*registry_,
                        "strata_ha_elected_replica_changes_total{cluster="
                        "\"c1\"}"),
            "1");
}

TEST_F(HaRemoteWriteTest, AFailoverStoresTheStandbysNewerBufferedSamples) {
  ASSERT_EQ(WriteFrom("a", {{kT0, 1}, {kT0 + 2000, 3}}).status, 204);
  // b's requests while a is still elected: dropped, acknowledged, kept.
  clock_.Advance(seconds(5));
  EXPECT_EQ(WriteFrom("b", {{kT0 + 1500, 2}, {kT0 + 2500, 4}}).status, 202);
  clock_.Advance(seconds(10));
  EXPECT_EQ(WriteFrom("b", {{kT0 + 12500, 5}}).status, 202);
  EXPECT_NE(MetricValue(*registry_, "strata_ha_standby_buffer_bytes"), "0");
  clock_.Advance(seconds(25));  // 40 s since a's last request.
  Response b = WriteFrom("b", {{kT0 + 40500, 6}});
  EXPECT_EQ(b.status, 204) << b.body;
  // b's samples newer than a's last one fill the gap; the older one is
  // overlap, dropped.
  const Samples want = {{kT0, Bits(1)},
                        {kT0 + 2000, Bits(3)},
                        {kT0 + 2500, Bits(4)},
                        {kT0 + 12500, Bits(5)},
                        {kT0 + 40500, Bits(6)}};
  const SampleMap stored = Stored();
  EXPECT_EQ(stored.at("up{cluster=\"c1\"}"), want);
  EXPECT_EQ(stored.at("reqs{cluster=\"c1\", job=\"api\"}"), want);
  EXPECT_EQ(MetricValue(*registry_,
                        "strata_ha_samples_replayed_total{cluster=\"c1\"}"),
            "4");
  EXPECT_EQ(MetricValue(*registry_, "strata_ha_standby_buffer_bytes"), "0");
  EXPECT_EQ(MetricValue(*registry_,
                        "strata_remote_write_samples_rejected_total{reason="
                        "\"out_of_order\"}"),
            "2");
  // a, now the standby, is buffered in turn.
  EXPECT_EQ(WriteFrom("a", {{kT0 + 41000, 7}}).status, 202);
  EXPECT_NE(MetricValue(*registry_, "strata_ha_standby_buffer_bytes"), "0");
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
