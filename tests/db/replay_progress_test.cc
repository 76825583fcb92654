// ReplayProgress: long replays log their progress (issue 16 item 3); short
// ones stay quiet.
#include "db/replay_progress.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "head/head.h"
#include "temp_dir.h"
#include "util/file_system.h"
#include "wal/wal.h"

namespace strata {
namespace {

TEST(ReplayProgressTest, LogsPercentAndRateAtEachInterval) {
  Head head(HeadOptions{});
  ReplayProgress progress(&head, 4, 4000, std::chrono::milliseconds(0));
  ::testing::internal::CaptureStderr();
  for (int s = 0; s < 4; ++s) {
    progress.OnSegment(1000);
    for (int r = 0; r < 300; ++r) progress.OnRecord();
  }
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_GE(progress.lines(), 4);
  EXPECT_NE(log.find("msg=\"WAL replay in progress\""), std::string::npos)
      << log;
  EXPECT_NE(log.find("segment=4/4"), std::string::npos) << log;
  EXPECT_NE(log.find("percent=75.0"), std::string::npos) << log;
  EXPECT_NE(log.find("samples_per_second="), std::string::npos) << log;
  // 300 records a segment, none of them appending a sample: the records'
  // rate shows the replay moving.
  const std::string field = "records_per_second=";
  bool moving = false;
  for (size_t at = log.find(field); at != std::string::npos;
       at = log.find(field, at + 1)) {
    moving = moving || log[at + field.size()] != '0';
  }
  EXPECT_TRUE(moving) << log;
}

TEST(ReplayProgressTest, ShortReplayLogsNothing) {
  Head head(HeadOptions{});
  ReplayProgress progress(&head, 2, 2000, std::chrono::hours(1));
  for (int s = 0; s < 2; ++s) {
    progress.OnSegment(1000);
    for (int r = 0; r < 1000; ++r) progress.OnRecord();
  }
  EXPECT_EQ(progress.lines(), 0);
}

TEST(ReplayProgressTest, MeasureWalCountsSegmentsFromTheFirstAsked) {
  testing::TempDir dir;
  wal::WalOptions options;
  options.segment_bytes = 32 * 1024;
  {
    auto w = wal::Wal::Open(dir.path(), nullptr, options);
    ASSERT_TRUE(w.ok());
    const std::string record(20000, 'x');
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*w)->Log(record).ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  auto all = MeasureWal(FileSystem::Default(), dir.path(), -1);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->segments, 5);
  EXPECT_GE(all->bytes, 5 * 20000);
  auto later = MeasureWal(FileSystem::Default(), dir.path(), 3);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->segments, 2);
  auto missing = MeasureWal(FileSystem::Default(), dir.path() + "/none", -1);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->segments, 0);
}

}  // namespace
}  // namespace strata
