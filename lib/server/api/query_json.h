// JSON encoding of PromQL results the way Prometheus 2.42's HTTP API
// writes them (jsoniter with its custom point encoder):
//   vector: [{"metric":{"__name__":"up"},"value":[1435781451.781,"1"]}, ...]
//   matrix: [{"metric":{...},"values":[[1435781430.781,"1"], ...]}, ...]
// A native histogram sample (Point::h) is `"histogram":[t,{...}]` in a
// vector, and a matrix series lists its histograms after its floats as
// `"histograms":[[t,{...}],...]`, each list left out when empty
// (histogram_json.h).
//   scalar: [1435781451.781,"1"]      string: [1435781451.781,"text"]
// Timestamps are seconds: a vector's or matrix's points keep all three
// millisecond digits (1.500), a scalar's or string's drop trailing zeros
// (1.5), as Prometheus's two encoders do. Values are strings in Go's
// shortest form with NaN, +Inf and -Inf spelled so: a point's value in 'f'
// form unless its magnitude is below 1e-6 or at least 1e21, then 'e'
// ("5.51e-07", "1e+21"); a scalar's always in 'f' form ("0.000000551").
//
// Thread-safety: pure functions.
#ifndef STRATA_SERVER_API_QUERY_JSON_H_
#define STRATA_SERVER_API_QUERY_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "promql/engine.h"
#include "server/http/stream_buffer.h"
#include "strata/exemplar.h"
#include "strata/labels.h"
#include "strata/status.h"

namespace strata::server {

// Prometheus's jsonutil.MarshalTimestamp: milliseconds as decimal seconds.
void AppendJsonTimestamp(std::string* out, int64_t t_ms);
// A point's value as a JSON string, as Prometheus's jsonutil.MarshalFloat
// writes it: "1", "0.5", "5.51e-07", "1e+21", "NaN", "+Inf", "-Inf".
void AppendJsonSampleValue(std::string* out, double v);
// A JSON number as Prometheus's API (jsoniter, like encoding/json) writes
// a float64 field: Go's 'f' form unless the magnitude is below 1e-6 or at
// least 1e21, then 'e' with a one-digit exponent kept short ("5e-7",
// "1e+21"). Precondition: v is finite.
void AppendJsonNumber(std::string* out, double v);

// /api/v1/query_exemplars's data as Prometheus 2.42 writes it:
//   [{"seriesLabels":{"__name__":"a"},"exemplars":[{"labels":{"trace_id":
//    "x"},"value":"1","timestamp":1.5}]}]
// The value as a point's, the timestamp as AppendJsonTimestamp.
void AppendExemplarsJson(std::string* out,
                         const std::vector<ExemplarSeries>& result);

// What the API measured around the engine: waiting for a slot, and all
// of it (waiting and evaluation).
struct ExecTimings {
  double queue_seconds = 0;
  double total_seconds = 0;
};

// Prometheus's `stats` object (util/stats.BuiltinStats):
//   {"timings":{"evalTotalTime":..,"resultSortTime":..,
//    "queryPreparationTime":..,"innerEvalTime":..,"execQueueTime":..,
//    "execTotalTime":..},"samples":{["totalQueryableSamplesPerStep":
//    [[<t seconds>,<n>],...],]"totalQueryableSamples":N,"peakSamples":N}}
// The per-step list only when `stats` has it (stats=all).
void AppendQueryStatsJson(std::string* out, const promql::QueryStats& stats,
                          const ExecTimings& exec);

// Streams {"resultType":...,"result":...} for `result` into `out`, with
// `"stats":<stats_json>` after the result unless `stats_json` is empty.
Status WriteQueryData(const promql::Result& result, StreamBuffer* out,
                      std::string_view stats_json = {});

}  // namespace strata::server

#endif  // STRATA_SERVER_API_QUERY_JSON_H_
