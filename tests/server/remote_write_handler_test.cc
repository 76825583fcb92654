// RemoteWriteHandler and RemoteWriteIngester over a real DB: status codes,
// partial writes, label validation, timestamps, content negotiation,
// overload, commit failures, metadata, and the series ref cache.
#include "server/remote/remote_write_handler.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gtest/gtest.h"
#include "ingest_handler_fixture.h"
#include "remote_test_util.h"
#include "server/remote/metadata_store.h"
#include "snappy.h"
#include "wait_for.h"

namespace strata::server {
namespace {

using testing::AddSeries;
using testing::MetricValue;
using testing::SampleMap;
using testing::V2Builder;
using testing::WriteRequestOf;

constexpr int64_t kT0 = 1795620000000;  // Nov 2026, in the past of the tests.

// A DB whose appenders can be made to fail or to block in Commit, around a
// real DB.
class FaultyDB : public DB {
 public:
  explicit FaultyDB(DB* base) : base_(base) {}

  Status commit_error;
  Status append_error;  // Returned by every Append when set.
  bool refs_not_found = false;
  // While set, Commit waits until it is cleared.
  bool block_commit = false;
  std::mutex mu;
  std::condition_variable cv;
  int committing = 0;

  std::unique_ptr<Appender> NewAppender() override {
    return std::make_unique<FaultyAppender>(this, base_->NewAppender());
  }
  StatusOr<std::unique_ptr<Querier>> NewQuerier(int64_t mint,
                                                int64_t maxt) override {
    return base_->NewQuerier(mint, maxt);
  }
  Status Snapshot(const std::string& dir, bool with_head) override {
    return base_->Snapshot(dir, with_head);
  }
  StatusOr<BackupReport> Backup(const std::string& dir,
                                bool with_head) override {
    return base_->Backup(dir, with_head);
  }
  Status DeleteSeries(const std::vector<Matcher>& m, int64_t a,
                      int64_t b) override {
    return base_->DeleteSeries(m, a, b);
  }
  Status CleanTombstones() override { return base_->CleanTombstones(); }
  Status Compact() override { return base_->Compact(); }
  StatusOr<ScrubReport> Scrub() override { return base_->Scrub(); }
  const ReplayReport& replay_report() const override {
    return base_->replay_report();
  }
  DBStats Stats() const override { return base_->Stats(); }
  std::vector<BlockInfo> Blocks() const override { return base_->Blocks(); }
  const std::string& dir() const override { return base_->dir(); }
  Status Close() override { return Status::OK(); }

 private:
  class FaultyAppender : public Appender {
   public:
    FaultyAppender(FaultyDB* db, std::unique_ptr<Appender> base)
        : db_(db), base_(std::move(base)) {}
    StatusOr<SeriesRef> Append(const Labels& l, int64_t t, double v) override {
      if (!db_->append_error.ok()) return db_->append_error;
      return base_->Append(l, t, v);
    }
    StatusOr<SeriesRef> Append(SeriesRef ref, int64_t t, double v) override {
      if (!db_->append_error.ok()) return db_->append_error;
      if (db_->refs_not_found) return Status::NotFound("unknown series ref");
      return base_->Append(ref, t, v);
    }
    Status Commit() override {
      {
        std::unique_lock<std::mutex> lock(db_->mu);
        ++db_->committing;
        db_->cv.notify_all();
        db_->cv.wait(lock, [this] { return !db_->block_commit; });
        --db_->committing;
      }
      if (!db_->commit_error.ok()) {
        base_->Rollback();
        return db_->commit_error;
      }
      return base_->Commit();
    }
    void Rollback() override { base_->Rollback(); }
    size_t pending() const override { return base_->pending(); }

   private:
    FaultyDB* db_;
    std::unique_ptr<Appender> base_;
  };

