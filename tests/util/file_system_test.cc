#include "util/file_system.h"

#include <cerrno>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "temp_dir.h"
#include "util/fault_injection_file_system.h"

namespace strata {
namespace {

class PosixFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()); }

  std::string Path(const std::string& name) { return tmp_.Join(name); }

  FileSystem* fs_ = FileSystem::Default();
  testing::TempDir tmp_{"strata-fs-test"};
  const std::string& dir_ = tmp_.path();
};

TEST(JoinPathTest, Separators) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(JoinPath("a", "/b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "/b"), "a/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("a", ""), "a");
}

TEST(ParentDirTest, Forms) {
  EXPECT_EQ(ParentDir("a/b/c"), "a/b");
  EXPECT_EQ(ParentDir("/c"), "/");
  EXPECT_EQ(ParentDir("c"), ".");
}

// Issue 15: error messages that reach clients carried absolute paths.
TEST(RelativeToDirTest, PathsUnderTheDirBecomeRelative) {
  EXPECT_EQ(RelativeToDir("open /var/lib/strata/wal/00000012: no space left",
                          "/var/lib/strata"),
            "open wal/00000012: no space left");
  EXPECT_EQ(RelativeToDir("lock /var/lib/strata/: busy; /var/lib/strata",
                          "/var/lib/strata/"),
            "lock : busy; .");
  EXPECT_EQ(
      RelativeToDir("/var/lib/strata: permission denied", "/var/lib/strata"),
      ".: permission denied");
  // Not inside longer names.
  EXPECT_EQ(RelativeToDir("/var/lib/strata2/x /x/var/lib/strata/y",
                          "/var/lib/strata"),
            "/var/lib/strata2/x /x/var/lib/strata/y");
  // A relative dir, and its absolute form.
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(RelativeToDir("read ./data/01ABC/index and " + cwd +
                              "/data/chunks: bad; no data",
                          "./data"),
            "read 01ABC/index and chunks: bad; no data");
  EXPECT_EQ(RelativeToDir("metadata/x data/y", "data"), "metadata/x y");
  EXPECT_EQ(RelativeToDir("nothing here", ""), "nothing here");
}

TEST_F(PosixFileSystemTest, WriteFileAtomicallyCreatesAndReplaces) {
  const std::string path = Path("meta.json");
  ASSERT_TRUE(WriteFileAtomically(fs_, path, "old").ok());
  EXPECT_EQ(*fs_->ReadFile(path), "old");
  ASSERT_TRUE(WriteFileAtomically(fs_, path, "new contents").ok());
  EXPECT_EQ(*fs_->ReadFile(path), "new contents");
  EXPECT_FALSE(fs_->Exists(path + ".tmp"));
}

// Every step before the rename may fail; each leaves the old file intact
// and no temporary file behind.
TEST_F(PosixFileSystemTest, WriteFileAtomicallyFailureKeepsOldFile) {
  const std::string path = Path("tombstones");
  ASSERT_TRUE(WriteFileAtomically(fs_, path, "old").ok());
  for (FaultOp op : {FaultOp::kCreate, FaultOp::kAppend, FaultOp::kSync,
                     FaultOp::kClose, FaultOp::kRename}) {
    FaultInjectionFileSystem faulty(fs_);
    faulty.Arm(Fault::On(op, ENOSPC).WithPartialWrite(2));
    const Status s = WriteFileAtomically(&faulty, path, "new contents");
    EXPECT_FALSE(s.ok()) << static_cast<int>(op);
    EXPECT_EQ(faulty.injected(), 1) << static_cast<int>(op);
    EXPECT_EQ(*fs_->ReadFile(path), "old") << static_cast<int>(op);
    EXPECT_FALSE(fs_->Exists(path + ".tmp")) << static_cast<int>(op);
  }
}

// The data is synced before the rename and the directory after it.
TEST_F(PosixFileSystemTest, WriteFileAtomicallySyncsFileAndDirectory) {
  FaultInjectionFileSystem faulty(fs_);
  ASSERT_TRUE(WriteFileAtomically(&faulty, Path("f"), "data").ok());
  EXPECT_EQ(faulty.calls(FaultOp::kSync), 1);
  EXPECT_EQ(faulty.calls(FaultOp::kSyncDir), 1);
  // A power loss right after keeps the new data.
  ASSERT_TRUE(faulty.DropUnsyncedData().ok());
  EXPECT_EQ(*fs_->ReadFile(Path("f")), "data");
}

