#include "goyaml/decoder.h"

#include "gtest/gtest.h"

namespace strata::goyaml {
namespace {

// Expected texts are promtool 2.42's (check config, check rules, test rules).
class GoYamlDecoderTest : public ::testing::Test {
 protected:
  YAML::Node Parse(std::string_view text) {
    StatusOr<YAML::Node> node = Load(text);
    EXPECT_TRUE(node.ok()) << node.status().message();
    return node.ok() ? *node : YAML::Node();
  }
};

TEST_F(GoYamlDecoderTest, UnknownFieldsAndTypeErrorsAreCollected) {
  const YAML::Node root = Parse(
      "a: 1\n"
      "bogus: 2\n"
      "list: abcdefghijklmnop\n"
      "map: [1]\n"
      "name: {x: y}\n");
  Decoder d(Version::kV2);
  d.CheckFields(root, {"a", "list", "map", "name"}, "config.plain");
  EXPECT_TRUE(d.StringList(root["list"]).empty());
  EXPECT_TRUE(d.StringMap(root["map"]).empty());
  EXPECT_EQ(d.String(root["name"]), "");
  EXPECT_EQ(d.type_error_count(), 4u);
  EXPECT_FALSE(d.failed());
  EXPECT_EQ(d.ErrorText(),
            "yaml: unmarshal errors:\n"
            "  line 2: field bogus not found in type config.plain\n"
            "  line 3: cannot unmarshal !!str `abcdefg...` into []string\n"
            "  line 4: cannot unmarshal !!seq into map[string]string\n"
            "  line 5: cannot unmarshal !!map into string");
  EXPECT_EQ(d.Result().message(), d.ErrorText());
}

TEST_F(GoYamlDecoderTest, ScalarTypeErrorsNameTheResolvedTag) {
  const YAML::Node root = Parse(
      "a: 0x1F\nb: 1_000\nc: .5\nd: \"1\"\ne: yes\nf: 1234567890\n"
      "g: 12345678901\n");
  Decoder d(Version::kV2);
  for (const char* key : {"a", "b", "c", "d", "e", "f", "g"}) {
    d.StringList(root[key]);
  }
  EXPECT_EQ(d.ErrorText(),
            "yaml: unmarshal errors:\n"
            "  line 1: cannot unmarshal !!int `0x1F` into []string\n"
            "  line 2: cannot unmarshal !!int `1_000` into []string\n"
            "  line 3: cannot unmarshal !!float `.5` into []string\n"
            "  line 4: cannot unmarshal !!str `1` into []string\n"
            "  line 5: cannot unmarshal !!bool `yes` into []string\n"
            "  line 6: cannot unmarshal !!int `1234567890` into []string\n"
            "  line 7: cannot unmarshal !!int `1234567...` into []string");
}

TEST_F(GoYamlDecoderTest, Ints) {
  const YAML::Node root = Parse(
      "a: 12\nb: 1.5\nc: abc\nd: true\ne: yes\nf: abcdefghijklmnopq\n"
      "g: -1\nh: 7\n");
  Decoder v3(Version::kV3);
  EXPECT_EQ(v3.Int(root["a"]), 12);
  EXPECT_EQ(v3.Int(root["b"]), 1);  // go-yaml truncates a float.
  EXPECT_EQ(v3.Int(root["missing"]), 0);
  v3.Int(root["c"]);
  v3.Int(root["d"]);
  v3.Int(root["e"]);
  v3.Int(root["f"]);
  EXPECT_EQ(v3.ErrorText(),
            "yaml: unmarshal errors:\n"
            "  line 3: cannot unmarshal !!str `abc` into int\n"
            "  line 4: cannot unmarshal !!bool `true` into int\n"
            "  line 5: cannot unmarshal !!str `yes` into int\n"
            "  line 6: cannot unmarshal !!str `abcdefg...` into int");
  Decoder v2(Version::kV2);
  EXPECT_EQ(v2.Uint64(root["h"]), 7u);
  EXPECT_EQ(v2.Uint64(root["g"]), 0u);
  EXPECT_EQ(v2.ErrorText(),
            "yaml: unmarshal errors:\n"
            "  line 7: cannot unmarshal !!int `-1` into uint64");
}

TEST_F(GoYamlDecoderTest, Floats) {
  const YAML::Node root = Parse("a: 1\nb: 2.5e1\nc: '3'\nd: [1]\n");
  Decoder d(Version::kV2);
  EXPECT_EQ(d.Float(root["a"]), 1);
  EXPECT_EQ(d.Float(root["b"]), 25);
  EXPECT_EQ(d.Float(root["c"]), 0);
  EXPECT_EQ(d.Float(root["d"]), 0);
  EXPECT_EQ(d.ErrorText(),
            "yaml: unmarshal errors:\n"
            "  line 3: cannot unmarshal !!str `3` into float64\n"
            "  line 4: cannot unmarshal !!seq into float64");
}

TEST_F(GoYamlDecoderTest, DurationsAreValueErrorsAndTheFirstWins) {
  const YAML::Node root =
      Parse("ok: 1m30s\nseq: [1]\nbad: 5x\nempty: \"\"\nnull_one: ~\n");
  Decoder d(Version::kV2);
  EXPECT_EQ(d.Duration(root["ok"]), 90000);
  EXPECT_EQ(d.Duration(root["null_one"]), 0);
  EXPECT_EQ(d.Duration(root["seq"]), 0);
  EXPECT_FALSE(d.failed());
  EXPECT_EQ(d.Duration(root["bad"]), 0);
  EXPECT_TRUE(d.failed());
  d.Duration(root["empty"]);
  EXPECT_EQ(d.type_error_count(), 1u);
  EXPECT_EQ(d.ErrorText(), "not a valid duration string: \"5x\"");

  Decoder empty(Version::kV3);
  empty.Duration(root["empty"]);
  EXPECT_EQ(empty.ErrorText(), "empty duration string");
}

TEST_F(GoYamlDecoderTest, NullIsTheZeroValue) {
  const YAML::Node root = Parse("s: ~\nl: null\nm:\nq: [~, a]\nn: {a: ~}\n");
  Decoder d(Version::kV2);
  EXPECT_EQ(d.String(root["s"]), "");
  EXPECT_TRUE(d.StringList(root["l"]).empty());
  EXPECT_TRUE(d.StringMap(root["m"]).empty());
  EXPECT_FALSE(d.IsMap(root["m"], "config.plain"));
  EXPECT_FALSE(d.IsSequence(root["absent"], "[]string"));
  EXPECT_EQ(d.StringList(root["q"]), (std::vector<std::string>{"", "a"}));
  const auto map = d.StringMap(root["n"]);
  ASSERT_EQ(map.size(), 1u);
  EXPECT_EQ(map[0].first, "a");
  EXPECT_EQ(map[0].second, "");
  EXPECT_TRUE(d.Result().ok());
  EXPECT_EQ(d.ErrorText(), "");
}

TEST_F(GoYamlDecoderTest, PositionsAreOneBased) {
  const YAML::Node root = Parse("a:\n  - x\n  -   y\n");
  EXPECT_EQ(PositionOf(root["a"][1]).line, 3);
  EXPECT_EQ(PositionOf(root["a"][1]).column, 7);
  EXPECT_EQ(PositionOf(root["missing"]).line, 0);
  EXPECT_EQ(LineOf(root["a"]), 2);
}

TEST_F(GoYamlDecoderTest, SyntaxErrors) {
  StatusOr<YAML::Node> node = Load("a: [1\nb: 2\n");
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().message(),
            "yaml: line 2: end of sequence flow not found");
}

}  // namespace
}  // namespace strata::goyaml
