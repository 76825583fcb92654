#include "server/api/query_json.h"

#include <cmath>

#include "server/api/histogram_json.h"
#include "util/go_format.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// jsoniter's float encoding, which Prometheus's point encoder copies: Go's
// 'f' form unless the magnitude is below 1e-6 or at least 1e21.
constexpr double kSmallestFixedMagnitude = 1e-6;
constexpr double kLargestFixedMagnitude = 1e21;

// Scalars go through promql.Scalar.MarshalJSON: always Go's 'f' form, so
// a scalar 5.51e-07 prints as "0.000000551" where a sample prints
// "5.51e-07".
void AppendJsonScalarValue(std::string* out, double v) {
  out->push_back('"');
  AppendGoFloat(out, v, GoFloatFormat::kFixed);
  out->push_back('"');
}

void AppendPoint(std::string* out, int64_t t_ms, double v) {
  out->push_back('[');
  AppendJsonTimestamp(out, t_ms);
  out->push_back(',');
  AppendJsonSampleValue(out, v);
  out->push_back(']');
}

// A matrix series' points as 2.42's marshalSeriesJSON writes them: the
// floats as `,"values":[...]`, then the histograms as
// `,"histograms":[...]`, each list left out when empty.
Status AppendSeriesPoints(const promql::Series& s, StreamBuffer* out) {
  std::string* text = out->text();
  for (const bool histograms : {false, true}) {
    bool first = true;
    for (size_t i = 0; i < s.points.size(); ++i) {
      const promql::Point& p = s.points[i];
      const FloatHistogram* h = s.H(i);
      if ((h != nullptr) != histograms) continue;
      if (first) {
        text->append(histograms ? R"(,"histograms":[)" : R"(,"values":[)");
        first = false;
      } else {
        text->push_back(',');
      }
      if (histograms) {
        AppendHistogramPointJson(text, p.t, *h);
      } else {
        AppendPoint(text, p.t, p.v);
      }
      STRATA_RETURN_IF_ERROR(out->MaybeFlush());
    }
    if (!first) text->push_back(']');
  }
  return Status::OK();
}

}  // namespace

void AppendJsonTimestamp(std::string* out, int64_t t_ms) {
  // Negative times print their magnitude after a '-'; the unsigned
  // magnitude keeps INT64_MIN representable.
  uint64_t magnitude = static_cast<uint64_t>(t_ms);
  if (t_ms < 0) {
    out->push_back('-');
    magnitude = ~magnitude + 1;
  }
  out->append(std::to_string(magnitude / 1000));
  const uint64_t fraction = magnitude % 1000;
  if (fraction != 0) {
    out->push_back('.');
    if (fraction < 100) out->push_back('0');
    if (fraction < 10) out->push_back('0');
    out->append(std::to_string(fraction));
  }
}

void AppendJsonSampleValue(std::string* out, double v) {
  const double magnitude = std::fabs(v);
  const bool exponent =
      magnitude != 0 && (magnitude < kSmallestFixedMagnitude ||
                         magnitude >= kLargestFixedMagnitude);
  out->push_back('"');
  AppendGoFloat(out, v,
                exponent ? GoFloatFormat::kExponent : GoFloatFormat::kFixed);
  out->push_back('"');
}

void AppendExemplarsJson(std::string* out,
                         const std::vector<ExemplarSeries>& result) {
  out->push_back('[');
  for (size_t i = 0; i < result.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append("{\"seriesLabels\":");
    AppendJsonLabels(out, result[i].series_labels);
    out->append(",\"exemplars\":[");
    const std::vector<Exemplar>& exemplars = result[i].exemplars;
    for (size_t j = 0; j < exemplars.size(); ++j) {
      if (j > 0) out->push_back(',');
      out->append("{\"labels\":");
      AppendJsonLabels(out, exemplars[j].labels);
      out->append(",\"value\":");
      AppendJsonSampleValue(out, exemplars[j].value);
      out->append(",\"timestamp\":");
      AppendJsonTimestamp(out, exemplars[j].t_ms);
      out->push_back('}');
    }
    out->append("]}");
  }
  out->push_back(']');
}

