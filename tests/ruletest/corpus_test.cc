// The differential test of `strata-tsdb test rules`: every unit-test file
// of tests/ruletest/corpus run by the real `promtool test rules` (2.42) and
// by strata-tsdb, from the corpus directory so that both print the same
// relative paths: the same exit code, stdout and stderr, byte for byte.
// A file whose text says "Deliberately failing" must fail (exit 1), every
// other one pass, so a corpus file cannot silently change its verdict.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "run_command.h"
#include "temp_dir.h"
#include "test_env.h"

namespace strata::testing {
namespace {

std::string CorpusDir() { return SourceDir() + "/tests/ruletest/corpus"; }

std::vector<std::string> CorpusFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(CorpusDir(), ec)) {
    if (e.path().extension() == ".yml") {
      files.push_back(e.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct ToolRun {
  std::string out;
  std::string err;
  int code = 0;
};

ToolRun RunInCorpus(const std::string& command, const std::string& file,
                    const TempDir& tmp) {
  ToolRun run;
  const std::string err_path = tmp.Join("stderr.txt");
  run.out = RunCommand("cd '" + CorpusDir() + "' && " + command + " '" + file +
                           "' 2>'" + err_path + "'",
                       &run.code);
  run.err = ReadAll(err_path);
  return run;
}

class CorpusTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    int code = 0;
    RunCommand("promtool --version >/dev/null 2>&1", &code);
    if (code != 0) STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
    ASSERT_TRUE(tmp_.ok());
  }
  TempDir tmp_;
};

TEST_P(CorpusTest, SameAsPromtool) {
  const std::string file = GetParam();
  const bool should_fail =
      ReadAll(CorpusDir() + "/" + file).find("Deliberately failing") !=
      std::string::npos;
  const ToolRun theirs = RunInCorpus("promtool test rules", file, tmp_);
  EXPECT_EQ(theirs.code, should_fail ? 1 : 0) << theirs.out << theirs.err;
  const ToolRun ours = RunInCorpus(
      BinaryDir() + "/tools/strata-tsdb/strata-tsdb test rules", file, tmp_);
  EXPECT_EQ(ours.code, theirs.code) << ours.out << ours.err;
  EXPECT_EQ(ours.out, theirs.out);
  EXPECT_EQ(ours.err, theirs.err);
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.size() - 4);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusTest, ::testing::ValuesIn(CorpusFiles()),
                         TestName);

// Several files in one run: one verdict each, exit 1 if any failed.
TEST_F(CorpusTest, SeveralFilesInOneRun) {
  const std::string files =
      "bad_duration.yml' 'promql_errors.yml' 'bad_rule_file.yml";
  const ToolRun theirs = RunInCorpus("promtool test rules", files, tmp_);
  const ToolRun ours = RunInCorpus(
      BinaryDir() + "/tools/strata-tsdb/strata-tsdb test rules", files, tmp_);
  EXPECT_EQ(theirs.code, 1);
  EXPECT_EQ(ours.code, theirs.code);
  EXPECT_EQ(ours.out, theirs.out);
  EXPECT_EQ(ours.err, theirs.err);
}

}  // namespace
}  // namespace strata::testing
