// Helpers for the remote read/write tests: requests encoded with the real
// protobuf library (an implementation independent of the handlers' own
// wire decoder), a temporary DB, and reading samples back.
#ifndef STRATA_TESTS_SERVER_REMOTE_TEST_UTIL_H_
#define STRATA_TESTS_SERVER_REMOTE_TEST_UTIL_H_

#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "io/prometheus/write/v2/types.pb.h"
#include "prometheus/remote.pb.h"
#include "server/http/http.h"
#include "snappy.h"
#include "strata/db.h"
#include "temp_dir.h"

namespace strata::server::testing {

inline std::string Snappy(const std::string& raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

inline void AddLabel(prometheus::TimeSeries* ts, const std::string& name,
                     const std::string& value) {
  prometheus::Label* l = ts->add_labels();
  l->set_name(name);
  l->set_value(value);
}

inline void AddSample(prometheus::TimeSeries* ts, int64_t t, double v) {
  prometheus::Sample* s = ts->add_samples();
  s->set_timestamp(t);
  s->set_value(v);
}

// A series with `labels` (in the given order) and samples.
inline prometheus::TimeSeries* AddSeries(
    prometheus::WriteRequest* req,
    const std::vector<std::pair<std::string, std::string>>& labels,
    const std::vector<std::pair<int64_t, double>>& samples) {
  prometheus::TimeSeries* ts = req->add_timeseries();
  for (const auto& [n, v] : labels) AddLabel(ts, n, v);
  for (const auto& [t, v] : samples) AddSample(ts, t, v);
  return ts;
}

// Builds a 2.0 request: labels and metadata strings go through the symbol
// table, which starts with "".
class V2Builder {
 public:
  V2Builder() { Ref(""); }

  uint32_t Ref(const std::string& s) {
    auto it = refs_.find(s);
    if (it != refs_.end()) return it->second;
    const uint32_t ref = static_cast<uint32_t>(req_.symbols_size());
    req_.add_symbols(s);
    refs_[s] = ref;
    return ref;
  }

  io::prometheus::write::v2::TimeSeries* AddSeries(
      const std::vector<std::pair<std::string, std::string>>& labels,
      const std::vector<std::pair<int64_t, double>>& samples) {
    auto* ts = req_.add_timeseries();
    for (const auto& [n, v] : labels) {
      ts->add_labels_refs(Ref(n));
      ts->add_labels_refs(Ref(v));
    }
    for (const auto& [t, v] : samples) {
      auto* s = ts->add_samples();
      s->set_timestamp(t);
      s->set_value(v);
    }
    return ts;
  }

  io::prometheus::write::v2::Request& request() { return req_; }
  std::string Serialize() const { return req_.SerializeAsString(); }

 private:
  io::prometheus::write::v2::Request req_;
  std::map<std::string, uint32_t> refs_;
};

inline constexpr char kV2ContentType[] =
    "application/x-protobuf;proto=io.prometheus.write.v2.Request";

inline Request WriteRequestOf(
    const std::string& body_raw,
    const std::string& content_type = "application/x-protobuf") {
  Request r;
  r.method = "POST";
  r.path = "/api/v1/write";
  r.target = r.path;
  if (!content_type.empty()) r.headers.Add("Content-Type", content_type);
  r.headers.Add("Content-Encoding", "snappy");
  r.headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
  r.body = Snappy(body_raw);
  return r;
}

// A DB in a fresh temporary directory, removed afterwards.
class TempDB {
 public:
  TempDB() { Reopen(); }
  ~TempDB() {
    if (db_) (void)db_->Close();
    db_.reset();
  }
  void Reopen() {
    if (db_) {
      ASSERT_TRUE(db_->Close().ok());
    }
    db_.reset();
    Options options;
    options.background_compaction = false;
    options.enable_native_histograms = native_histograms_;
    StatusOr<std::unique_ptr<DB>> db = DB::Open(options, dir_ + "/data");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  // Reopens with Options::enable_native_histograms on.
  void EnableNativeHistograms() {
    native_histograms_ = true;
    Reopen();
  }
  DB* db() { return db_.get(); }
  const std::string& dir() const { return dir_; }
  std::string data_dir() const { return dir_ + "/data"; }

 private:
  strata::testing::TempDir tmp_{"strata-remote-test"};
  const std::string dir_ = tmp_.path();
  bool native_histograms_ = false;
  std::unique_ptr<DB> db_;
};

// Every sample of every series matching `matchers` in [mint, maxt], keyed
// by the series' text form; values as bit patterns so NaNs compare.
using SampleMap =
    std::map<std::string, std::vector<std::pair<int64_t, uint64_t>>>;

inline uint64_t Bits(double v) {
  uint64_t b;
  static_assert(sizeof(b) == sizeof(v));
  std::memcpy(&b, &v, sizeof(b));
  return b;
}

inline SampleMap ReadAll(DB* db, const std::vector<Matcher>& matchers,
                         int64_t mint = INT64_MIN / 2,
                         int64_t maxt = INT64_MAX / 2) {
  SampleMap out;
  StatusOr<std::unique_ptr<Querier>> q = db->NewQuerier(mint, maxt);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  if (!q.ok()) return out;
  std::unique_ptr<SeriesSet> set = (*q)->Select(matchers);
  while (set->Next()) {
    auto& samples = out[set->At().labels().ToString()];
    std::unique_ptr<SampleIterator> it = set->At().NewIterator();
    while (it->Next()) samples.emplace_back(it->t(), Bits(it->v()));
    EXPECT_TRUE(it->status().ok());
  }
  EXPECT_TRUE(set->status().ok()) << set->status().ToString();
  return out;
}

inline std::vector<Matcher> AllSeries() {
  return {
      Matcher::Create(Matcher::Type::kRegexMatch, "__name__", ".+").value()};
}

}  // namespace strata::server::testing

#endif  // STRATA_TESTS_SERVER_REMOTE_TEST_UTIL_H_
