#include "head/head.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <utility>

#include "chunk/xor_iterator.h"
#include "head/head_appender.h"
#include "query/block_querier.h"
#include "strata/options.h"
#include "util/coding.h"
#include "wal/record.h"

namespace strata {
namespace {

struct Sample {
  int64_t t;
  double v;
};

class HeadTest : public ::testing::Test {
 protected:
  HeadTest() : head_(std::make_shared<Head>(HeadOptions{})) {}

  std::unique_ptr<Appender> NewAppender() {
    return std::make_unique<HeadAppender>(head_.get(), nullptr);
  }

  std::vector<std::pair<Labels, std::vector<Sample>>> Select(
      const std::vector<Matcher>& ms, int64_t mint = kMinTime,
      int64_t maxt = kMaxTime) {
    BlockQuerier q({head_}, mint, maxt);
    auto set = q.Select(ms, {});
    std::vector<std::pair<Labels, std::vector<Sample>>> out;
    while (set->Next()) {
      std::vector<Sample> samples;
      auto it = set->At().NewIterator();
      while (it->Next()) samples.push_back({it->t(), it->v()});
      EXPECT_TRUE(it->status().ok()) << it->status().ToString();
      out.emplace_back(set->At().labels(), std::move(samples));
    }
    EXPECT_TRUE(set->status().ok()) << set->status().ToString();
    return out;
  }

  std::vector<std::string> SelectNames(const std::vector<Matcher>& ms) {
    std::vector<std::string> names;
    for (auto& [labels, samples] : Select(ms))
      names.push_back(labels.ToString());
    return names;
  }

  static Matcher M(Matcher::Type type, const char* name, const char* value) {
    auto m = Matcher::Create(type, name, value);
    EXPECT_TRUE(m.ok());
    return *m;
  }

  std::shared_ptr<Head> head_;
};

TEST_F(HeadTest, AppendCommitSelect) {
  auto app = NewAppender();
  Labels l = Labels::Of({{"__name__", "up"}, {"job", "a"}});
  auto ref = app->Append(l, 1000, 1);
  ASSERT_TRUE(ref.ok());
  ASSERT_TRUE(app->Append(*ref, 2000, 2).ok());
  // Not visible before commit.
  EXPECT_TRUE(Select({Matcher::Equal("job", "a")}).empty());
  ASSERT_TRUE(app->Commit().ok());
  auto got = Select({Matcher::Equal("job", "a")});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].first, l);
  ASSERT_EQ(got[0].second.size(), 2u);
  EXPECT_EQ(got[0].second[1].t, 2000);
  EXPECT_EQ(got[0].second[1].v, 2);
  EXPECT_EQ(head_->MinTime(), 1000);
  EXPECT_EQ(head_->MaxTime(), 2000);
}

TEST_F(HeadTest, RollbackDiscards) {
  auto app = NewAppender();
  ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "x"}}), 1, 1).ok());
  app->Rollback();
  EXPECT_EQ(app->pending(), 0u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_TRUE(Select({Matcher::Equal("__name__", "x")}).empty());
}

TEST_F(HeadTest, PerSampleErrors) {
  Labels l = Labels::Of({{"__name__", "m"}});
  auto app = NewAppender();
  ASSERT_TRUE(app->Append(l, 100, 1).ok());
  ASSERT_TRUE(app->Commit().ok());

  auto ooo = app->Append(l, 50, 1);
  EXPECT_EQ(ooo.status().code(), StatusCode::kOutOfOrder);
  // Exact duplicate: a no-op, not an error.
  EXPECT_TRUE(app->Append(l, 100, 1).ok());
  auto dup = app->Append(l, 100, 2);
  EXPECT_EQ(dup.status().code(), StatusCode::kDuplicateSample);
  // The batch is still usable after per-sample errors.
  ASSERT_TRUE(app->Append(l, 200, 3).ok());
  // Order is also checked within the batch.
  EXPECT_EQ(app->Append(l, 150, 3).status().code(), StatusCode::kOutOfOrder);
  EXPECT_EQ(app->Append(l, 200, 4).status().code(),
            StatusCode::kDuplicateSample);
  ASSERT_TRUE(app->Commit().ok());
  auto got = Select({Matcher::Equal("__name__", "m")});
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].second.size(), 2u);
  EXPECT_EQ(got[0].second[0].t, 100);
  EXPECT_EQ(got[0].second[1].t, 200);
  EXPECT_EQ(got[0].second[1].v, 3);
}