  DB* base_;
};

class RemoteWriteHandlerTest
    : public testing::IngestHandlerFixture<RemoteWriteHandler,
                                           RemoteWriteOptions> {
 protected:
  Response Write(const prometheus::WriteRequest& req) {
    Request r = WriteRequestOf(req.SerializeAsString());
    return handler_->Handle(r);
  }

  // Waits until `n` admitted requests wait for an ingest slot.
  bool WaitForWaitingRequests(int n) {
    return strata::testing::WaitFor(
        [&] {
          return MetricValue(*registry_,
                             "strata_remote_write_ingest_waiting_requests") ==
                 std::to_string(n);
        },
        std::chrono::seconds(10));
  }
};

TEST_F(RemoteWriteHandlerTest, StoresSamplesAndAnswers204WithCounts) {
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "up"}, {"job", "a"}},
            {{kT0, 1}, {kT0 + 1000, 0}});
  AddSeries(&req, {{"__name__", "up"}, {"job", "b"}},
            {{kT0, std::bit_cast<double>(kStaleNaNBits)}});
  Response r = Write(req);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.headers.Get("X-Prometheus-Remote-Write-Samples-Written"), "3");
  EXPECT_EQ(r.headers.Get("X-Prometheus-Remote-Write-Histograms-Written"), "0");
  EXPECT_EQ(r.headers.Get("X-Prometheus-Remote-Write-Exemplars-Written"), "0");
  SampleMap stored = Stored();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored["up{job=\"a\"}"],
            (std::vector<std::pair<int64_t, uint64_t>>{
                {kT0, testing::Bits(1)}, {kT0 + 1000, testing::Bits(0)}}));
  EXPECT_EQ(stored["up{job=\"b\"}"],
            (std::vector<std::pair<int64_t, uint64_t>>{{kT0, kStaleNaNBits}}));
  EXPECT_EQ(
      MetricValue(*registry_, "strata_remote_write_samples_written_total"),
      "3");
}

TEST_F(RemoteWriteHandlerTest, ResentBatchesNeverFailRetryably) {
  // Prometheus sends one sample per series per batch in the steady state:
  // re-sending such a batch (after a lost response) is all exact
  // duplicates, accepted.
  prometheus::WriteRequest single;
  AddSeries(&single, {{"__name__", "x"}}, {{kT0, 1.5}});
  AddSeries(&single, {{"__name__", "y"}}, {{kT0, 2.5}});
  EXPECT_EQ(Write(single).status, 204);
  Response again = Write(single);
  EXPECT_EQ(again.status, 204) << again.body;
  EXPECT_EQ(again.headers.Get("X-Prometheus-Remote-Write-Samples-Written"),
            "2");
  // With several samples per series, the older ones are now out of order,
  // as in Prometheus's own receiver: 400, never a retry, nothing changes.
  prometheus::WriteRequest multi;
  AddSeries(&multi, {{"__name__", "x"}}, {{kT0 + 1, 1}, {kT0 + 2, 2}});
  EXPECT_EQ(Write(multi).status, 204);
  const SampleMap before = Stored();
  Response resent = Write(multi);
  EXPECT_EQ(resent.status, 400);
  EXPECT_NE(resent.body.find("out_of_order: 1"), std::string::npos);
  EXPECT_EQ(Stored(), before);
  EXPECT_EQ(before.at("x").size(), 3u);
}

TEST_F(RemoteWriteHandlerTest, InvalidLabelsAre400AndTheRestIsStored) {
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "good"}}, {{kT0, 1}});
  AddSeries(&req, {{"", "x"}, {"__name__", "empty_name"}}, {{kT0, 1}});
  AddSeries(&req, {{"__name__", "unsorted"}, {"b", "1"}, {"a", "2"}},
            {{kT0, 1}});
  AddSeries(&req, {{"__name__", "dup"}, {"a", "1"}, {"a", "2"}}, {{kT0, 1}});
  AddSeries(&req, {{"__name__", "bad-name"}}, {{kT0, 1}});
  AddSeries(&req, {{"__name__", "x"}, {"in-valid", "1"}}, {{kT0, 1}});
  AddSeries(&req, {{"job", "no_metric_name"}}, {{kT0, 1}});
  AddSeries(&req, {}, {{kT0, 1}});
  AddSeries(&req, {{"__name__", "good2"}}, {{kT0, 2}, {kT0 + 1, 3}});
  Response r = Write(req);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.Get("X-Prometheus-Remote-Write-Samples-Written"), "3");
  EXPECT_NE(r.body.find("7 samples rejected (invalid_labels: 7)"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("empty label name"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("label names not sorted"), std::string::npos);
  EXPECT_NE(r.body.find("duplicate label name"), std::string::npos);
  SampleMap stored = Stored();
  EXPECT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored["good"].size(), 1u);
  EXPECT_EQ(stored["good2"].size(), 2u);
  EXPECT_EQ(MetricValue(*registry_,
                        "strata_remote_write_samples_rejected_total{reason="
                        "\"invalid_labels\"}"),
            "7");
}

