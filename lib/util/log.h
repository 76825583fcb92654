// Logging in Prometheus's logfmt style:
//   ts=2026-11-25T16:31:08.123Z caller=wal.cc:120 level=warn msg="..." k=v
// to stderr. Cheap when the level is filtered out.
//
// Thread-safety: all functions are safe to call concurrently; each line is
// written with one write(2).
#ifndef STRATA_UTIL_LOG_H_
#define STRATA_UTIL_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace strata {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Lines below this level are dropped. Default: kInfo.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "debug", "info", "warn", "error".
bool ParseLogLevel(std::string_view text, LogLevel* level);

using LogField = std::pair<std::string_view, std::string>;

// Writes one logfmt line. Values are quoted when needed.
void Log(LogLevel level, const char* file, int line, std::string_view msg,
         std::initializer_list<LogField> fields = {});

}  // namespace strata

#define STRATA_LOG(level, msg, ...)                                     \
  do {                                                                  \
    if (::strata::LogLevel::level >= ::strata::GetLogLevel())           \
      ::strata::Log(::strata::LogLevel::level, __FILE__, __LINE__, msg, \
                    ##__VA_ARGS__);                                     \
  } while (0)

#endif  // STRATA_UTIL_LOG_H_