TEST_F(HeadTest, OutOfBounds) {
  Labels a = Labels::Of({{"__name__", "a"}});
  auto app = NewAppender();
  const int64_t now = 10 * kMillisPerHour;
  ASSERT_TRUE(app->Append(a, now, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  // Older than newest - chunk_range/2 (1 h) is out of bounds, for any series.
  auto app2 = NewAppender();
  EXPECT_EQ(
      app2->Append(Labels::Of({{"__name__", "b"}}), now - kMillisPerHour - 1, 1)
          .status()
          .code(),
      StatusCode::kOutOfBounds);
  EXPECT_TRUE(
      app2->Append(Labels::Of({{"__name__", "b"}}), now - kMillisPerHour + 1, 1)
          .ok());
  ASSERT_TRUE(app2->Commit().ok());
  EXPECT_EQ(head_->counters().out_of_bounds.load(), 1);
}

TEST_F(HeadTest, UnknownRef) {
  auto app = NewAppender();
  EXPECT_TRUE(app->Append(SeriesRef{12345}, 1, 1).status().IsNotFound());
  EXPECT_TRUE(app->Append(SeriesRef{0}, 1, 1).status().IsNotFound());
}

TEST_F(HeadTest, BitExactValuesIncludingStaleMarker) {
  const uint64_t patterns[] = {kStaleNaNBits,         0x7ff8000000000001ULL,
                               0xfff0000000000000ULL, 0x7ff0000000000000ULL,
                               0x8000000000000000ULL, 0x0000000000000001ULL,
                               0x3ff0000000000000ULL};
  auto app = NewAppender();
  Labels l = Labels::Of({{"__name__", "bits"}});
  int64_t t = 0;
  for (uint64_t p : patterns)
    ASSERT_TRUE(app->Append(l, t += 15000, BitsToDouble(p)).ok());
  ASSERT_TRUE(app->Commit().ok());
  auto got = Select({Matcher::Equal("__name__", "bits")});
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].second.size(), std::size(patterns));
  for (size_t i = 0; i < std::size(patterns); ++i) {
    EXPECT_EQ(DoubleBits(got[0].second[i].v), patterns[i]) << i;
  }
}

TEST_F(HeadTest, ChunksCutAt120SamplesFor15sScrapes) {
  auto app = NewAppender();
  Labels l = Labels::Of({{"__name__", "c"}});
  // 2 h of 15 s samples starting at a block boundary: 480 samples.
  for (int i = 0; i < 480; ++i)
    ASSERT_TRUE(app->Append(l, i * 15000LL, i).ok());
  ASSERT_TRUE(app->Commit().ok());
  bool created = false;
  MemSeries* s = head_->GetOrCreate(l, &created);
  EXPECT_FALSE(created);
  std::vector<ChunkMeta> metas;
  s->ChunkMetas(kMinTime, kMaxTime, &metas);
  ASSERT_EQ(metas.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(metas[i].mint, i * 120 * 15000LL);
    EXPECT_EQ(metas[i].maxt, (i * 120 + 119) * 15000LL);
  }
  // The next sample crosses the 2 h boundary: a new chunk.
  ASSERT_TRUE(app->Append(l, 480 * 15000LL, 0).ok());
  ASSERT_TRUE(app->Commit().ok());
  metas.clear();
  s->ChunkMetas(kMinTime, kMaxTime, &metas);
  EXPECT_EQ(metas.size(), 5u);
}

TEST_F(HeadTest, TimeRangeAndSeek) {
  auto app = NewAppender();
  Labels l = Labels::Of({{"__name__", "r"}});
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(app->Append(l, i * 1000LL, i).ok());
  ASSERT_TRUE(app->Commit().ok());
  auto got = Select({Matcher::Equal("__name__", "r")}, 100500, 200000);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].second.size(), 100u);  // Both ends inclusive.
  EXPECT_EQ(got[0].second.front().t, 101000);
  EXPECT_EQ(got[0].second.back().t, 200000);

  BlockQuerier q({head_}, 0, kMaxTime);
  auto set = q.Select({Matcher::Equal("__name__", "r")}, {});
  ASSERT_TRUE(set->Next());
  auto it = set->At().NewIterator();
  ASSERT_TRUE(it->Seek(500500));
  EXPECT_EQ(it->t(), 501000);
  ASSERT_TRUE(it->Seek(100));  // Never moves backwards.
  EXPECT_EQ(it->t(), 501000);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->t(), 502000);
  EXPECT_FALSE(it->Seek(5000000));
  // A series with no samples in range is not selected.
  EXPECT_TRUE(
      Select({Matcher::Equal("__name__", "r")}, 2000000, 3000000).empty());
}