TEST_F(RemoteWriteHandlerTest, OutOfOrderAndConflictsAre400NotRetryable) {
  prometheus::WriteRequest first;
  AddSeries(&first, {{"__name__", "s"}}, {{kT0 + 10000, 1}});
  ASSERT_EQ(Write(first).status, 204);
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "s"}},
            {{kT0 + 5000, 1},     // Out of order.
             {kT0 + 10000, 2},    // Same time, other value.
             {kT0 + 10000, 1},    // Exact duplicate: fine.
             {kT0 + 20000, 3}});  // New.
  Response r = Write(req);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("out_of_order: 1"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("duplicate_sample: 1"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("{__name__=\"s\"} t=1795620005000"), std::string::npos)
      << r.body;
  EXPECT_EQ(r.headers.Get("X-Prometheus-Remote-Write-Samples-Written"), "2");
  EXPECT_EQ(Stored()["s"], (std::vector<std::pair<int64_t, uint64_t>>{
                               {kT0 + 10000, testing::Bits(1)},
                               {kT0 + 20000, testing::Bits(3)}}));
}

TEST_F(RemoteWriteHandlerTest, FarFutureAndNegativeTimestampsAre400) {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "future"}}, {{now + 3600 * 1000, 1}});
  AddSeries(&req, {{"__name__", "negative"}}, {{-1000, 1}});
  AddSeries(&req, {{"__name__", "now"}}, {{now, 1}});
  Response r = Write(req);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("too_far_in_future: 1"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("out_of_bounds: 1"), std::string::npos) << r.body;
  SampleMap stored = Stored();
  EXPECT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored.count("now"), 1u);
  // The future sample did not poison the head: recent samples still go in.
  prometheus::WriteRequest later;
  AddSeries(&later, {{"__name__", "now"}}, {{now + 1, 2}});
  EXPECT_EQ(Write(later).status, 204);
}

TEST_F(RemoteWriteHandlerTest, ContentNegotiation) {
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "v1"}}, {{kT0, 1}});
  const std::string raw = req.SerializeAsString();
  for (const char* ok :
       {"application/x-protobuf",
        "application/x-protobuf;proto=prometheus.WriteRequest",
        "Application/X-Protobuf; proto=\"prometheus.WriteRequest\""}) {
    Request r = WriteRequestOf(raw, ok);
    EXPECT_EQ(handler_->Handle(r).status, 204) << ok;
  }
  for (const char* bad :
       {"text/plain", "application/json", "application/x-protobuf;proto=foo",
        "application/x-www-form-urlencoded"}) {
    Request r = WriteRequestOf(raw, bad);
    Response resp = handler_->Handle(r);
    EXPECT_EQ(resp.status, 415) << bad;
    EXPECT_NE(resp.body.find("unsupported"), std::string::npos);
  }
  Request gzip = WriteRequestOf(raw);
  gzip.headers.Set("Content-Encoding", "gzip");
  EXPECT_EQ(handler_->Handle(gzip).status, 415);
}

// Issue 15: without both headers a web page's cross-site form POST (which
// can set neither) could write data. Prometheus's receiver takes absent
// headers as 1.0 and snappy; Strata answers 415.
TEST_F(RemoteWriteHandlerTest, MissingContentTypeOrEncodingIs415) {
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "v1"}}, {{kT0, 1}});
  const std::string raw = req.SerializeAsString();
  Request no_type = WriteRequestOf(raw, "");
  Response resp = handler_->Handle(no_type);
  EXPECT_EQ(resp.status, 415);
  EXPECT_EQ(resp.body,
            "missing Content-Type; expected application/x-protobuf\n");
  Request no_encoding = WriteRequestOf(raw);
  no_encoding.headers.Set("Content-Encoding", "");
  resp = handler_->Handle(no_encoding);
  EXPECT_EQ(resp.status, 415);
  EXPECT_EQ(resp.body, "missing Content-Encoding; expected snappy\n");
  // A form POST as a browser sends it cross-site without a preflight.
  Request form = WriteRequestOf(raw, "application/x-www-form-urlencoded");
  form.headers = Headers();
  form.headers.Add("Content-Type", "text/plain");
  EXPECT_EQ(handler_->Handle(form).status, 415);
  EXPECT_TRUE(Stored().empty());
}

