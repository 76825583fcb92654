#include "promql/function_table.h"

#include "absl/container/flat_hash_map.h"

namespace strata::promql {
namespace {

constexpr ValueType kV = ValueType::kVector;
constexpr ValueType kS = ValueType::kScalar;
constexpr ValueType kM = ValueType::kMatrix;
constexpr ValueType kStr = ValueType::kString;

const std::vector<Function>& AllFunctions() {
  static const auto* fns = new std::vector<Function>{
      {FuncId::kAbs, "abs", {kV}},
      {FuncId::kAbsent, "absent", {kV}},
      {FuncId::kAbsentOverTime, "absent_over_time", {kM}},
      {FuncId::kAcos, "acos", {kV}},
      {FuncId::kAcosh, "acosh", {kV}},
      {FuncId::kAsin, "asin", {kV}},
      {FuncId::kAsinh, "asinh", {kV}},
      {FuncId::kAtan, "atan", {kV}},
      {FuncId::kAtanh, "atanh", {kV}},
      {FuncId::kAvgOverTime, "avg_over_time", {kM}},
      {FuncId::kCeil, "ceil", {kV}},
      {FuncId::kChanges, "changes", {kM}},
      {FuncId::kClamp, "clamp", {kV, kS, kS}},
      {FuncId::kClampMax, "clamp_max", {kV, kS}},
      {FuncId::kClampMin, "clamp_min", {kV, kS}},
      {FuncId::kCos, "cos", {kV}},
      {FuncId::kCosh, "cosh", {kV}},
      {FuncId::kCountOverTime, "count_over_time", {kM}},
      {FuncId::kDaysInMonth, "days_in_month", {kV}, 1},
      {FuncId::kDayOfMonth, "day_of_month", {kV}, 1},
      {FuncId::kDayOfWeek, "day_of_week", {kV}, 1},
      {FuncId::kDayOfYear, "day_of_year", {kV}, 1},
      {FuncId::kDeg, "deg", {kV}},
      {FuncId::kDelta, "delta", {kM}},
      {FuncId::kDeriv, "deriv", {kM}},
      {FuncId::kExp, "exp", {kV}},
      {FuncId::kFloor, "floor", {kV}},
      {FuncId::kHistogramCount, "histogram_count", {kV}},
      {FuncId::kHistogramSum, "histogram_sum", {kV}},
      {FuncId::kHistogramFraction, "histogram_fraction", {kS, kS, kV}},
      {FuncId::kHistogramQuantile, "histogram_quantile", {kS, kV}},
      {FuncId::kHoltWinters, "holt_winters", {kM, kS, kS}},
      {FuncId::kHour, "hour", {kV}, 1},
      {FuncId::kIdelta, "idelta", {kM}},
      {FuncId::kIncrease, "increase", {kM}},
      {FuncId::kIrate, "irate", {kM}},
      {FuncId::kLabelReplace, "label_replace", {kV, kStr, kStr, kStr, kStr}},
      {FuncId::kLabelJoin, "label_join", {kV, kStr, kStr, kStr}, -1},
      {FuncId::kLastOverTime, "last_over_time", {kM}},
      {FuncId::kLn, "ln", {kV}},
      {FuncId::kLog10, "log10", {kV}},
      {FuncId::kLog2, "log2", {kV}},
      {FuncId::kMaxOverTime, "max_over_time", {kM}},
      {FuncId::kMinOverTime, "min_over_time", {kM}},
      {FuncId::kMinute, "minute", {kV}, 1},
      {FuncId::kMonth, "month", {kV}, 1},
      {FuncId::kPi, "pi", {}, 0, kS},
      {FuncId::kPredictLinear, "predict_linear", {kM, kS}},
      {FuncId::kPresentOverTime, "present_over_time", {kM}},
      {FuncId::kQuantileOverTime, "quantile_over_time", {kS, kM}},
      {FuncId::kRad, "rad", {kV}},
      {FuncId::kRate, "rate", {kM}},
      {FuncId::kResets, "resets", {kM}},
      {FuncId::kRound, "round", {kV, kS}, 1},
      {FuncId::kScalar, "scalar", {kV}, 0, kS},
      {FuncId::kSgn, "sgn", {kV}},
      {FuncId::kSin, "sin", {kV}},
      {FuncId::kSinh, "sinh", {kV}},
      {FuncId::kSort, "sort", {kV}},
      {FuncId::kSortDesc, "sort_desc", {kV}},
      {FuncId::kSqrt, "sqrt", {kV}},
      {FuncId::kStddevOverTime, "stddev_over_time", {kM}},
      {FuncId::kStdvarOverTime, "stdvar_over_time", {kM}},
      {FuncId::kSumOverTime, "sum_over_time", {kM}},
      {FuncId::kTan, "tan", {kV}},
      {FuncId::kTanh, "tanh", {kV}},
      {FuncId::kTime, "time", {}, 0, kS},
      {FuncId::kTimestamp, "timestamp", {kV}},
      {FuncId::kVector, "vector", {kS}},
      {FuncId::kYear, "year", {kV}, 1},
  };
  return *fns;
}

}  // namespace

const Function* LookupFunction(std::string_view name) {
  static const auto* by_name = [] {
    auto* m = new absl::flat_hash_map<std::string_view, const Function*>();
    for (const Function& f : AllFunctions()) (*m)[f.name] = &f;
    return m;
  }();
  auto it = by_name->find(name);
  return it == by_name->end() ? nullptr : it->second;
}

bool IsAtModifierUnsafe(FuncId id) {
  switch (id) {
    case FuncId::kDaysInMonth:
    case FuncId::kDayOfMonth:
    case FuncId::kDayOfWeek:
    case FuncId::kDayOfYear:
    case FuncId::kHour:
    case FuncId::kMinute:
    case FuncId::kMonth:
    case FuncId::kYear:
    case FuncId::kPredictLinear:
    case FuncId::kTime:
    case FuncId::kTimestamp:
      return true;
    default:
      return false;
  }
}

}  // namespace strata::promql