TEST_F(HeadTest, TruncateDropsOldChunksAndEmptySeries) {
  auto app = NewAppender();
  Labels old_only = Labels::Of({{"__name__", "old"}});
  Labels both = Labels::Of({{"__name__", "both"}});
  // 0..3h at 15 s; "old" stops at 1h.
  for (int64_t t = 0; t < 3 * kMillisPerHour; t += 15000) {
    if (t < kMillisPerHour) {
      ASSERT_TRUE(app->Append(old_only, t, 1).ok());
    }
    ASSERT_TRUE(app->Append(both, t, 2).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  // A series with only a pending sample holds no chunk, so truncation
  // removes it too; the commit brings it back (see below).
  Labels pinned = Labels::Of({{"__name__", "pinned"}});
  auto pin_app = NewAppender();
  ASSERT_TRUE(pin_app->Append(pinned, 3 * kMillisPerHour, 1).ok());

  Head::TruncateStats st = head_->Truncate(2 * kMillisPerHour);
  EXPECT_EQ(st.series_removed, 2);
  EXPECT_GT(st.chunks_removed, 0);
  EXPECT_TRUE(Select({Matcher::Equal("__name__", "old")}).empty());
  auto got = Select({Matcher::Equal("__name__", "both")});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second.front().t, 2 * kMillisPerHour);
  EXPECT_EQ(head_->MinTime(), 2 * kMillisPerHour);
  BlockQuerier q({head_}, kMinTime, kMaxTime);
  auto names = q.LabelValues("__name__", {});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"both"}));
  // Older than the truncation point is out of bounds now.
  // (An appender takes the bound when its batch starts.)
  EXPECT_EQ(
      NewAppender()->Append(both, 2 * kMillisPerHour - 1, 1).status().code(),
      StatusCode::kOutOfBounds);
  ASSERT_TRUE(pin_app->Commit().ok());
  auto revived = Select({Matcher::Equal("__name__", "pinned")});
  ASSERT_EQ(revived.size(), 1u);
  ASSERT_EQ(revived[0].second.size(), 1u);
  EXPECT_EQ(revived[0].second[0].t, 3 * kMillisPerHour);
  // The removed series can come back with new data.
  ASSERT_TRUE(app->Append(old_only, 3 * kMillisPerHour, 5).ok());
  ASSERT_TRUE(app->Commit().ok());
  auto back = Select({Matcher::Equal("__name__", "old")});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].second.size(), 1u);
  // A second truncation frees the first one's graveyard safely.
  head_->Truncate(2 * kMillisPerHour);
}

TEST_F(HeadTest, ABatchOpenAcrossTruncationsCommitsToARevivedSeries) {
  // Known refs of series whose chunks truncation drops: the batch appends
  // to them, two truncations remove them (the second one would free the
  // first one's removals if the open batch did not hold them), and the
  // commit lands every sample in series of the same labels.
  auto app = NewAppender();
  std::vector<SeriesRef> refs;
  for (int i = 0; i < 50; ++i) {
    auto ref = app->Append(
        Labels::Of({{"__name__", "churn"}, {"i", std::to_string(i)}}), 1000, i);
    ASSERT_TRUE(ref.ok());
    refs.push_back(*ref);
  }
  ASSERT_TRUE(app->Commit().ok());
  auto open = NewAppender();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(open->Append(refs[i], 3 * kMillisPerHour, 100 + i).ok());
  }
  EXPECT_EQ(head_->Truncate(2000).series_removed, 50);
  EXPECT_TRUE(Select({Matcher::Equal("__name__", "churn")}).empty());
  // Other batches recreate half of them meanwhile; the commit finds those.
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "churn"},
                                        {"i", std::to_string(i)}}),
                            3 * kMillisPerHour - 1, -1)
                    .ok());
  }
  ASSERT_TRUE(app->Commit().ok());
  head_->Truncate(2000);
  ASSERT_TRUE(open->Commit().ok());
  auto got = Select({Matcher::Equal("__name__", "churn")});
  ASSERT_EQ(got.size(), 50u);
  for (const auto& [labels, samples] : got) {
    const int i = std::stoi(std::string(labels.Get("i")));
    ASSERT_FALSE(samples.empty()) << labels.ToString();
    EXPECT_EQ(samples.back().t, 3 * kMillisPerHour) << labels.ToString();
    EXPECT_EQ(samples.back().v, 100 + i) << labels.ToString();
    EXPECT_EQ(samples.size(), i < 25 ? 2u : 1u) << labels.ToString();
  }
  EXPECT_EQ(head_->counters().samples_appended.load(), 50 + 25 + 50);
  // Both removals' series are freed by now, once no batch holds them.
  head_->Truncate(2000);
  head_->Truncate(2000);
}

