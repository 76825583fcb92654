// Rules over native histograms, as Prometheus 2.42 evaluates them
// (rules/manager.go, alerting.go): a recording rule whose result is a
// histogram appends it as a float histogram marked as a gauge histogram
// (2.42's AppendHistogram with CounterResetHint = GaugeType), queried back
// unchanged; when the result vanishes a stale marker ends the series; an
// alerting rule over a histogram expression keeps its elements, with the
// value 0 (2.42's Sample.V of a histogram).
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rules/rule_group.h"
#include "rules_test_util.h"

namespace strata::rules {
namespace {

using testing::kMinute;
constexpr int64_t kStep = 15 * 1000;

// Schema 0, counts growing with k (a counter histogram).
Histogram Counter(uint64_t k) {
  Histogram h;
  h.schema = 0;
  h.zero_threshold = 0.001;
  h.zero_count = k;
  h.positive_spans = {{0, 2}, {1, 1}};
  h.positive_buckets = {static_cast<int64_t>(k), static_cast<int64_t>(k),
                        static_cast<int64_t>(k)};  // Deltas: k, 2k, 3k.
  h.count = h.zero_count + 6 * k;
  h.sum = 2.5 * static_cast<double>(k);
  return h;
}

class HistogramRulesTest : public testing::RulesTest {
 protected:
  void SetUp() override {
    native_histograms_ = true;
    RulesTest::SetUp();
  }

  std::unique_ptr<RuleGroup> NewGroup(std::string_view yaml) {
    GroupOptions options;
    options.db = db_.get();
    options.engine = &engine_;
    options.interval_ms = kMinute;
    auto group = RuleGroup::Create("rules.yml", ParseGroup(yaml), options);
    EXPECT_TRUE(group.ok()) << group.status().ToString();
    return group.ok() ? std::move(*group) : nullptr;
  }

  // h{job} every 15 s over [0, end], counts growing by `per_step`.
  void AppendCounter(const std::string& job, int64_t end, uint64_t per_step) {
    const Labels labels = Labels::Of({{"__name__", "h"}, {"job", job}});
    for (int64_t t = 0; t <= end; t += kStep) {
      auto app = db_->NewAppender();
      const Histogram h = Counter(per_step * static_cast<uint64_t>(t / kStep));
      ASSERT_TRUE(app->AppendHistogram(labels, t, &h, nullptr).ok());
      ASSERT_TRUE(app->Commit().ok());
    }
  }

  // The samples stored for exactly `labels` in [mint, maxt].
  struct Stored {
    int64_t t = 0;
    SampleValueType type = SampleValueType::kFloat;
    double v = 0;
    FloatHistogram h;
  };
  std::vector<Stored> StoredSamples(const Labels& labels, int64_t mint,
                                    int64_t maxt) {
    std::vector<Stored> out;
    ForEachRaw(labels, mint, maxt, [&out](const SampleIterator& it) {
      out.push_back({it.t(), it.value_type(), it.v(), it.float_histogram()});
    });
    return out;
  }

