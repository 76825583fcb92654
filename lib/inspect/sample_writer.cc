#include "inspect/sample_writer.h"

#include "inspect/exposition.h"
#include "inspect/histogram_text.h"
#include "nlohmann/json.hpp"
#include "util/go_format.h"

namespace strata::inspect {
namespace {
constexpr size_t kFlushBytes = 1 << 20;

// The current sample of `it`: its float value or its histogram as text.
void AppendValue(std::string* out, const SampleIterator& it) {
  switch (it.value_type()) {
    case SampleValueType::kHistogram:
      out->append(HistogramText(it.histogram()));
      return;
    case SampleValueType::kFloatHistogram:
      out->append(FloatHistogramText(it.float_histogram()));
      return;
    case SampleValueType::kFloat:
      break;
  }
  AppendGoFloat(out, it.v(), GoFloatFormat::kShortest);
}
}  // namespace

StatusOr<SampleFormat> ParseSampleFormat(const std::string& name) {
  if (name == "text") return SampleFormat::kText;
  if (name == "openmetrics") return SampleFormat::kOpenMetrics;
  if (name == "json") return SampleFormat::kJson;
  return Status::InvalidArgument("unknown format " + name);
}

SampleWriter::SampleWriter(std::FILE* out, SampleFormat format)
    : out_(out), format_(format) {}

Status SampleWriter::Flush() {
  if (!buf_.empty() &&
      std::fwrite(buf_.data(), 1, buf_.size(), out_) != buf_.size()) {
    return Status::IOError("writing output failed");
  }
  buf_.clear();
  return Status::OK();
}

Status SampleWriter::WriteSeries(const Series& series) {
  ++series_;
  std::unique_ptr<SampleIterator> it = series.NewIterator();
  const Labels& labels = series.labels();
  switch (format_) {
    case SampleFormat::kText: {
      const std::string prefix = PromtoolLabels(labels) + " ";
      while (it->Next()) {
        buf_.append(prefix);
        AppendValue(&buf_, *it);
        buf_.push_back(' ');
        buf_.append(std::to_string(it->t()));
        buf_.push_back('\n');
        ++samples_;
        if (buf_.size() >= kFlushBytes) STRATA_RETURN_IF_ERROR(Flush());
      }
      break;
    }
    case SampleFormat::kOpenMetrics: {
      const std::string prefix = OpenMetricsSeries(labels) + " ";
      while (it->Next()) {
        if (it->value_type() != SampleValueType::kFloat) {
          ++skipped_histograms_;
          continue;
        }
        buf_.append(prefix);
        AppendGoFloat(&buf_, it->v(), GoFloatFormat::kShortest);
        buf_.push_back(' ');
        buf_.append(OpenMetricsTimestamp(it->t()));
        buf_.push_back('\n');
        ++samples_;
        if (buf_.size() >= kFlushBytes) STRATA_RETURN_IF_ERROR(Flush());
      }
      break;
    }
    case SampleFormat::kJson: {
      nlohmann::json j;
      j["labels"] = nlohmann::json::object();
      for (const Label& l : labels) j["labels"][l.name] = l.value;
      j["samples"] = nlohmann::json::array();
      while (it->Next()) {
        if (it->value_type() == SampleValueType::kFloat) {
          j["samples"].push_back(
              {it->t(), FormatGoFloat(it->v(), GoFloatFormat::kShortest)});
        } else {
          std::string text;
          AppendValue(&text, *it);
          j["samples"].push_back({it->t(), {{"histogram", text}}});
        }
        ++samples_;
      }
      buf_.append(j.dump());
      buf_.push_back('\n');
      break;
    }
  }
  STRATA_RETURN_IF_ERROR(it->status());
  if (buf_.size() >= kFlushBytes) return Flush();
  return Status::OK();
}

Status SampleWriter::Finish() {
  if (format_ == SampleFormat::kOpenMetrics) buf_.append("# EOF\n");
  STRATA_RETURN_IF_ERROR(Flush());
  if (std::fflush(out_) != 0) return Status::IOError("writing output failed");
  if (skipped_histograms_ > 0) {
    return Status::FailedPrecondition(
        std::to_string(skipped_histograms_) +
        " native histogram samples not written: OpenMetrics text cannot "
        "carry them (dump --format=text or json prints them; backup keeps "
        "them)");
  }
  return Status::OK();
}

}  // namespace strata::inspect