// With native histograms on (--enable-feature=native-histograms) the valid
// ones are stored, read back as histograms; those Prometheus 2.42 would
// refuse are counted as invalid and not stored, and the answer is 400
// naming them (2.42: 500, later Prometheus: 400).
TEST_F(RemoteWriteHandlerTest, StoresValidHistogramsAndDropsInvalidOnes) {
  tmp_.EnableNativeHistograms();
  handler_->SetDB(tmp_.db());
  prometheus::WriteRequest req;
  auto* ts = AddSeries(&req, {{"__name__", "native"}}, {});
  auto* valid = ts->add_histograms();
  valid->set_timestamp(kT0);
  valid->set_count_int(2);
  valid->set_sum(1.25);
  auto* span = valid->add_positive_spans();
  span->set_length(1);
  valid->add_positive_deltas(2);
  auto* too_few = ts->add_histograms();
  too_few->set_timestamp(kT0 + 1000);
  too_few->set_count_int(1);
  too_few->add_positive_deltas(5);  // No span for it.
  auto* negative = ts->add_histograms();
  negative->set_timestamp(kT0 + 2000);
  negative->set_count_float(3);
  auto* nspan = negative->add_negative_spans();
  nspan->set_length(1);
  negative->add_negative_counts(-1.5);
  Request r = WriteRequestOf(req.SerializeAsString());
  Response resp = handler_->Handle(r);
  EXPECT_EQ(resp.status, 400) << resp.body;
  EXPECT_EQ(resp.body.rfind("2 native histograms invalid and not stored: ", 0),
            0u)
      << resp.body;
  EXPECT_EQ(resp.headers.Get("X-Prometheus-Remote-Write-Histograms-Written"),
            "1");
  EXPECT_EQ(
      MetricValue(*registry_, "strata_remote_write_histograms_dropped_total"),
      "2");
  EXPECT_EQ(
      MetricValue(*registry_, "strata_remote_write_histograms_invalid_total"),
      "2");
  auto q = tmp_.db()->NewQuerier(INT64_MIN, INT64_MAX);
  ASSERT_TRUE(q.ok());
  auto set = (*q)->Select({Matcher::Equal("__name__", "native")});
  ASSERT_TRUE(set->Next());
  auto it = set->At().NewIterator();
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->t(), kT0);
  ASSERT_EQ(it->value_type(), SampleValueType::kHistogram);
  EXPECT_EQ(it->histogram().count, 2u);
  EXPECT_EQ(it->histogram().sum, 1.25);
  EXPECT_EQ(it->histogram().positive_buckets, (std::vector<int64_t>{2}));
  EXPECT_FALSE(it->Next());

  // The same histogram again is a duplicate (a no-op); another value at
  // that time is refused as a duplicate sample, with 400.
  ts->mutable_histograms()->DeleteSubrange(1, 2);
  Request again = WriteRequestOf(req.SerializeAsString());
  EXPECT_EQ(handler_->Handle(again).status, 204);
  valid->set_sum(2.5);
  Request conflict = WriteRequestOf(req.SerializeAsString());
  Response refused = handler_->Handle(conflict);
  EXPECT_EQ(refused.status, 400) << refused.body;
}

// Prometheus 2.42 without --enable-feature=native-histograms: a request
// holding a native histogram fails whole with 500 "native histograms are
// disabled" (its floats are not stored either).
TEST_F(RemoteWriteHandlerTest, HistogramsWhileDisabledFailTheRequest) {
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "up"}}, {{kT0, 1}});
  auto* ts = AddSeries(&req, {{"__name__", "native"}}, {});
  auto* h = ts->add_histograms();
  h->set_timestamp(kT0);
  h->set_count_int(1);
  Response resp = Write(req);
  EXPECT_EQ(resp.status, 500);
  EXPECT_NE(resp.body.find("native histograms are disabled"), std::string::npos)
      << resp.body;
  EXPECT_TRUE(Stored().empty());
}

