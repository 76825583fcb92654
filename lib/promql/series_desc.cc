#include "promql/series_desc.h"

#include <charconv>
#include <optional>
#include <utility>

#include "promql/format.h"
#include "promql/lexer.h"
#include "promql/parser.h"
#include "promql/value.h"
#include "util/strings.h"

namespace strata::promql {
namespace {

class SeriesDescParser {
 public:
  explicit SeriesDescParser(std::string_view input)
      : input_(input), lex_(input, /*series_desc=*/true) {
    Advance();
  }

  StatusOr<SeriesDesc> Parse() {
    SeriesDesc out;
    std::vector<Label> labels;
    if (cur_.type != ItemType::kLeftBrace) {
      if (cur_.type != ItemType::kIdentifier &&
          cur_.type != ItemType::kMetricIdentifier &&
          !IsAggregator(cur_.type) && !IsKeyword(cur_.type) &&
          !IsPreprocessor(cur_.type) && !IsSetOperator(cur_.type)) {
        return Unexpected("series description", "metric name or \"{\"");
      }
      labels.push_back({std::string(kMetricNameLabel), std::string(cur_.val)});
      Advance();
    }
    if (cur_.type == ItemType::kLeftBrace) {
      Status s = ParseLabelSet(&labels);
      if (!s.ok()) return s;
    }
    out.labels = Labels::FromUnchecked(std::move(labels));
    while (cur_.type != ItemType::kEOF) {
      if (cur_.type != ItemType::kSpace) {
        return Unexpected("series values", "space");
      }
      Advance();
      if (cur_.type == ItemType::kEOF) break;
      Status s = ParseItem(&out.values);
      if (!s.ok()) return s;
    }
    if (error_.has_value()) return *error_;
    return out;
  }

 private:
  void Advance() {
    cur_ = lex_.Next();
    if (cur_.type == ItemType::kError && !error_.has_value()) {
      error_ =
          Status::InvalidArgument(FormatParseError(input_, cur_.pos, cur_.val));
    }
  }

  Status Unexpected(std::string_view context, std::string_view expected) {
    if (error_.has_value()) return *error_;
    return Status::InvalidArgument(
        FormatParseError(input_, cur_.pos,
                         Cat("unexpected ", cur_.Desc(), " in ", context,
                             ", expected ", expected)));
  }

  Status ParseLabelSet(std::vector<Label>* labels) {
    Advance();  // {
    while (cur_.type != ItemType::kRightBrace) {
      if (cur_.type != ItemType::kIdentifier) {
        return Unexpected("label set", "identifier or \"}\"");
      }
      std::string name(cur_.val);
      Advance();
      if (cur_.type != ItemType::kAssign) {
        return Unexpected("label set", "\"=\"");
      }
      Advance();
      if (cur_.type != ItemType::kString) {
        return Unexpected("label set", "string");
      }
      StatusOr<std::string> value = Unquote(cur_.val);
      if (!value.ok()) {
        return Status::InvalidArgument(FormatParseError(
            input_, cur_.pos, "error unquoting string " + GoQuoted(cur_.val)));
      }
      labels->push_back({std::move(name), *std::move(value)});
      Advance();
      if (cur_.type == ItemType::kComma) {
        Advance();
      } else if (cur_.type != ItemType::kRightBrace) {
        return Unexpected("label set", "\",\" or \"}\"");
      }
    }
    Advance();  // }
    return Status::OK();
  }

  // number | +number | -number | stale
  StatusOr<double> ParseValue() {
    if (cur_.type == ItemType::kIdentifier) {
      if (cur_.val != "stale") {
        return Unexpected("series values", "number or \"stale\"");
      }
      Advance();
      return StaleNaN();
    }
    return ParseSignedNumber();
  }

  StatusOr<double> ParseSignedNumber() {
    double sign = 1;
    if (cur_.type == ItemType::kAdd || cur_.type == ItemType::kSub) {
      if (cur_.type == ItemType::kSub) sign = -1;
      Advance();
    }
    if (cur_.type != ItemType::kNumber) {
      return Unexpected("series values", "number");
    }
    StatusOr<double> v = ParseNumber(cur_.val);
    if (!v.ok()) {
      return Status::InvalidArgument(FormatParseError(
          input_, cur_.pos,
          Cat("error parsing number: ", v.status().message())));
    }
    Advance();
    return sign * *v;
  }

  StatusOr<uint64_t> ParseTimes() {
    Advance();  // x
    uint64_t n = 0;
    if (cur_.type != ItemType::kNumber) {
      return Unexpected("series values", "number");
    }
    auto res =
        std::from_chars(cur_.val.data(), cur_.val.data() + cur_.val.size(), n);
    if (res.ec != std::errc() || res.ptr != cur_.val.data() + cur_.val.size()) {
      return Status::InvalidArgument(FormatParseError(
          input_, cur_.pos,
          Cat("invalid repetition in series values: ", cur_.val)));
    }
    Advance();
    return n;
  }

  Status ParseItem(std::vector<SequenceValue>* out) {
    if (cur_.type == ItemType::kBlank) {
      Advance();
      if (cur_.type != ItemType::kTimes) {
        out->push_back({0, true});
        return Status::OK();
      }
      StatusOr<uint64_t> n = ParseTimes();
      if (!n.ok()) return n.status();
      for (uint64_t i = 0; i < *n; ++i) out->push_back({0, true});
      return Status::OK();
    }
    StatusOr<double> v = ParseValue();
    if (!v.ok()) return v.status();
    double value = *v;
    if (cur_.type == ItemType::kTimes) {
      StatusOr<uint64_t> n = ParseTimes();
      if (!n.ok()) return n.status();
      for (uint64_t i = 0; i <= *n; ++i) out->push_back({value, false});
      return Status::OK();
    }
    if (cur_.type == ItemType::kAdd || cur_.type == ItemType::kSub) {
      StatusOr<double> delta = ParseSignedNumber();
      if (!delta.ok()) return delta.status();
      if (cur_.type != ItemType::kTimes) {
        return Unexpected("series values", "\"x\"");
      }
      StatusOr<uint64_t> n = ParseTimes();
      if (!n.ok()) return n.status();
      // Accumulates like Prometheus, so rounding matches exactly.
      for (uint64_t i = 0; i <= *n; ++i) {
        out->push_back({value, false});
        value += *delta;
      }
      return Status::OK();
    }
    out->push_back({value, false});
    return Status::OK();
  }

  std::string_view input_;
  Lexer lex_;
  Item cur_;
  std::optional<Status> error_;
};

}  // namespace

StatusOr<SeriesDesc> ParseSeriesDesc(std::string_view input) {
  SeriesDescParser p(input);
  return p.Parse();
}

}  // namespace strata::promql