TEST_F(HeadTest, SamplesOfOneLabelSetAroundARemovalStayInOrder) {
  // The batch's first sample creates the series, truncation removes it
  // (it holds no chunk yet), and the next sample of the same labels goes
  // to a series created anew: both must land there, in order.
  const Labels labels = Labels::Of({{"__name__", "twice"}});
  auto app = NewAppender();
  ASSERT_TRUE(app->Append(labels, 3 * kMillisPerHour, 1).ok());
  ASSERT_EQ(head_->Truncate(2000).series_removed, 1);
  ASSERT_TRUE(app->Append(labels, 3 * kMillisPerHour + 15000, 2).ok());
  ASSERT_TRUE(app->Commit().ok());
  auto got = Select({Matcher::Equal("__name__", "twice")});
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].second.size(), 2u);
  EXPECT_EQ(got[0].second[0].t, 3 * kMillisPerHour);
  EXPECT_EQ(got[0].second[1].t, 3 * kMillisPerHour + 15000);
  EXPECT_EQ(head_->counters().out_of_order.load(), 0);
}

// Keeps every record logged, in order; runs `during_next_log` (once)
// inside the next Log call, as if it happened while the WAL was written.
class RecordingLog : public CommitLog {
 public:
  Status Log(std::span<const std::string> records) override {
    if (during_next_log) std::exchange(during_next_log, nullptr)();
    logged.insert(logged.end(), records.begin(), records.end());
    return Status::OK();
  }
  std::vector<std::string> logged;
  std::function<void()> during_next_log;
};

// The sample of `labels` at 3h the tests below append to a series that
// truncation removes before the commit applies it, as the series' only
// data (at 1000) is older than the truncation point.
class RevivalTest : public HeadTest {
 protected:
  void SetUp() override {
    HeadAppender first(head_.get(), &log_);
    auto ref = first.Append(labels_, 1000, 1);
    ASSERT_TRUE(ref.ok());
    old_ref_ = *ref;
    ASSERT_TRUE(first.Commit().ok());
  }

  // The series and samples records of log_ from `from` on.
  void Decode(size_t from, std::vector<wal::RefSeries>* series,
              std::vector<wal::RefSample>* samples) {
    for (size_t i = from; i < log_.logged.size(); ++i) {
      const std::string& r = log_.logged[i];
      if (wal::GetRecordType(r) == wal::RecordType::kSeries) {
        ASSERT_TRUE(wal::DecodeSeries(r, series).ok());
      } else {
        ASSERT_TRUE(wal::DecodeSamples(r, samples).ok());
      }
    }
  }

  void ExpectTheSampleIsServed() {
    auto got = Select({Matcher::Equal("__name__", "revived")});
    ASSERT_EQ(got.size(), 1u);
    ASSERT_EQ(got[0].second.size(), 1u);
    EXPECT_EQ(got[0].second[0].t, 3 * kMillisPerHour);
    EXPECT_EQ(got[0].second[0].v, 2);
  }

  RecordingLog log_;
  const Labels labels_ = Labels::Of({{"__name__", "revived"}});
  SeriesRef old_ref_ = 0;
};