void AppendJsonNumber(std::string* out, double v) {
  const double magnitude = std::fabs(v);
  if (magnitude == 0 || (magnitude >= kSmallestFixedMagnitude &&
                         magnitude < kLargestFixedMagnitude)) {
    AppendGoFloat(out, v, GoFloatFormat::kFixed);
    return;
  }
  AppendGoFloat(out, v, GoFloatFormat::kExponent);
  // Go cleans "e-07" up to "e-7".
  const size_t n = out->size();
  if (n >= 4 && (*out)[n - 4] == 'e' && (*out)[n - 3] == '-' &&
      (*out)[n - 2] == '0') {
    (*out)[n - 2] = (*out)[n - 1];
    out->pop_back();
  }
}

void AppendQueryStatsJson(std::string* out, const promql::QueryStats& stats,
                          const ExecTimings& exec) {
  const auto field = [out](std::string_view name, double seconds) {
    out->push_back('"');
    out->append(name);
    out->append("\":");
    AppendJsonNumber(out, seconds);
  };
  out->append(R"({"timings":{)");
  field("evalTotalTime", stats.eval_total);
  out->push_back(',');
  field("resultSortTime", stats.result_sort);
  out->push_back(',');
  field("queryPreparationTime", stats.query_preparation);
  out->push_back(',');
  field("innerEvalTime", stats.inner_eval);
  out->push_back(',');
  field("execQueueTime", exec.queue_seconds);
  out->push_back(',');
  field("execTotalTime", exec.total_seconds);
  out->append(R"(},"samples":{)");
  if (!stats.samples_per_step.empty()) {
    out->append(R"("totalQueryableSamplesPerStep":[)");
    for (size_t i = 0; i < stats.samples_per_step.size(); ++i) {
      if (i > 0) out->push_back(',');
      const int64_t t_ms =
          stats.start_ms + static_cast<int64_t>(i) * stats.step_ms;
      // Go: json.Marshal(float64(T) / 1000).
      out->push_back('[');
      AppendJsonNumber(out, static_cast<double>(t_ms) / 1000);
      out->push_back(',');
      out->append(std::to_string(stats.samples_per_step[i]));
      out->push_back(']');
    }
    out->append("],");
  }
  out->append(R"("totalQueryableSamples":)");
  out->append(std::to_string(stats.total_samples));
  out->append(R"(,"peakSamples":)");
  out->append(std::to_string(stats.peak_samples));
  out->append("}}");
}

Status WriteQueryData(const promql::Result& result, StreamBuffer* out,
                      std::string_view stats_json) {
  std::string* text = out->text();
  text->append(R"({"resultType":")");
  text->append(promql::ValueTypeName(result.type));
  text->append(R"(","result":)");
  switch (result.type) {
    case promql::ValueType::kVector: {
      text->push_back('[');
      bool first = true;
      for (const promql::Sample& s : result.vector) {
        if (!first) text->push_back(',');
        first = false;
        text->append(R"({"metric":)");
        AppendJsonLabels(text, s.metric);
        if (s.h != nullptr) {
          text->append(R"(,"histogram":)");
          AppendHistogramPointJson(text, s.t, *s.h);
        } else {
          text->append(R"(,"value":)");
          AppendPoint(text, s.t, s.v);
        }
        text->push_back('}');
        STRATA_RETURN_IF_ERROR(out->MaybeFlush());
      }
      text->push_back(']');
      break;
    }
    case promql::ValueType::kMatrix: {
      text->push_back('[');
      bool first_series = true;
      for (const promql::Series& s : result.matrix) {
        if (!first_series) text->push_back(',');
        first_series = false;
        text->append(R"({"metric":)");
        AppendJsonLabels(text, s.metric);
        STRATA_RETURN_IF_ERROR(AppendSeriesPoints(s, out));
        text->push_back('}');
      }
      text->push_back(']');
      break;
    }
    case promql::ValueType::kScalar:
      // Scalars and strings go through Go's encoding/json, whose float
      // form drops the trailing zeros points keep.
      text->push_back('[');
      AppendGoFloat(text, static_cast<double>(result.t) / 1000,
                    GoFloatFormat::kFixed);
      text->push_back(',');
      AppendJsonScalarValue(text, result.scalar);
      text->push_back(']');
      break;
    case promql::ValueType::kString:
      text->push_back('[');
      AppendGoFloat(text, static_cast<double>(result.t) / 1000,
                    GoFloatFormat::kFixed);
      text->push_back(',');
      AppendJsonString(text, result.string);
      text->push_back(']');
      break;
    case promql::ValueType::kNone:
      text->append("null");
      break;
  }
  if (!stats_json.empty()) {
    text->append(R"(,"stats":)");
    text->append(stats_json);
  }
  text->push_back('}');
  return out->MaybeFlush();
}

}  // namespace strata::server