TEST_F(RemoteWriteHandlerTest, V2StoresSamplesAndMetadata) {
  V2Builder b;
  auto* ts = b.AddSeries({{"__name__", "reqs_total"}, {"job", "api"}},
                         {{kT0, 10}, {kT0 + 1000, 11}});
  ts->mutable_metadata()->set_type(
      io::prometheus::write::v2::Metadata::METRIC_TYPE_COUNTER);
  ts->mutable_metadata()->set_help_ref(b.Ref("All requests."));
  ts->mutable_metadata()->set_unit_ref(b.Ref("requests"));
  auto* ex = ts->add_exemplars();
  ex->add_labels_refs(b.Ref("trace_id"));
  ex->add_labels_refs(b.Ref("abc"));
  auto* h = b.AddSeries({{"__name__", "native"}}, {});
  h->add_histograms()->set_count_int(1);
  tmp_.EnableNativeHistograms();
  handler_->SetDB(tmp_.db());
  Request r = WriteRequestOf(b.Serialize(), testing::kV2ContentType);
  Response resp = handler_->Handle(r);
  EXPECT_EQ(resp.status, 204) << resp.body;
  EXPECT_EQ(resp.headers.Get("X-Prometheus-Remote-Write-Samples-Written"), "2");
  EXPECT_EQ(resp.headers.Get("X-Prometheus-Remote-Write-Exemplars-Written"),
            "1");
  EXPECT_EQ(resp.headers.Get("X-Prometheus-Remote-Write-Histograms-Written"),
            "1");
  EXPECT_EQ(Stored()["reqs_total{job=\"api\"}"].size(), 2u);
  auto list = metadata_->List("reqs_total", -1, -1);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].second[0],
            (MetadataEntry{"counter", "All requests.", "requests"}));
  EXPECT_EQ(
      MetricValue(*registry_, "strata_remote_write_histograms_dropped_total"),
      "0");

  // A v1 body sent as 2.0 is refused, not silently empty.
  prometheus::WriteRequest v1;
  AddSeries(&v1, {{"__name__", "x"}}, {{kT0, 1}});
  Request wrong =
      WriteRequestOf(v1.SerializeAsString(), testing::kV2ContentType);
  EXPECT_EQ(handler_->Handle(wrong).status, 400);
}

// Exemplars of both versions go to the DB's exemplar storage after their
// series' samples; refused ones are dropped, the request still succeeds.
TEST_F(RemoteWriteHandlerTest, ExemplarsAreStoredAndRefusedOnesDropped) {
  tmp_.db()->SetMaxExemplars(100);
  prometheus::WriteRequest v1;
  auto* a = AddSeries(&v1, {{"__name__", "a"}}, {{kT0, 1}});
  for (int64_t t : {kT0, kT0 - 5}) {  // The second is out of order.
    prometheus::Exemplar* e = a->add_exemplars();
    e->set_timestamp(t);
    e->set_value(2);
    prometheus::Label* l = e->add_labels();
    l->set_name("trace_id");
    l->set_value("v1-" + std::to_string(t - kT0));
  }
  auto* ghost = AddSeries(&v1, {{"__name__", "ghost"}}, {});
  ghost->add_exemplars()->set_timestamp(kT0);  // No such series.
  Response resp = Write(v1);
  EXPECT_EQ(resp.status, 204) << resp.body;
  EXPECT_EQ(resp.headers.Get("X-Prometheus-Remote-Write-Exemplars-Written"),
            "2");  // Taken: both of `a` (checked against stored ones).

  V2Builder b;
  auto* ts = b.AddSeries({{"__name__", "a"}}, {});  // Exemplar alone.
  auto* ex = ts->add_exemplars();
  ex->add_labels_refs(b.Ref("trace_id"));
  ex->add_labels_refs(b.Ref("v2"));
  ex->set_value(3);
  ex->set_timestamp(kT0 + 1000);
  Request v2 = WriteRequestOf(b.Serialize(), testing::kV2ContentType);
  resp = handler_->Handle(v2);
  EXPECT_EQ(resp.status, 204) << resp.body;
  EXPECT_EQ(resp.headers.Get("X-Prometheus-Remote-Write-Exemplars-Written"),
            "1");

  StatusOr<std::unique_ptr<ExemplarQuerier>> q =
      tmp_.db()->NewExemplarQuerier();
  ASSERT_TRUE(q.ok());
  StatusOr<std::vector<ExemplarSeries>> got =
      (*q)->Select(0, INT64_MAX, {{Matcher::NotEqual("__name__", "")}});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  const std::vector<Exemplar>& stored = (*got)[0].exemplars;
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].labels.Get("trace_id"), "v1-0");
  EXPECT_EQ(stored[0].t_ms, kT0);
  EXPECT_EQ(stored[1].labels.Get("trace_id"), "v2");
  EXPECT_EQ(stored[1].value, 3);
  EXPECT_EQ(tmp_.db()->Stats().exemplars.out_of_order, 1);
}