TEST_F(RevivalTest, SeriesRemovedBeforeTheCommitIsLoggedAnewWithItsSample) {
  HeadAppender open(head_.get(), &log_);
  ASSERT_TRUE(open.Append(old_ref_, 3 * kMillisPerHour, 2).ok());
  ASSERT_EQ(head_->Truncate(2000).series_removed, 1);
  const size_t before = log_.logged.size();
  ASSERT_TRUE(open.Commit().ok());

  // One write: the series anew, then the sample under its new ref only.
  ASSERT_EQ(log_.logged.size(), before + 2);
  EXPECT_EQ(wal::GetRecordType(log_.logged[before]), wal::RecordType::kSeries);
  std::vector<wal::RefSeries> series;
  std::vector<wal::RefSample> samples;
  Decode(before, &series, &samples);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_NE(series[0].ref, old_ref_);
  EXPECT_EQ(series[0].labels, labels_);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].ref, series[0].ref);
  ExpectTheSampleIsServed();
}

TEST_F(RevivalTest, SeriesRemovedWhileTheWalIsWrittenIsRevivedAfter) {
  HeadAppender open(head_.get(), &log_);
  ASSERT_TRUE(open.Append(old_ref_, 3 * kMillisPerHour, 2).ok());
  int64_t removed = 0;
  log_.during_next_log = [&] {
    removed = head_->Truncate(2000).series_removed;
  };
  const size_t before = log_.logged.size();
  ASSERT_TRUE(open.Commit().ok());
  ASSERT_EQ(removed, 1);

  // The batch as appended (old ref), then the series anew and the sample
  // under its new ref.
  ASSERT_EQ(log_.logged.size(), before + 3);
  std::vector<wal::RefSample> first;
  ASSERT_TRUE(wal::DecodeSamples(log_.logged[before], &first).ok());
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].ref, old_ref_);
  std::vector<wal::RefSeries> series;
  std::vector<wal::RefSample> samples;
  Decode(before + 1, &series, &samples);
  EXPECT_EQ(wal::GetRecordType(log_.logged[before + 1]),
            wal::RecordType::kSeries);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_NE(series[0].ref, old_ref_);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].ref, series[0].ref);
  EXPECT_EQ(samples[0].t, 3 * kMillisPerHour);
  ExpectTheSampleIsServed();
}

TEST_F(HeadTest, ChunkIteratorPassesStoredChunksThrough) {
  auto app = NewAppender();
  Labels l = Labels::Of({{"__name__", "raw"}});
  for (int i = 0; i < 480; ++i)
    ASSERT_TRUE(app->Append(l, i * 15000LL, i * 1.5).ok());
  ASSERT_TRUE(app->Commit().ok());
  bool created;
  MemSeries* s = head_->GetOrCreate(l, &created);
  std::vector<ChunkMeta> metas;
  s->ChunkMetas(kMinTime, kMaxTime, &metas);
  ASSERT_EQ(metas.size(), 4u);

  // Range covers chunks 1 and 2 wholly, and half of chunk 3.
  const int64_t mint = 120 * 15000LL, maxt = 420 * 15000LL;
  BlockQuerier q({head_}, mint, maxt);
  auto set = q.Select({Matcher::Equal("__name__", "raw")}, {});
  ASSERT_TRUE(set->Next());
  auto chunks = set->At().NewChunkIterator();
  std::vector<RawChunk> got;
  std::vector<std::string> data;
  while (chunks->Next()) {
    got.push_back(chunks->At());
    data.emplace_back(chunks->At().data);
  }
  ASSERT_TRUE(chunks->status().ok());
  ASSERT_EQ(got.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    auto stored = head_->Chunks().Chunk(metas[i + 1]);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(data[i], std::string(stored->data))
        << "chunk " << i << " re-encoded";
    EXPECT_EQ(got[i].mint, metas[i + 1].mint);
  }
  EXPECT_EQ(got[2].mint, 360 * 15000LL);
  EXPECT_EQ(got[2].maxt, maxt);
  chunk::XorIterator it(data[2]);
  int n = 0;
  while (it.Next()) {
    EXPECT_EQ(it.t(), (360 + n) * 15000LL);
    EXPECT_EQ(it.v(), (360 + n) * 1.5);
    ++n;
  }
  EXPECT_EQ(n, 61);
}

