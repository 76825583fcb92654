#include "goyaml/scalar.h"

#include <cmath>

#include "gtest/gtest.h"

namespace strata::goyaml {
namespace {

Resolved ResolveText(const std::string& yaml, Version v = Version::kV2) {
  return Resolve(YAML::Load("v: " + yaml)["v"], v);
}

std::string_view Tag(const std::string& yaml, Version v = Version::kV2) {
  return ShortTag(ResolveText(yaml, v).kind);
}

// The tags promtool 2.42 prints in its type errors.
TEST(GoYamlScalarTest, TagsAsGoYamlResolvesThem) {
  EXPECT_EQ(Tag("0x1F"), "!!int");
  EXPECT_EQ(Tag("1_000"), "!!int");
  EXPECT_EQ(Tag("0b101"), "!!int");
  EXPECT_EQ(Tag("-1"), "!!int");
  EXPECT_EQ(Tag(".5"), "!!float");
  EXPECT_EQ(Tag("1e3"), "!!float");
  EXPECT_EQ(Tag("1."), "!!float");
  EXPECT_EQ(Tag("+.inf"), "!!float");
  EXPECT_EQ(Tag("08"), "!!float");
  EXPECT_EQ(Tag("\"1\""), "!!str");
  EXPECT_EQ(Tag("'true'"), "!!str");
  EXPECT_EQ(Tag("abc"), "!!str");
  EXPECT_EQ(Tag("~"), "!!null");
  EXPECT_EQ(Tag("null"), "!!null");
}

TEST(GoYamlScalarTest, BooleansDifferBetweenV2AndV3) {
  for (const char* b : {"yes", "No", "on", "OFF", "y"}) {
    EXPECT_EQ(Tag(b, Version::kV2), "!!bool") << b;
    EXPECT_EQ(Tag(b, Version::kV3), "!!str") << b;
  }
  for (const char* b : {"true", "False", "TRUE"}) {
    EXPECT_EQ(Tag(b, Version::kV2), "!!bool") << b;
    EXPECT_EQ(Tag(b, Version::kV3), "!!bool") << b;
  }
}

TEST(GoYamlScalarTest, Values) {
  EXPECT_EQ(ResolveText("0x1F").int_value, 31);
  EXPECT_EQ(ResolveText("010").int_value, 8);
  EXPECT_EQ(ResolveText("-0b11").int_value, -3);
  EXPECT_EQ(ResolveText("-9223372036854775808").int_value, INT64_MIN);
  const Resolved big = ResolveText("18446744073709551615");
  EXPECT_TRUE(big.is_uint);
  EXPECT_EQ(big.uint_value, UINT64_MAX);
  EXPECT_EQ(ShortTag(ResolveText("18446744073709551616").kind), "!!float");
  EXPECT_EQ(ResolveText("1_5.5e1").float_value, 155);
  EXPECT_TRUE(std::isinf(ResolveText("-.Inf").float_value));
  EXPECT_TRUE(std::isnan(ResolveText(".NaN").float_value));
  EXPECT_TRUE(ResolveText("on").bool_value);
}

}  // namespace
}  // namespace strata::goyaml
