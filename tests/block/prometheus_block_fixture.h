// Test fixtures over Prometheus 2.42's own blocks: PromtoolTest needs
// promtool on PATH (CI fails without it); PrometheusBlocksTest unpacks the
// shared recorded block (../shared/datasets/recorded-15s) once per suite.
#ifndef STRATA_TESTS_BLOCK_PROMETHEUS_BLOCK_FIXTURE_H_
#define STRATA_TESTS_BLOCK_PROMETHEUS_BLOCK_FIXTURE_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "block/block.h"
#include "block/block_dir.h"
#include "promtool_util.h"
#include "test_env.h"

namespace strata {

using testing::RunCommand;
using testing::TempDir;

inline std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

class PromtoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HavePromtool()) STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
  }
};

// The recorded Prometheus block and promtool's own blocks from the same
// samples, unpacked once.
class PrometheusBlocksTest : public PromtoolTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string ds = testing::DatasetDir();
    prom_dir_ = dir_->path() + "/prom";
    std::filesystem::create_directories(prom_dir_);
    int code = 0;
    RunCommand("zstd -dc '" + ds + "/prometheus-blocks.tar.zst' | tar -x -C '" +
                   prom_dir_ + "'",
               &code);
    ASSERT_EQ(code, 0);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  std::shared_ptr<const Block> OpenPrometheusBlock() {
    auto names = ListBlockDirs(FileSystem::Default(), prom_dir_);
    EXPECT_TRUE(names.ok());
    EXPECT_EQ(names->size(), 1u);
    if (!names.ok() || names->size() != 1) return nullptr;
    auto b =
        Block::Open(FileSystem::Default(), JoinPath(prom_dir_, names->front()));
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? *b : nullptr;
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::string prom_dir_;
};

}  // namespace strata

#endif  // STRATA_TESTS_BLOCK_PROMETHEUS_BLOCK_FIXTURE_H_