TEST_F(RemoteWriteHandlerTest, V1MetadataIsStoredAndPersisted) {
  prometheus::WriteRequest req;
  auto* md = req.add_metadata();
  md->set_type(prometheus::MetricMetadata::GAUGE);
  md->set_metric_family_name("temperature");
  md->set_help("Degrees.");
  md->set_unit("celsius");
  EXPECT_EQ(Write(req).status, 204);
  ASSERT_TRUE(metadata_->Flush().ok());
  MetadataStore reloaded(nullptr, tmp_.dir() + "/metadata");
  ASSERT_TRUE(reloaded.Load().ok());
  auto list = reloaded.List("", -1, -1);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].first, "temperature");
  EXPECT_EQ(list[0].second[0], (MetadataEntry{"gauge", "Degrees.", "celsius"}));
}

TEST_F(RemoteWriteHandlerTest, MalformedBodiesAre400AndNothingIsStored) {
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "x"}}, {{kT0, 1}});
  const std::string good = testing::Snappy(req.SerializeAsString());

  const auto send = [&](std::string body) {
    Request r = WriteRequestOf("");
    r.body = std::move(body);
    return handler_->Handle(r);
  };
  EXPECT_EQ(send("garbage that is not snappy at all").status, 400);
  EXPECT_EQ(send("").status, 400);
  // Truncated snappy: every proper prefix fails, none crashes.
  for (size_t n = 1; n < good.size(); ++n) {
    EXPECT_EQ(send(good.substr(0, n)).status, 400) << n;
  }
  // A declared length of about 4 GiB (uvarint 0xffffffff) and one of 2^63.
  EXPECT_EQ(send(std::string("\xff\xff\xff\xff\x0f\x00", 6)).status, 400);
  Response huge =
      send(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x00", 10));
  EXPECT_EQ(huge.status, 400);
  // Valid snappy around an invalid protobuf.
  EXPECT_EQ(send(testing::Snappy("\x0a\x05\x01")).status, 400);
  EXPECT_TRUE(Stored().empty());
  EXPECT_EQ(send(good).status, 204);
}

TEST_F(RemoteWriteHandlerTest, CommitFailureIs500AndUnavailableIs503) {
  FaultyDB faulty(tmp_.db());
  handler_->SetDB(&faulty);
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "x"}}, {{kT0, 1}});
  faulty.commit_error = Status::IOError("disk on fire");
  Response r = Write(req);
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("disk on fire"), std::string::npos);
  faulty.commit_error = Status::Unavailable("db is closed");
  EXPECT_EQ(Write(req).status, 503);
  faulty.commit_error = Status::OK();
  faulty.append_error = Status::IOError("wal broken");
  EXPECT_EQ(Write(req).status, 500);
  faulty.append_error = Status::OK();
  EXPECT_EQ(Write(req).status, 204);  // The retry succeeds.
  EXPECT_EQ(Stored()["x"].size(), 1u);
  handler_->SetDB(nullptr);
  EXPECT_EQ(Write(req).status, 503);
}

