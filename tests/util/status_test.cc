#include "strata/status.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace strata {
namespace {

TEST(StatusTest, ToStringNamesCodeAndMessage) {
  EXPECT_EQ(Status::OK().ToString(), "OK");
  EXPECT_EQ(Status::NotFound("no such series").ToString(),
            "not_found: no such series");
  EXPECT_EQ(Status::IOError("disk").WithContext("wal").ToString(),
            "io_error: wal: disk");
}

TEST(StatusOrTest, HoldsValueOrError) {
  StatusOr<std::string> value = std::string("v");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "v");
  EXPECT_EQ(value->size(), 1u);

  StatusOr<std::string> error = Status::Corruption("bad crc");
  EXPECT_FALSE(error.ok());
  EXPECT_TRUE(error.status().IsCorruption());
}

TEST(StatusOrTest, BuiltFromOkStatusIsAnError) {
  StatusOr<int> s = Status::OK();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInternal);
}

using StatusOrDeathTest = ::testing::Test;

TEST_F(StatusOrDeathTest, ValueOnErrorAbortsWithTheStatus) {
  const StatusOr<int> s = Status::NotFound("series 42");
  EXPECT_DEATH((void)s.value(), "not_found: series 42");
}

TEST_F(StatusOrDeathTest, DereferenceOnErrorAbortsWithTheStatus) {
  StatusOr<std::unique_ptr<std::string>> s = Status::IOError("disk full");
  EXPECT_DEATH((void)*s, "io_error: disk full");
  EXPECT_DEATH((void)std::move(s).value(), "io_error: disk full");
}

TEST_F(StatusOrDeathTest, ArrowOnErrorAbortsWithTheStatus) {
  StatusOr<std::string> s = Status::Unavailable("closing");
  EXPECT_DEATH((void)s->size(), "unavailable: closing");
}

}  // namespace
}  // namespace strata
