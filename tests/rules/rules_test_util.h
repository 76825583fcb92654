// A real DB in a temp dir, the PromQL engine and rule-file groups for the
// rules tests.
#ifndef STRATA_TESTS_RULES_RULES_TEST_UTIL_H_
#define STRATA_TESTS_RULES_RULES_TEST_UTIL_H_

#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "promql/engine.h"
#include "rules/rule_file.h"
#include "strata/db.h"
#include "strata/labels.h"
#include "temp_dir.h"
#include "util/log.h"

namespace strata::rules::testing {

inline constexpr int64_t kMinute = 60 * 1000;

class RulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogLevel(LogLevel::kError);
    OpenDB();
  }

  void OpenDB() {
    Options options;
    options.block_duration_ms = 100LL * 365 * 24 * 3600 * 1000;
    options.retention_ms = 0;
    options.background_compaction = false;
    options.enable_native_histograms = native_histograms_;
    auto db = DB::Open(options, dir_.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = *std::move(db);
  }
  void ReopenDB() {
    ASSERT_TRUE(db_->Close().ok());
    db_.reset();
    OpenDB();
  }

  void Append(const Labels& labels, int64_t t, double v) {
    auto app = db_->NewAppender();
    ASSERT_TRUE(app->Append(labels, t, v).ok()) << labels.ToString();
    ASSERT_TRUE(app->Commit().ok());
  }

  // The instant vector `query` gives at `t`, as "labels => value" lines.
  std::vector<std::string> Query(std::string_view query, int64_t t) {
    auto r = engine_.Instant(*db_, query, t);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const auto& s : r->vector) {
      out.push_back(s.metric.ToString() + " => " + std::to_string(s.v));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Calls fn(iterator) at each raw sample of the series with exactly
  // `labels` in [mint, maxt].
  template <typename Fn>
  void ForEachRaw(const Labels& labels, int64_t mint, int64_t maxt, Fn fn) {
    auto q = db_->NewQuerier(mint, maxt);
    EXPECT_TRUE(q.ok());
    if (!q.ok()) return;
    std::vector<Matcher> matchers;
    for (const Label& l : labels) {
      matchers.push_back(Matcher::Equal(l.name, l.value));
    }
    auto set = (*q)->Select(matchers);
    while (set->Next()) {
      if (set->At().labels() != labels) continue;
      auto it = set->At().NewIterator();
      while (it->Next()) fn(*it);
    }
  }

  // The raw samples of the series with exactly `labels` in [mint, maxt].
  std::vector<std::pair<int64_t, double>> Raw(const Labels& labels,
                                              int64_t mint, int64_t maxt) {
    std::vector<std::pair<int64_t, double>> out;
    ForEachRaw(labels, mint, maxt, [&out](const SampleIterator& it) {
      out.emplace_back(it.t(), it.v());
    });
    return out;
  }

  static bool IsStale(double v) {
    return std::bit_cast<uint64_t>(v) == kStaleNaNBits;
  }

  static RuleFile ParseFile(std::string_view yaml) {
    ParsedRuleFile parsed = ParseRuleFile(yaml);
    for (const auto& e : parsed.errors) ADD_FAILURE() << e;
    return parsed.file;
  }
  static RuleGroupSpec ParseGroup(std::string_view yaml) {
    RuleFile file = ParseFile(yaml);
    EXPECT_EQ(file.groups.size(), 1u);
    return file.groups.empty() ? RuleGroupSpec{} : file.groups[0];
  }

  // Set before SetUp opens the DB.
  bool native_histograms_ = false;
  strata::testing::TempDir dir_{"strata-rules-test"};
  std::unique_ptr<DB> db_;
  promql::Engine engine_;
};

}  // namespace strata::rules::testing

#endif  // STRATA_TESTS_RULES_RULES_TEST_UTIL_H_