TEST_F(RemoteWriteHandlerTest, StaleCachedRefsFallBackToLabels) {
  FaultyDB faulty(tmp_.db());
  handler_->SetDB(&faulty);
  prometheus::WriteRequest a;
  AddSeries(&a, {{"__name__", "x"}}, {{kT0, 1}});
  ASSERT_EQ(Write(a).status, 204);  // Caches the ref.
  faulty.refs_not_found = true;     // As if the head dropped the series.
  prometheus::WriteRequest b;
  AddSeries(&b, {{"__name__", "x"}}, {{kT0 + 1, 2}});
  EXPECT_EQ(Write(b).status, 204);
  EXPECT_EQ(Stored()["x"].size(), 2u);
}

TEST_F(RemoteWriteHandlerTest, CacheHitsSkipLabelWork) {
  prometheus::WriteRequest req;
  for (int i = 0; i < 50; ++i) {
    AddSeries(&req, {{"__name__", "m"}, {"i", std::to_string(i)}}, {{kT0, 1}});
  }
  ASSERT_EQ(Write(req).status, 204);
  for (auto& ts : *req.mutable_timeseries()) {
    ts.mutable_samples(0)->set_timestamp(kT0 + 1000);
  }
  ASSERT_EQ(Write(req).status, 204);
  EXPECT_EQ(
      MetricValue(*registry_, "strata_remote_write_series_cache_misses_total"),
      "50");
  EXPECT_EQ(
      MetricValue(*registry_, "strata_remote_write_series_received_total"),
      "100");
  EXPECT_EQ(Stored().size(), 50u);
}

TEST_F(RemoteWriteHandlerTest, OverloadIs429WithRetryAfter) {
  RemoteWriteOptions options;
  options.max_inflight_requests = 1;
  options.retry_after_seconds = 7;
  MakeHandler(options);
  FaultyDB faulty(tmp_.db());
  handler_->SetDB(&faulty);
  faulty.block_commit = true;
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", "x"}}, {{kT0, 1}});
  std::thread first([&] { EXPECT_EQ(Write(req).status, 204); });
  {
    std::unique_lock<std::mutex> lock(faulty.mu);
    faulty.cv.wait(lock, [&] { return faulty.committing == 1; });
  }
  Response r = Write(req);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.Get("Retry-After"), "7");
  {
    std::lock_guard<std::mutex> lock(faulty.mu);
    faulty.block_commit = false;
    faulty.cv.notify_all();
  }
  first.join();
  EXPECT_EQ(Write(req).status, 204);
  EXPECT_EQ(MetricValue(*registry_,
                        "strata_remote_write_requests_refused_total{reason="
                        "\"overloaded\"}"),
            "1");
}

// Holds the commits of FaultyDB while in scope, and releases them after.
class CommitBlocker {
 public:
  explicit CommitBlocker(FaultyDB* db) : db_(db) {
    std::lock_guard<std::mutex> lock(db_->mu);
    db_->block_commit = true;
  }
  ~CommitBlocker() {
    std::lock_guard<std::mutex> lock(db_->mu);
    db_->block_commit = false;
    db_->cv.notify_all();
  }
  // Waits until `n` commits are blocked.
  void WaitForCommitting(int n) {
    std::unique_lock<std::mutex> lock(db_->mu);
    db_->cv.wait(lock, [&] { return db_->committing == n; });
  }

 private:
  FaultyDB* db_;
};

prometheus::WriteRequest OneSample(const std::string& name) {
  prometheus::WriteRequest req;
  AddSeries(&req, {{"__name__", name}}, {{kT0, 1}});
  return req;
}

// The in-flight budget counts requests waiting for an ingest slot: past the
// slots they wait (no 429), past the budget they are refused.
TEST_F(RemoteWriteHandlerTest, AdmittedRequestsWaitForAnIngestSlot) {
  RemoteWriteOptions options;
  options.max_inflight_requests = 2;
  options.ingest_concurrency = 1;
  MakeHandler(options);
  FaultyDB faulty(tmp_.db());
  handler_->SetDB(&faulty);
  std::thread first, second;
  {
    CommitBlocker blocker(&faulty);
    first = std::thread([&] { EXPECT_EQ(Write(OneSample("a")).status, 204); });
    blocker.WaitForCommitting(1);
    second = std::thread([&] { EXPECT_EQ(Write(OneSample("b")).status, 204); });
    ASSERT_TRUE(WaitForWaitingRequests(1));
    const Response third = Write(OneSample("c"));
    EXPECT_EQ(third.status, 429);
    EXPECT_EQ(third.headers.Get("Retry-After"), "1");
  }
  first.join();
  second.join();
  EXPECT_EQ(Stored().size(), 2u);
  EXPECT_EQ(MetricValue(*registry_,
                        "strata_remote_write_requests_refused_total{reason="
                        "\"overloaded\"}"),
            "1");
}

