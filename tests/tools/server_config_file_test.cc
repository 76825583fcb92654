#include <cstdio>
#include <fstream>
#include <string>

#include "config_file.h"
#include "gtest/gtest.h"

namespace strata::server {
namespace {

TEST(ConfigFileTest, EmptyAndEmptyMappingAreAccepted) {
  for (const char* text : {"", "{}", "\n# only a comment\n", "---\n"}) {
    StatusOr<ConfigFile> config = ParseConfig(text);
    ASSERT_TRUE(config.ok()) << text << ": " << config.status().ToString();
    EXPECT_TRUE(config->sections.empty());
  }
}

TEST(ConfigFileTest, ListsTopLevelSections) {
  StatusOr<ConfigFile> config = ParseConfig(
      "global:\n  scrape_interval: 15s\nscrape_configs: []\nremote_write:\n"
      "  - url: http://x\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->sections, (std::vector<std::string>{
                                  "global", "scrape_configs", "remote_write"}));
}

TEST(ConfigFileTest, RejectsInvalidYamlWithPosition) {
  StatusOr<ConfigFile> config = ParseConfig("global:\n  a: [1, 2\n");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("line"), std::string_view::npos)
      << config.status().ToString();
  EXPECT_FALSE(ParseConfig("a: b: c").ok());
  EXPECT_FALSE(ParseConfig("{unclosed").ok());
}

TEST(ConfigFileTest, RejectsNonMappingTopLevel) {
  for (const char* text : {"- a\n- b\n", "just a string", "42"}) {
    StatusOr<ConfigFile> config = ParseConfig(text);
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_NE(config.status().message().find("mapping"),
              std::string_view::npos);
  }
}

TEST(ConfigFileTest, LoadsFiles) {
  EXPECT_TRUE(LoadConfigFile("/nonexistent/strata.yml").status().IsNotFound());
  char path[] = "/tmp/strata_config_test_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  {
    std::ofstream out(path);
    out << "global: {}\n";
  }
  StatusOr<ConfigFile> config = LoadConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->sections, std::vector<std::string>{"global"});
  {
    std::ofstream out(path);
    out << "global: [\n";
  }
  config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(path), std::string_view::npos);
  std::remove(path);
}

}  // namespace
}  // namespace strata::server
