// Waiting in tests: poll a condition until it holds or a deadline passes,
// instead of sleeping and hoping. Every wait is bounded.
#ifndef STRATA_TESTS_WAIT_FOR_H_
#define STRATA_TESTS_WAIT_FOR_H_

#include <chrono>
#include <thread>

namespace strata::testing {

// Calls `done` every `poll` until it returns true (then returns true) or
// `timeout` has passed (then returns false, after one last call).
template <typename Predicate>
bool WaitFor(Predicate&& done, std::chrono::milliseconds timeout,
             std::chrono::milliseconds poll = std::chrono::milliseconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
  return true;
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_WAIT_FOR_H_