// A request whose sender went away while it waited for a slot is not
// stored (nothing was acknowledged; the sender retries it).
TEST_F(RemoteWriteHandlerTest, WaitingRequestOfAGoneClientIsDropped) {
  RemoteWriteOptions options;
  options.ingest_concurrency = 1;
  MakeHandler(options);
  FaultyDB faulty(tmp_.db());
  handler_->SetDB(&faulty);
  std::thread first, second;
  auto gone = std::make_shared<std::atomic<bool>>(false);
  int second_status = 0;
  {
    CommitBlocker blocker(&faulty);
    first = std::thread([&] { EXPECT_EQ(Write(OneSample("a")).status, 204); });
    blocker.WaitForCommitting(1);
    second = std::thread([&] {
      Request r = WriteRequestOf(OneSample("b").SerializeAsString());
      r.client_gone = gone;
      second_status = handler_->Handle(r).status;
    });
    ASSERT_TRUE(WaitForWaitingRequests(1));
    gone->store(true);
    second.join();
  }
  first.join();
  EXPECT_EQ(second_status, 503);
  EXPECT_EQ(Stored().size(), 1u);
  EXPECT_EQ(MetricValue(*registry_,
                        "strata_remote_write_requests_refused_total{reason="
                        "\"canceled\"}"),
            "1");
}

// The byte budget counts what a request holds while ingested: its
// compressed body, the decompressed body and the decoded batch (estimated
// as large again), not the decompressed size alone.
TEST_F(RemoteWriteHandlerTest, InflightBytesCountBodyAndDecodedBatch) {
  prometheus::WriteRequest req;
  for (int i = 0; i < 100; ++i) {
    AddSeries(&req, {{"__name__", "m"}, {"i", std::to_string(i)}}, {{kT0, 1}});
  }
  const Request probe = WriteRequestOf(req.SerializeAsString());
  size_t decoded = 0;
  ASSERT_TRUE(snappy::GetUncompressedLength(probe.body.data(),
                                            probe.body.size(), &decoded));
  const int64_t one = static_cast<int64_t>(probe.body.size() + 2 * decoded);
  RemoteWriteOptions options;
  // Room for one request and a half: two decompressed bodies alone fit.
  options.max_inflight_bytes = one + one / 2;
  ASSERT_GE(options.max_inflight_bytes, static_cast<int64_t>(2 * decoded));
  MakeHandler(options);
  FaultyDB faulty(tmp_.db());
  handler_->SetDB(&faulty);
  std::thread first;
  {
    CommitBlocker blocker(&faulty);
    first = std::thread([&] { EXPECT_EQ(Write(req).status, 204); });
    blocker.WaitForCommitting(1);
    EXPECT_EQ(Write(req).status, 429);
  }
  first.join();
  EXPECT_EQ(Write(req).status, 204);
}

TEST_F(RemoteWriteHandlerTest, ConcurrentWritersToDistinctSeries) {
  constexpr int kThreads = 4;
  constexpr int kBatches = 30;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      for (int b = 0; b < kBatches; ++b) {
        prometheus::WriteRequest req;
        for (int s = 0; s < 20; ++s) {
          AddSeries(&req,
                    {{"__name__", "c"},
                     {"s", std::to_string(s)},
                     {"w", std::to_string(w)}},
                    {{kT0 + b * 1000, static_cast<double>(b)}});
        }
        Request r = WriteRequestOf(req.SerializeAsString());
        const int status = handler_->Handle(r).status;
        if (status != 204 && status != 429) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Stored().size(), static_cast<size_t>(kThreads * 20));
}

}  // namespace
}  // namespace strata::server
