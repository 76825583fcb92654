// The signatures of PromQL's functions as of Prometheus 2.42, which the
// parser type-checks calls against.
//
// Thread-safety: the table is immutable.
#ifndef STRATA_PROMQL_FUNCTION_TABLE_H_
#define STRATA_PROMQL_FUNCTION_TABLE_H_

#include <string_view>
#include <vector>

#include "promql/value.h"

namespace strata::promql {

enum class FuncId {
  kAbs,
  kAbsent,
  kAbsentOverTime,
  kAcos,
  kAcosh,
  kAsin,
  kAsinh,
  kAtan,
  kAtanh,
  kAvgOverTime,
  kCeil,
  kChanges,
  kClamp,
  kClampMax,
  kClampMin,
  kCos,
  kCosh,
  kCountOverTime,
  kDaysInMonth,
  kDayOfMonth,
  kDayOfWeek,
  kDayOfYear,
  kDeg,
  kDelta,
  kDeriv,
  kExp,
  kFloor,
  kHistogramCount,
  kHistogramSum,
  kHistogramFraction,
  kHistogramQuantile,
  kHoltWinters,
  kHour,
  kIdelta,
  kIncrease,
  kIrate,
  kLabelReplace,
  kLabelJoin,
  kLastOverTime,
  kLn,
  kLog10,
  kLog2,
  kMaxOverTime,
  kMinOverTime,
  kMinute,
  kMonth,
  kPi,
  kPredictLinear,
  kPresentOverTime,
  kQuantileOverTime,
  kRad,
  kRate,
  kResets,
  kRound,
  kScalar,
  kSgn,
  kSin,
  kSinh,
  kSort,
  kSortDesc,
  kSqrt,
  kStddevOverTime,
  kStdvarOverTime,
  kSumOverTime,
  kTan,
  kTanh,
  kTime,
  kTimestamp,
  kVector,
  kYear,
};

struct Function {
  FuncId id;
  std::string_view name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types. n > 0: the last argument is optional and its type
  // may repeat, so calls take size-1 to size-1+n arguments. -1: at least
  // size-1 arguments, without an upper bound.
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
};

// nullptr if there is no function with that (case-sensitive) name.
const Function* LookupFunction(std::string_view name);

// Functions whose result depends on the evaluation time itself, so an
// expression using them is not step invariant under the @ modifier
// (Prometheus's AtModifierUnsafeFunctions).
bool IsAtModifierUnsafe(FuncId id);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_FUNCTION_TABLE_H_