  // The histogram `query` gives at `t` (exactly one element expected).
  FloatHistogram QueryHistogram(std::string_view query, int64_t t) {
    auto r = engine_.Instant(*db_, query, t);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || r->vector.size() != 1 || r->vector[0].h == nullptr) {
      ADD_FAILURE() << query << " gave no single histogram";
      return {};
    }
    return *r->vector[0].h;
  }
};

void ExpectSameHistogram(const FloatHistogram& got,
                         const FloatHistogram& want) {
  EXPECT_EQ(got.schema, want.schema);
  EXPECT_EQ(got.zero_threshold, want.zero_threshold);
  EXPECT_EQ(got.zero_count, want.zero_count);
  EXPECT_EQ(got.count, want.count);
  EXPECT_EQ(got.sum, want.sum);
  EXPECT_EQ(got.positive_spans, want.positive_spans);
  EXPECT_EQ(got.positive_buckets, want.positive_buckets);
  EXPECT_EQ(got.negative_spans, want.negative_spans);
  EXPECT_EQ(got.negative_buckets, want.negative_buckets);
}

TEST_F(HistogramRulesTest, RecordingRuleAppendsHistogramResultsAsGauges) {
  AppendCounter("a", 10 * kMinute, 1);
  AppendCounter("b", 10 * kMinute, 3);
  auto group = NewGroup(R"(groups:
- name: g
  rules:
  - record: job:h:rate_sum
    expr: sum(rate(h[5m]))
  - record: h:copy
    expr: h
  - record: h:count
    expr: histogram_count(sum(rate(h[5m])))
)");
  ASSERT_NE(group, nullptr);
  const int64_t t = 10 * kMinute;
  group->Eval(t);
  const GroupStatus status = group->Status();
  for (const RuleStatus& r : status.rules) {
    EXPECT_EQ(r.health, RuleHealth::kOk) << r.name << ": " << r.last_error;
  }

  const FloatHistogram want = QueryHistogram("sum(rate(h[5m]))", t);
  // (1 + 3) per 15 s in each of the zero bucket and the three buckets.
  EXPECT_DOUBLE_EQ(want.zero_count, 4.0 / 15);
  const Labels rate_sum = Labels::Of({{"__name__", "job:h:rate_sum"}});
  std::vector<Stored> stored = StoredSamples(rate_sum, 0, t);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].t, t);
  EXPECT_EQ(stored[0].type, SampleValueType::kFloatHistogram);
  EXPECT_EQ(stored[0].h.counter_reset_hint, CounterResetHint::kGauge);
  ExpectSameHistogram(stored[0].h, want);
  // Queried back: the same histogram.
  ExpectSameHistogram(QueryHistogram("job:h:rate_sum", t), want);
  ExpectSameHistogram(QueryHistogram("job:h:rate_sum", t + kMinute), want);

  // The raw histograms re-recorded, one series per input series.
  const Labels copy_a = Labels::Of({{"__name__", "h:copy"}, {"job", "a"}});
  stored = StoredSamples(copy_a, 0, t);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].type, SampleValueType::kFloatHistogram);
  EXPECT_EQ(stored[0].h.counter_reset_hint, CounterResetHint::kGauge);
  ExpectSameHistogram(stored[0].h, QueryHistogram(R"(h{job="a"})", t));

  // A float result next to them stays a float.
  const Labels count = Labels::Of({{"__name__", "h:count"}});
  stored = StoredSamples(count, 0, t);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].type, SampleValueType::kFloat);
  EXPECT_DOUBLE_EQ(stored[0].v, want.count);
}

TEST_F(HistogramRulesTest, VanishedHistogramResultGetsStaleMarker) {
  AppendCounter("a", 10 * kMinute, 1);
  auto group = NewGroup(R"(groups:
- name: g
  rules:
  - record: h:copy
    expr: h
)");
  ASSERT_NE(group, nullptr);
  group->Eval(10 * kMinute);
  // Beyond the lookback: `h` gives nothing, the recorded series ends.
  group->Eval(20 * kMinute);
  const Labels copy = Labels::Of({{"__name__", "h:copy"}, {"job", "a"}});
  std::vector<Stored> stored = StoredSamples(copy, 0, 20 * kMinute);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].type, SampleValueType::kFloatHistogram);
  EXPECT_EQ(stored[1].t, 20 * kMinute);
  EXPECT_EQ(stored[1].type, SampleValueType::kFloat);
  EXPECT_TRUE(IsStale(stored[1].v));
  auto r = engine_.Instant(*db_, "h:copy", 20 * kMinute + 1000);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->vector.empty());
}

TEST_F(HistogramRulesTest, AlertingRuleOverHistogramsFiresWithValueZero) {
  AppendCounter("a", 10 * kMinute, 1);
  auto group = NewGroup(R"(groups:
- name: g
  rules:
  - alert: HistogramRate
    expr: sum by (job) (rate(h[5m]))
    annotations: {summary: "value {{ $value }}"}
)");
  ASSERT_NE(group, nullptr);
  group->Eval(10 * kMinute);
  const GroupStatus status = group->Status();
  ASSERT_EQ(status.rules.size(), 1u);
  const RuleStatus& rule = status.rules[0];
  EXPECT_EQ(rule.health, RuleHealth::kOk) << rule.last_error;
  ASSERT_EQ(rule.alerts.size(), 1u);
  EXPECT_EQ(rule.alerts[0].state, AlertState::kFiring);
  EXPECT_EQ(rule.alerts[0].value, 0);
  EXPECT_EQ(rule.alerts[0].labels,
            Labels::Of({{"alertname", "HistogramRate"}, {"job", "a"}}));
  EXPECT_EQ(rule.alerts[0].annotations, Labels::Of({{"summary", "value 0"}}));
  EXPECT_EQ(Query("ALERTS", 10 * kMinute),
            std::vector<std::string>{
                "ALERTS{alertname=\"HistogramRate\", alertstate=\"firing\", "
                "job=\"a\"} => 1.000000"});
}

}  // namespace
}  // namespace strata::rules