class HeadMatcherTest : public HeadTest {
 protected:
  void SetUp() override {
    auto app = NewAppender();
    for (const Labels& l : {
             Labels::Of({{"__name__", "up"}, {"job", "node"}, {"env", "prod"}}),
             Labels::Of({{"__name__", "up"}, {"job", "node"}, {"env", "dev"}}),
             Labels::Of({{"__name__", "up"}, {"job", "prom"}}),
             Labels::Of(
                 {{"__name__", "http"}, {"job", "app"}, {"code", "200"}}),
             Labels::Of(
                 {{"__name__", "http"}, {"job", "app"}, {"code", "500"}}),
         }) {
      ASSERT_TRUE(app->Append(l, 1000, 1).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
};

TEST_F(HeadMatcherTest, Equal) {
  EXPECT_EQ(SelectNames({Matcher::Equal("__name__", "up")}),
            (std::vector<std::string>{"up{env=\"dev\", job=\"node\"}",
                                      "up{env=\"prod\", job=\"node\"}",
                                      "up{job=\"prom\"}"}));
}

TEST_F(HeadMatcherTest, EqualEmptyMatchesMissingLabel) {
  EXPECT_EQ(SelectNames(
                {Matcher::Equal("__name__", "up"), Matcher::Equal("env", "")}),
            (std::vector<std::string>{"up{job=\"prom\"}"}));
}

TEST_F(HeadMatcherTest, NotEqual) {
  EXPECT_EQ(SelectNames({Matcher::Equal("__name__", "up"),
                         Matcher::NotEqual("env", "prod")}),
            (std::vector<std::string>{"up{env=\"dev\", job=\"node\"}",
                                      "up{job=\"prom\"}"}));
  // != "" means the label must be present.
  EXPECT_EQ(SelectNames({Matcher::NotEqual("env", "")}),
            (std::vector<std::string>{"up{env=\"dev\", job=\"node\"}",
                                      "up{env=\"prod\", job=\"node\"}"}));
}

TEST_F(HeadMatcherTest, Regex) {
  EXPECT_EQ(
      SelectNames({M(Matcher::Type::kRegexMatch, "job", "no.*|app")}).size(),
      4u);
  EXPECT_EQ(SelectNames({M(Matcher::Type::kRegexMatch, "code", "5..")}),
            (std::vector<std::string>{"http{code=\"500\", job=\"app\"}"}));
  // A regex matching "" also selects series without the label.
  EXPECT_EQ(SelectNames({Matcher::Equal("__name__", "up"),
                         M(Matcher::Type::kRegexMatch, "env", "|dev")}),
            (std::vector<std::string>{"up{env=\"dev\", job=\"node\"}",
                                      "up{job=\"prom\"}"}));
  // Set-alternation fast path.
  EXPECT_EQ(
      SelectNames({M(Matcher::Type::kRegexMatch, "job", "prom|app")}).size(),
      3u);
}

TEST_F(HeadMatcherTest, RegexNoMatch) {
  EXPECT_EQ(SelectNames({Matcher::Equal("__name__", "up"),
                         M(Matcher::Type::kRegexNoMatch, "env", "pr.*")}),
            (std::vector<std::string>{"up{env=\"dev\", job=\"node\"}",
                                      "up{job=\"prom\"}"}));
  EXPECT_EQ(SelectNames({Matcher::Equal("__name__", "up"),
                         M(Matcher::Type::kRegexNoMatch, "env", ".+")}),
            (std::vector<std::string>{"up{job=\"prom\"}"}));
}

TEST_F(HeadMatcherTest, EmptyMatchersAreRejected) {
  BlockQuerier q({head_}, kMinTime, kMaxTime);
  auto set = q.Select({Matcher::Equal("env", "")}, {});
  EXPECT_FALSE(set->Next());
  EXPECT_EQ(set->status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(q.Select({}, {})->status().ok());
}

TEST_F(HeadMatcherTest, LabelNamesAndValues) {
  BlockQuerier q({head_}, kMinTime, kMaxTime);
  auto names = q.LabelNames({});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names,
            (std::vector<std::string>{"__name__", "code", "env", "job"}));
  auto vals = q.LabelValues("job", {});
  ASSERT_TRUE(vals.ok());
  EXPECT_EQ(*vals, (std::vector<std::string>{"app", "node", "prom"}));
  auto filtered = q.LabelValues("job", {Matcher::Equal("__name__", "up")});
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(*filtered, (std::vector<std::string>{"node", "prom"}));
  auto names_up = q.LabelNames({Matcher::Equal("job", "prom")});
  ASSERT_TRUE(names_up.ok());
  EXPECT_EQ(*names_up, (std::vector<std::string>{"__name__", "job"}));
}

}  // namespace
}  // namespace strata
