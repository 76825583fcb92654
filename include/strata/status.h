// Status and StatusOr: Strata's error model. No exceptions cross the public
// API; every fallible call returns one of these.
//
// Thread-safety: values are immutable once built and may be shared freely.
#ifndef STRATA_STATUS_H_
#define STRATA_STATUS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace strata {

// Codes are not serialized; the order carries no meaning.
enum class StatusCode {
  kOk,
  kInvalidArgument,    // The caller's input is malformed.
  kNotFound,           // A named thing does not exist.
  kCorruption,         // Stored bytes failed a checksum or invariant.
  kIOError,            // The OS reported a failure (EIO, ENOSPC, ...).
  kOutOfOrder,         // Sample older than the series' newest sample.
  kOutOfBounds,        // Sample older than the head accepts at all.
  kDuplicateSample,    // Same timestamp, different value.
  kResourceExhausted,  // A limit was hit (queue full, too many samples).
  kUnavailable,        // Retry later (shutting down, not ready).
  kFailedPrecondition,
  kNotSupported,
  kCancelled,
  kDeadlineExceeded,
  kInternal,
  // Out-of-order sample older than the out-of-order time window allows.
  kTooOldSample,
};

// Returns a stable lower-case name such as "out_of_order".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status carries no allocation.
  Status() = default;
  Status(StatusCode code, std::string_view message);

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(StatusCode::kInvalidArgument, msg);
  }
  static Status NotFound(std::string_view msg) {
    return Status(StatusCode::kNotFound, msg);
  }
  static Status Corruption(std::string_view msg) {
    return Status(StatusCode::kCorruption, msg);
  }
  static Status IOError(std::string_view msg) {
    return Status(StatusCode::kIOError, msg);
  }
  // Builds an IOError from errno: "<context>: <strerror(err)>".
  static Status FromErrno(int err, std::string_view context);
  static Status OutOfOrder(std::string_view msg) {
    return Status(StatusCode::kOutOfOrder, msg);
  }
  static Status OutOfBounds(std::string_view msg) {
    return Status(StatusCode::kOutOfBounds, msg);
  }
  static Status TooOldSample(std::string_view msg) {
    return Status(StatusCode::kTooOldSample, msg);
  }
  static Status DuplicateSample(std::string_view msg) {
    return Status(StatusCode::kDuplicateSample, msg);
  }
  static Status ResourceExhausted(std::string_view msg) {
    return Status(StatusCode::kResourceExhausted, msg);
  }
  static Status Unavailable(std::string_view msg) {
    return Status(StatusCode::kUnavailable, msg);
  }
  static Status FailedPrecondition(std::string_view msg) {
    return Status(StatusCode::kFailedPrecondition, msg);
  }
  static Status NotSupported(std::string_view msg) {
    return Status(StatusCode::kNotSupported, msg);
  }
  static Status Cancelled(std::string_view msg) {
    return Status(StatusCode::kCancelled, msg);
  }
  static Status DeadlineExceeded(std::string_view msg) {
    return Status(StatusCode::kDeadlineExceeded, msg);
  }
  static Status Internal(std::string_view msg) {
    return Status(StatusCode::kInternal, msg);
  }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  std::string_view message() const {
    return rep_ ? std::string_view(rep_->message) : std::string_view();
  }
  // "OK" or "<code name>: <message>".
  std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>"; OK stays OK.
  Status WithContext(std::string_view prefix) const;

  bool Is(StatusCode c) const { return code() == c; }
  bool IsCorruption() const { return Is(StatusCode::kCorruption); }
  bool IsIOError() const { return Is(StatusCode::kIOError); }
  bool IsNotFound() const { return Is(StatusCode::kNotFound); }

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  // Shared so copies are cheap; never mutated after construction.
  std::shared_ptr<const Rep> rep_;
};

namespace internal {
// Prints "StatusOr value accessed on error: <status>" to stderr and aborts.
[[noreturn]] void DieOnValueOfError(const Status& status);
}  // namespace internal

// Holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // Implicit so that `return Status::NotFound(..)` and `return value` work.
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Status::Internal("StatusOr built from OK");
  }
  StatusOr(const T& value) : value_(value) {}        // NOLINT
  StatusOr(T&& value) : value_(std::move(value)) {}  // NOLINT
  template <typename U, typename = std::enable_if_t<
                            std::is_convertible_v<U&&, T> &&
                            !std::is_same_v<std::decay_t<U>, T> &&
                            !std::is_same_v<std::decay_t<U>, Status>>>
  StatusOr(U&& value) : value_(std::forward<U>(value)) {}  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // On an error these print the status to stderr and abort the process, as
  // absl::StatusOr does: check ok() first.
  T& value() & {
    EnsureOk();
    return *value_;
  }
  const T& value() const& {
    EnsureOk();
    return *value_;
  }
  T&& value() && {
    EnsureOk();
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void EnsureOk() const {
    if (!ok()) [[unlikely]]
      ::strata::internal::DieOnValueOfError(status_);
  }

  Status status_;  // OK iff value_ is set.
  std::optional<T> value_;
};

}  // namespace strata

#define STRATA_INTERNAL_CONCAT2(a, b) a##b
#define STRATA_INTERNAL_CONCAT(a, b) STRATA_INTERNAL_CONCAT2(a, b)

// Returns from the enclosing function if `expr` yields a non-OK Status.
#define STRATA_RETURN_IF_ERROR(expr)                         \
  do {                                                       \
    ::strata::Status strata_status_tmp_ = (expr);            \
    if (!strata_status_tmp_.ok()) return strata_status_tmp_; \
  } while (0)

// `STRATA_ASSIGN_OR_RETURN(auto x, Foo());` assigns the value or returns the
// error of the StatusOr that `expr` yields.
#define STRATA_ASSIGN_OR_RETURN(lhs, expr) \
  STRATA_INTERNAL_ASSIGN_OR_RETURN(        \
      STRATA_INTERNAL_CONCAT(strata_statusor_, __LINE__), lhs, expr)
#define STRATA_INTERNAL_ASSIGN_OR_RETURN(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  if (!tmp.ok()) return tmp.status();                    \
  lhs = std::move(tmp).value()

#endif  // STRATA_STATUS_H_
