#include "notifier/alert.h"

namespace strata::notifier {

std::string EncodePostableAlerts(std::span<const Alert>) { return "[]"; }
std::string FormatRfc3339Millis(int64_t) { return ""; }

}  // namespace strata::notifier