TEST_F(PosixFileSystemTest, WriteAppendReadBack) {
  const std::string p = Path("f");
  {
    auto f = fs_->NewWritableFile(p);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE((*f)->Append("hello ").ok());
    ASSERT_TRUE((*f)->Append("world").ok());
    EXPECT_EQ((*f)->Size(), 11);
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Close().ok());
    EXPECT_TRUE((*f)->Close().ok());  // Idempotent.
  }
  EXPECT_EQ(*fs_->ReadFile(p), "hello world");
  EXPECT_EQ(*fs_->FileSize(p), 11);
  {
    // Appendable files continue at the end.
    auto f = fs_->NewAppendableFile(p);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ((*f)->Size(), 11);
    ASSERT_TRUE((*f)->Append("!").ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  EXPECT_EQ(*fs_->ReadFile(p), "hello world!");
  {
    // NewWritableFile truncates.
    auto f = fs_->NewWritableFile(p);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  EXPECT_EQ(*fs_->ReadFile(p), "");
}

TEST_F(PosixFileSystemTest, TruncateThenAppendContinuesAtCut) {
  const std::string p = Path("t");
  auto f = fs_->NewWritableFile(p);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("0123456789").ok());
  ASSERT_TRUE((*f)->Truncate(4).ok());
  EXPECT_EQ((*f)->Size(), 4);
  ASSERT_TRUE((*f)->Append("xy").ok());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(*fs_->ReadFile(p), "0123xy");
  ASSERT_TRUE(fs_->TruncateFile(p, 2).ok());
  EXPECT_EQ(*fs_->ReadFile(p), "01");
}

TEST_F(PosixFileSystemTest, RandomAccessAndMap) {
  const std::string p = Path("r");
  std::string content(100000, 'x');
  for (size_t i = 0; i < content.size(); ++i)
    content[i] = static_cast<char>('a' + i % 26);
  {
    auto f = fs_->NewWritableFile(p);
    ASSERT_TRUE((*f)->Append(content).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  auto r = fs_->NewRandomAccessFile(p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*(*r)->Size(), 100000);
  char scratch[64];
  std::string_view got;
  ASSERT_TRUE((*r)->Read(99990, 64, &got, scratch).ok());
  EXPECT_EQ(got, content.substr(99990));  // Short at end of file.
  ASSERT_TRUE((*r)->Read(26, 5, &got, scratch).ok());
  EXPECT_EQ(got, "abcde");

  auto m = fs_->MapFile(p);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->data(), content);

  // Empty files map to an empty view.
  { ASSERT_TRUE((*fs_->NewWritableFile(Path("empty")))->Close().ok()); }
  auto e = fs_->MapFile(Path("empty"));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TRUE((*e)->data().empty());
}

TEST_F(PosixFileSystemTest, DirectoriesRenameLinkRemove) {
  ASSERT_TRUE(fs_->CreateDirs(Path("a/b/c")).ok());
  ASSERT_TRUE(fs_->CreateDirs(Path("a/b/c")).ok());  // Exists: fine.
  EXPECT_TRUE(fs_->IsDirectory(Path("a/b")));
  { ASSERT_TRUE((*fs_->NewWritableFile(Path("a/b/c/f")))->Append("1").ok()); }
  { ASSERT_TRUE((*fs_->NewWritableFile(Path("a/z")))->Close().ok()); }
  EXPECT_FALSE(fs_->IsDirectory(Path("a/z")));
  EXPECT_TRUE(fs_->Exists(Path("a/z")));

  auto names = fs_->ListDir(Path("a"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"b", "z"}));

  ASSERT_TRUE(fs_->Rename(Path("a/b/c/f"), Path("g")).ok());
  EXPECT_FALSE(fs_->Exists(Path("a/b/c/f")));
  ASSERT_TRUE(fs_->Link(Path("g"), Path("h")).ok());
  EXPECT_EQ(*fs_->ReadFile(Path("h")), "1");
  ASSERT_TRUE(fs_->SyncDir(dir_).ok());

  ASSERT_TRUE(fs_->RemoveFile(Path("g")).ok());
  EXPECT_EQ(*fs_->ReadFile(Path("h")), "1");
  ASSERT_TRUE(fs_->RemoveAll(Path("a")).ok());
  EXPECT_FALSE(fs_->Exists(Path("a")));
  EXPECT_TRUE(fs_->RemoveAll(Path("a")).ok());  // Missing: fine.
}

TEST_F(PosixFileSystemTest, ErrorsNameThePath) {
  const std::string missing = Path("nope/file");
  auto r = fs_->ReadFile(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound()) << r.status().ToString();
  EXPECT_NE(r.status().message().find(missing), std::string_view::npos);

  Status s = fs_->Rename(missing, Path("x"));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(missing), std::string_view::npos);

  auto w = fs_->NewWritableFile(Path("nope/file"));
  EXPECT_FALSE(w.ok());
  EXPECT_FALSE(fs_->SyncDir(Path("nope")).ok());
  EXPECT_FALSE(fs_->FileSize(missing).ok());
}

}  // namespace
}  // namespace strata
