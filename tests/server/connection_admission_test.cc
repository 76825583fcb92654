// ConnectionAdmission's counting: full service up to max_connections, then
// the reserve for health and readiness probes, then refusal; accepting
// pauses once max_connections are being refused and resumes exactly once.
#include "server/http/connection_admission.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace strata::server {
namespace {

constexpr int kMax = 3;
constexpr int kReserved = 2;

ConnectionAdmission Limited() {
  return ConnectionAdmission(kMax, kReserved, {"/-/healthy", "/-/ready"});
}

TEST(ConnectionAdmissionTest, FullThenReservedThenRefused) {
  ConnectionAdmission admission = Limited();
  for (int i = 0; i < kMax; ++i) {
    EXPECT_EQ(admission.Admit().admission, Admission::kFull) << i;
  }
  for (int i = 0; i < kReserved; ++i) {
    EXPECT_EQ(admission.Admit().admission, Admission::kReservedPaths) << i;
  }
  EXPECT_EQ(admission.Admit().admission, Admission::kRefused);
  EXPECT_EQ(admission.Open(Admission::kFull), kMax);
  EXPECT_EQ(admission.Open(Admission::kReservedPaths), kReserved);
  EXPECT_EQ(admission.Open(Admission::kRefused), 1);
}

TEST(ConnectionAdmissionTest, ReleaseRestoresTheSlotOfItsKind) {
  ConnectionAdmission admission = Limited();
  for (int i = 0; i < kMax + kReserved; ++i) (void)admission.Admit();
  EXPECT_FALSE(admission.Release(Admission::kFull));
  EXPECT_EQ(admission.Admit().admission, Admission::kFull);
  EXPECT_FALSE(admission.Release(Admission::kReservedPaths));
  EXPECT_EQ(admission.Admit().admission, Admission::kReservedPaths);
  EXPECT_EQ(admission.Admit().admission, Admission::kRefused);
  EXPECT_FALSE(admission.Release(Admission::kRefused));
  EXPECT_EQ(admission.Open(Admission::kRefused), 0);
}

TEST(ConnectionAdmissionTest, PausesAcceptOnceMaxAreRefusedAndResumesOnce) {
  ConnectionAdmission admission = Limited();
  for (int i = 0; i < kMax + kReserved; ++i) {
    EXPECT_FALSE(admission.Admit().pause_accept);
  }
  for (int i = 0; i < kMax - 1; ++i) {
    EXPECT_FALSE(admission.Admit().pause_accept);
  }
  const ConnectionAdmission::Admitted last = admission.Admit();
  EXPECT_EQ(last.admission, Admission::kRefused);
  EXPECT_TRUE(last.pause_accept);
  EXPECT_TRUE(admission.accept_paused());
  // Closing a connection served in full frees no refused slot.
  EXPECT_FALSE(admission.Release(Admission::kFull));
  EXPECT_TRUE(admission.accept_paused());
  EXPECT_TRUE(admission.Release(Admission::kRefused));
  EXPECT_FALSE(admission.accept_paused());
  EXPECT_FALSE(admission.Release(Admission::kRefused));
}

TEST(ConnectionAdmissionTest, NoLimitAdmitsEveryConnectionInFull) {
  ConnectionAdmission admission(0, kReserved, {"/-/healthy"});
  for (int i = 0; i < 10000; ++i) {
    const ConnectionAdmission::Admitted admitted = admission.Admit();
    ASSERT_EQ(admitted.admission, Admission::kFull);
    ASSERT_FALSE(admitted.pause_accept);
  }
  EXPECT_EQ(admission.Open(Admission::kFull), 10000);
}

TEST(ConnectionAdmissionTest, ReservedConnectionsServeReservedPathsOnly) {
  ConnectionAdmission admission = Limited();
  EXPECT_TRUE(admission.MayServe(Admission::kFull, "/api/v1/query?q=up"));
  EXPECT_TRUE(admission.MayServe(Admission::kReservedPaths, "/-/healthy"));
  EXPECT_TRUE(admission.MayServe(Admission::kReservedPaths, "/-/ready?x=1"));
  EXPECT_FALSE(admission.MayServe(Admission::kReservedPaths, "/-/healthyx"));
  EXPECT_FALSE(admission.MayServe(Admission::kReservedPaths, "/api/v1/query"));
  EXPECT_FALSE(admission.MayServe(Admission::kRefused, "/-/healthy"));
  EXPECT_FALSE(ConnectionAdmission::OneRequestOnly(Admission::kFull));
  EXPECT_TRUE(ConnectionAdmission::OneRequestOnly(Admission::kReservedPaths));
  EXPECT_TRUE(ConnectionAdmission::OneRequestOnly(Admission::kRefused));
}

TEST(ConnectionAdmissionTest, OverLimitConnectionsGetAShortHeaderTimeout) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  EXPECT_EQ(ConnectionAdmission::HeaderTimeout(Admission::kFull, seconds(30)),
            seconds(30));
  EXPECT_EQ(
      ConnectionAdmission::HeaderTimeout(Admission::kRefused, seconds(30)),
      ConnectionAdmission::kOverLimitHeaderTimeout);
  EXPECT_EQ(ConnectionAdmission::HeaderTimeout(Admission::kReservedPaths,
                                               milliseconds(100)),
            milliseconds(100));
}

// Threads admitting and releasing at once: every count returns to zero,
// the limits hold at every moment, and pause/resume alternate.
TEST(ConnectionAdmissionTest, ConcurrentAdmitAndReleaseKeepExactCounts) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 20000;
  // Connections each thread holds at once: enough for one thread alone to
  // make accepting pause.
  constexpr int kHeld = kMax + kReserved + kMax;
  ConnectionAdmission admission = Limited();
  std::atomic<int> pauses{0}, resumes{0}, over_limit{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<Admission> held;
      for (int round = 0; round < kRounds; ++round) {
        const ConnectionAdmission::Admitted admitted = admission.Admit();
        if (admitted.pause_accept) pauses.fetch_add(1);
        held.push_back(admitted.admission);
        if (admission.Open(Admission::kFull) > kMax ||
            admission.Open(Admission::kReservedPaths) > kReserved) {
          over_limit.fetch_add(1);
        }
        if (static_cast<int>(held.size()) == kHeld) {
          for (Admission a : held) {
            if (admission.Release(a)) resumes.fetch_add(1);
          }
          held.clear();
        }
      }
      for (Admission a : held) {
        if (admission.Release(a)) resumes.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(over_limit.load(), 0);
  EXPECT_EQ(admission.Open(Admission::kFull), 0);
  EXPECT_EQ(admission.Open(Admission::kReservedPaths), 0);
  EXPECT_EQ(admission.Open(Admission::kRefused), 0);
  EXPECT_FALSE(admission.accept_paused());
  EXPECT_GT(pauses.load(), 0);
  EXPECT_EQ(pauses.load(), resumes.load());
}

}  // namespace
}  // namespace strata::server
