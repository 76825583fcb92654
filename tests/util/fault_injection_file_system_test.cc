#include "util/fault_injection_file_system.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "temp_dir.h"

namespace strata {
namespace {

class FaultInjectionFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()); }

  std::string Path(const std::string& name) { return tmp_.Join(name); }

  FileSystem* base_ = FileSystem::Default();
  testing::TempDir tmp_{"strata-fault-test"};
  const std::string& dir_ = tmp_.path();
  FaultInjectionFileSystem fs_{FileSystem::Default()};
};

bool MentionsErrno(const Status& s, int err) {
  return s.message().find(std::strerror(err)) != std::string_view::npos;
}

TEST_F(FaultInjectionFileSystemTest, PassesThroughWithoutFaults) {
  auto f = fs_.NewWritableFile(Path("a"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("abc").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(*fs_.ReadFile(Path("a")), "abc");
  EXPECT_EQ(fs_.injected(), 0);
  EXPECT_EQ(fs_.calls(FaultOp::kAppend), 1);
  EXPECT_EQ(fs_.calls(FaultOp::kSync), 1);
}

TEST_F(FaultInjectionFileSystemTest, OneShotFaultFiresOnceOnMatchingPath) {
  fs_.Arm(Fault::On(FaultOp::kAppend, ENOSPC).Matching("target"));
  auto other = fs_.NewWritableFile(Path("other"));
  auto target = fs_.NewWritableFile(Path("target"));
  ASSERT_TRUE(other.ok() && target.ok());
  EXPECT_TRUE((*other)->Append("x").ok());  // Path does not match.
  Status s = (*target)->Append("y");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.IsIOError());
  EXPECT_TRUE(MentionsErrno(s, ENOSPC)) << s.ToString();
  EXPECT_TRUE((*target)->Append("z").ok());  // One-shot: gone.
  EXPECT_EQ(fs_.injected(), 1);
  ASSERT_TRUE((*target)->Close().ok());
  EXPECT_EQ(*fs_.ReadFile(Path("target")), "z");
}

TEST_F(FaultInjectionFileSystemTest, PersistentFaultWithSkipUntilDisarmed) {
  const int id = fs_.Arm(Fault::On(FaultOp::kSync, EIO).Persistent().After(2));
  auto f = fs_.NewWritableFile(Path("s"));
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE((*f)->Sync().ok());
  EXPECT_TRUE((*f)->Sync().ok());
  for (int i = 0; i < 3; ++i) {
    Status s = (*f)->Sync();
    EXPECT_FALSE(s.ok());
    EXPECT_TRUE(MentionsErrno(s, EIO));
  }
  fs_.Disarm(id);
  EXPECT_TRUE((*f)->Sync().ok());
  EXPECT_EQ(fs_.injected(), 3);
}

TEST_F(FaultInjectionFileSystemTest, PartialWriteLeavesPrefix) {
  fs_.Arm(Fault::On(FaultOp::kAppend, EIO).WithPartialWrite(3));
  auto f = fs_.NewWritableFile(Path("p"));
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE((*f)->Append("abcdef").ok());
  EXPECT_EQ((*f)->Size(), 3);
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(*fs_.ReadFile(Path("p")), "abc");
}

TEST_F(FaultInjectionFileSystemTest, FileSystemOperationFaults) {
  { ASSERT_TRUE((*fs_.NewWritableFile(Path("x")))->Close().ok()); }
  fs_.Arm(Fault::On(FaultOp::kRename, EIO));
  EXPECT_FALSE(fs_.Rename(Path("x"), Path("y")).ok());
  EXPECT_TRUE(fs_.Exists(Path("x")));
  EXPECT_TRUE(fs_.Rename(Path("x"), Path("y")).ok());

  fs_.Arm(Fault::On(FaultOp::kCreate, ENOSPC));
  EXPECT_FALSE(fs_.NewWritableFile(Path("z")).ok());
  fs_.Arm(Fault::On(FaultOp::kSyncDir, EIO));
  EXPECT_FALSE(fs_.SyncDir(dir_).ok());
  fs_.Arm(Fault::On(FaultOp::kTruncate, EIO));
  EXPECT_FALSE(fs_.TruncateFile(Path("y"), 0).ok());
  fs_.Arm(Fault::On(FaultOp::kRead, EIO));
  EXPECT_FALSE(fs_.MapFile(Path("y")).ok());
  EXPECT_TRUE(fs_.MapFile(Path("y")).ok());
  fs_.Arm(Fault::On(FaultOp::kListDir, EIO));
  EXPECT_FALSE(fs_.ListDir(dir_).ok());
  EXPECT_EQ(fs_.injected(), 6);
}

TEST_F(FaultInjectionFileSystemTest, DropUnsyncedDataKeepsSyncedPrefix) {
  auto f = fs_.NewWritableFile(Path("d"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("durable").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append("-volatile").ok());
  ASSERT_TRUE((*f)->Close().ok());
  { ASSERT_TRUE((*fs_.NewWritableFile(Path("never")))->Append("gone").ok()); }
  ASSERT_TRUE(fs_.Rename(Path("d"), Path("renamed")).ok());

  ASSERT_TRUE(fs_.DropUnsyncedData().ok());
  EXPECT_EQ(*fs_.ReadFile(Path("renamed")), "durable");
  EXPECT_EQ(*fs_.ReadFile(Path("never")), "");
}

TEST_F(FaultInjectionFileSystemTest, FailedSyncDoesNotAdvanceDurableLength) {
  auto f = fs_.NewWritableFile(Path("s"));
  ASSERT_TRUE((*f)->Append("aaa").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  fs_.Arm(Fault::On(FaultOp::kSync, EIO));
  ASSERT_TRUE((*f)->Append("bbb").ok());
  EXPECT_FALSE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Close().ok());
  ASSERT_TRUE(fs_.DropUnsyncedData().ok());
  EXPECT_EQ(*fs_.ReadFile(Path("s")), "aaa");
}

}  // namespace
}  // namespace strata
