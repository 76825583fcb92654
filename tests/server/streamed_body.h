// Reads a handler's Response body whole, streamed or not, for tests.
#ifndef STRATA_TESTS_SERVER_STREAMED_BODY_H_
#define STRATA_TESTS_SERVER_STREAMED_BODY_H_

#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "server/http/http.h"

namespace strata::server {

// Collects a streamed body and counts its flushes.
class StringWriter : public BodyWriter {
 public:
  Status Write(std::string_view data) override {
    body.append(data);
    return Status::OK();
  }
  Status Flush() override {
    ++flushes;
    return Status::OK();
  }
  std::string body;
  int flushes = 0;
};

inline std::string BodyOf(const Response& r) {
  if (!r.stream) return r.body;
  StringWriter w;
  EXPECT_TRUE(r.stream(&w).ok());
  return w.body;
}

}  // namespace strata::server

#endif  // STRATA_TESTS_SERVER_STREAMED_BODY_H_
