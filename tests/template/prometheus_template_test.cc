// The cases of Prometheus 2.42's template/template_test.go
// (TestTemplateExpansion) that apply to text-mode expansion, with the
// expected output and error strings copied from that file. Left out: the
// ExpandHTML cases (html: true, and tmpl, which only ExpandHTML defines)
// and the []uint64 / []uint inputs (Value has no unsigned kind).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "template/expander.h"
#include "template/go_fmt.h"
#include "template/go_time.h"
#include "template/humanize.h"
#include "template/prometheus_functions.h"

namespace strata::tmpl {
namespace {

constexpr char kExternalUrl[] = "http://testhost:9090/path/prefix";

struct Scenario {
  std::string text{};
  std::string output{};
  Value input{};
  std::vector<Sample> query_result{};
  bool should_fail = false;
  std::string error{};
  bool missing_key_error = false;
};

Value Floats(std::vector<double> v) {
  ValueList l;
  for (double d : v) l.push_back(Value::Float(d));
  return Value::List(std::move(l), "[]float64");
}
Value Strings(std::vector<std::string> v) {
  ValueList l;
  for (auto& s : v) l.push_back(Value::String(s));
  return Value::List(std::move(l), "[]string");
}
Value Ints(std::vector<int64_t> v) {
  ValueList l;
  for (int64_t i : v) l.push_back(Value::Int(i));
  return Value::List(std::move(l), "[]int64");
}
Sample MakeSample(std::map<std::string, std::string> labels, double v) {
  return Sample{std::move(labels), v};
}

void RunScenario(const Scenario& s) {
  SCOPED_TRACE(s.text);
  std::vector<Sample> result = s.query_result;
  QueryFunc query =
      [result](std::string_view) -> StatusOr<std::vector<Sample>> {
    return result;
  };
  ExecOptions options;
  options.missing_key_error = s.missing_key_error;
  StatusOr<std::string> out =
      Expand("test", s.text, s.input, PrometheusFunctions(query, kExternalUrl),
             options);
  if (s.should_fail) {
    ASSERT_FALSE(out.ok()) << *out;
    EXPECT_EQ(out.status().message(), s.error);
    return;
  }
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, s.output);
}

const std::vector<Sample> kInstanceA = {
    MakeSample({{"__name__", "metric"}, {"instance", "a"}}, 11)};

TEST(PrometheusTemplateTest, BasicsAndQueries) {
  const std::vector<Scenario> scenarios = {
      {.text = "plain text", .output = "plain text"},
      {.text = "{{ 1 }}", .output = "1"},
      {.text = "{{\u00a0}}",
       .should_fail = true,
       .error = "error parsing template test: template: test:1: unrecognized "
                "character in action: U+00A0"},
      {.text = "{{ \"<b>\" }}", .output = "<b>"},
      {.text = "{{define \"x\"}}{{.arg0}} {{.arg1}}{{end}}{{template \"x\" "
               "(args 1 \"2\")}}",
       .output = "1 2"},
      {.text = "{{ query \"1.5\" | first | value }}",
       .output = "1.5",
       .query_result = {MakeSample({}, 1.5)}},
      {.text = "{{ query \"metric{instance='a'}\" | first | value }}",
       .output = "11",
       .query_result = kInstanceA},
      {.text =
           "{{ query \"metric{instance='a'}\" | first | label \"instance\" }}",
       .output = "a",
       .query_result = kInstanceA},
      {.text = "{{ query \"metric{__value__='a'}\" | first | strvalue }}",
       .output = "a",
       .query_result = {MakeSample({{"__name__", "metric"}, {"__value__", "a"}},
                                   11)}},
      {.text = "{{ query \"metric{instance='a'}\" | first | label \"foo\" }}",
       .output = "",
       .query_result = kInstanceA},
      {.text = "{{ $x := query \"metric\" | first }}{{ $x.Labels.foo }}",
       .output = "",
       .query_result = kInstanceA},
      {.text = "{{ range query \"metric\" | sortByLabel \"instance\" "
               "}}{{.Labels.instance}}:{{.Value}}: {{end}}",
       .output = "a:11: b:21: ",
       .query_result = {MakeSample({{"__name__", "metric"}, {"instance", "b"}},
                                   21),
                        MakeSample({{"__name__", "metric"}, {"instance", "a"}},
                                   11)}},
      {.text = "{{ .Foo }}", .output = "<no value>"},
      {.text = "{{ .Foo }}",
       .should_fail = true,
       .error = "error executing template test: template: test:1:3: executing "
                "\"test\" at <.Foo>: nil data; no entry for key \"Foo\"",
       .missing_key_error = true},
      {.text = "{{",
       .should_fail = true,
       .error =
           "error parsing template test: template: test:1: unclosed action"},
      {.text = "{{ query \"missing\" | first }}",
       .should_fail = true,
       .error = "error executing template test: template: test:1:21: executing "
                "\"test\" at <first>: error calling first: first() called on "
                "vector with no elements"},
      {.text = "{{ (query \"missing\").banana }}",
       .should_fail = true,
       .error =
           "error executing template test: template: test:1:10: executing "
           "\"test\" at <\"missing\">: can't evaluate field banana in type "
           "template.queryResult"},
      {.text = "{{ reReplaceAll \"(a)b\" \"x$1\" \"ab\" }}", .output = "xa"},
  };
  for (const Scenario& s : scenarios) RunScenario(s);
}

TEST(PrometheusTemplateTest, StripPortAndDomain) {
  const std::vector<Scenario> scenarios = {
      {.text = "{{ \"foo.example.com\" | stripPort }}",
       .output = "foo.example.com"},
      {.text = "{{ \"foo.example.com:12345\" | stripPort }}",
       .output = "foo.example.com"},
      {.text = "{{ \"192.0.2.1\" | stripPort }}", .output = "192.0.2.1"},
      {.text = "{{ \"192.0.2.1:12345\" | stripPort }}", .output = "192.0.2.1"},
      {.text = "{{ \"2001:0DB8::1\" | stripPort }}", .output = "2001:0DB8::1"},
      {.text = "{{ \"[2001:0DB8::1]:12345\" | stripPort }}",
       .output = "2001:0DB8::1"},
      {.text = "{{ \"[2001:0DB8::1]::12345\" | stripPort }}",
       .output = "[2001:0DB8::1]::12345"},
      {.text = "{{ \"foo.example.com\" | stripDomain }}", .output = "foo"},
      {.text = "{{ \"foo.example.com:12345\" | stripDomain }}",
       .output = "foo:12345"},
      {.text = "{{ \"192.0.2.1\" | stripDomain }}", .output = "192.0.2.1"},
      {.text = "{{ \"192.0.2.1:12345\" | stripDomain }}",
       .output = "192.0.2.1:12345"},
      {.text = "{{ \"2001:0DB8::1\" | stripDomain }}",
       .output = "2001:0DB8::1"},
      {.text = "{{ \"[2001:0DB8::1]:12345\" | stripDomain }}",
       .output = "[2001:0DB8::1]:12345"},
      {.text = "{{ \"[2001:0DB8::1]::12345\" | stripDomain }}",
       .output = "[2001:0DB8::1]::12345"},
  };
  for (const Scenario& s : scenarios) RunScenario(s);
}

TEST(PrometheusTemplateTest, Humanize) {
  constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
  const std::string each = "{{ range . }}{{ humanize . }}:{{ end }}";
  const std::string each1024 = "{{ range . }}{{ humanize1024 . }}:{{ end }}";
  const std::vector<Scenario> scenarios = {
      {.text = each,
       .output = "0:1:1.235M:120m:",
       .input = Floats({0.0, 1.0, 1234567.0, .12})},
      {.text = each,
       .output = "0:1:1.235M:120m:",
       .input = Strings({"0.0", "1.0", "1234567.0", ".12"})},
      {.text = "{{ humanize \"one\" }}",
       .should_fail = true,
       .error = "error executing template test: template: test:1:3: executing "
                "\"test\" at <humanize \"one\">: error calling humanize: "
                "strconv.ParseFloat: parsing \"one\": invalid syntax"},
      {.text = each,
       .output = "0:-1:1:1.235M:9.223E:",
       .input = Ints({0, -1, 1, 1234567, kMaxInt})},
      {.text = each1024,
       .output = "0:1:1Mi:0.12:",
       .input = Floats({0.0, 1.0, 1048576.0, .12})},
      {.text = each1024,
       .output = "0:1:1Mi:0.12:",
       .input = Strings({"0.0", "1.0", "1048576.0", ".12"})},
      {.text = "{{ humanize1024 \"one\" }}",
       .should_fail = true,
       .error =
           "error executing template test: template: test:1:3: executing "
           "\"test\" at <humanize1024 \"one\">: error calling humanize1024: "
           "strconv.ParseFloat: parsing \"one\": invalid syntax"},
      {.text = each1024,
       .output = "0:-1:1:1.177Mi:8Ei:",
       .input = Ints({0, -1, 1, 1234567, kMaxInt})},
  };
  for (const Scenario& s : scenarios) RunScenario(s);
}

TEST(PrometheusTemplateTest, HumanizeDuration) {
  const std::string each = "{{ range . }}{{ humanizeDuration . }}:{{ end }}";
  const std::vector<Scenario> scenarios = {
      {.text = each,
       .output =
           "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:",
       .input = Floats({0, 1, 60, 3600, 86400, 86400 + 3600,
                        -(86400 * 2 + 3600 * 3 + 60 * 4 + 5), 899.99})},
      {.text = each,
       .output = "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:",
       .input = Strings({"0", "1", "60", "3600", "86400"})},
      {.text = each,
       .output = "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:",
       .input = Floats({.1, .0001, .12345, 60.1, 60.5, 1.2345, 12.345})},
      {.text = each,
       .output = "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:",
       .input = Strings(
           {".1", ".0001", ".12345", "60.1", "60.5", "1.2345", "12.345"})},
      {.text = "{{ humanizeDuration \"one\" }}",
       .should_fail = true,
       .error =
           "error executing template test: template: test:1:3: executing "
           "\"test\" at <humanizeDuration \"one\">: error calling "
           "humanizeDuration: strconv.ParseFloat: parsing \"one\": invalid "
           "syntax"},
      {.text = each,
       .output = "0s:-1s:1s:14d 6h 56m 7s:",
       .input = Ints({0, -1, 1, 1234567})},
  };
  for (const Scenario& s : scenarios) RunScenario(s);
}

TEST(PrometheusTemplateTest, HumanizeInfNaNAndPercentage) {
  const std::string all =
      "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration "
      ". }}:{{humanizeTimestamp .}}:{{ end }}";
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<Scenario> scenarios = {
      {.text = all,
       .output = "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:",
       .input = Floats({inf, -inf, std::nan("")})},
      {.text = all,
       .output = "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:",
       .input = Strings({"+Inf", "-Inf", "NaN"})},
      {.text =
           "{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage "
           "}}:{{ 0.1234567 | humanizePercentage }}:{{ 1.23456 | "
           "humanizePercentage }}",
       .output = "-22.22%:0%:12.35%:123.5%"},
      {.text = "{{ range . }}{{ humanizePercentage . }}:{{ end }}",
       .output = "0%:-100%:100%:1.235e+08%:9.223e+20%:",
       .input = Ints({0, -1, 1, 1234567, std::numeric_limits<int64_t>::max()})},
      {.text = "{{ \"-0.22222\" | humanizePercentage }}:{{ \"0.0\" | "
               "humanizePercentage }}:{{ \"0.1234567\" | humanizePercentage "
               "}}:{{ \"1.23456\" | humanizePercentage }}",
       .output = "-22.22%:0%:12.35%:123.5%"},
      {.text = "{{ \"one\" | humanizePercentage }}",
       .should_fail = true,
       .error = "error executing template test: template: test:1:11: executing "
                "\"test\" at <humanizePercentage>: error calling "
                "humanizePercentage: strconv.ParseFloat: parsing \"one\": "
                "invalid syntax"},
  };
  for (const Scenario& s : scenarios) RunScenario(s);
}

TEST(PrometheusTemplateTest, HumanizeTimestampAndToTime) {
  const std::string each = "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}";
  const std::vector<Scenario> scenarios = {
      {.text = each,
       .output = "1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 "
                 "UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 "
                 "UTC:2262-04-11 23:47:16 +0000 UTC:",
       .input = Ints({0, -1, 1, 1234567, 9223372036})},
      {.text = each,
       .input = Ints({std::numeric_limits<int64_t>::min(),
                      std::numeric_limits<int64_t>::max()}),
       .should_fail = true,
       .error = "error executing template test: template: test:1:16: executing "
                "\"test\" at <humanizeTimestamp .>: error calling "
                "humanizeTimestamp: -9.223372036854776e+18 cannot be "
                "represented as a nanoseconds timestamp since it overflows "
                "int64"},
      {.text = "{{ 1435065584.128 | humanizeTimestamp }}",
       .output = "2015-06-23 13:19:44.128 +0000 UTC"},
      {.text = "{{ \"1435065584.128\" | humanizeTimestamp }}",
       .output = "2015-06-23 13:19:44.128 +0000 UTC"},
      {.text = "{{ (1435065584.128 | toTime).Format \"2006\" }}",
       .output = "2015"},
      {.text = "{{ (\"1435065584.128\" | toTime).Format \"2006\" }}",
       .output = "2015"},
  };
  for (const Scenario& s : scenarios) RunScenario(s);
}

TEST(PrometheusTemplateTest, StringsLinksAndUrls) {
  const std::vector<Scenario> scenarios = {
      {.text = "{{ \"aa bb CC\" | title }}", .output = "Aa Bb CC"},
      {.text = "{{ \"aa bb CC\" | toUpper }}", .output = "AA BB CC"},
      {.text = "{{ \"aA bB CC\" | toLower }}", .output = "aa bb cc"},
      {.text = "{{ match \"a+\" \"aa\" }} {{ match \"a+\" \"b\" }}",
       .output = "true false"},
      {.text = "{{ graphLink \"up\" }}",
       .output = "/graph?g0.expr=up&g0.tab=0"},
      {.text = "{{ tableLink \"up\" }}",
       .output = "/graph?g0.expr=up&g0.tab=1"},
      {.text = "{{ pathPrefix }}", .output = "/path/prefix"},
      {.text = "{{ externalURL }}",
       .output = "http://testhost:9090/path/prefix"},
      {.text = "{{ printf \"%0.2f\" (parseDuration \"1h2m10ms\") }}",
       .output = "3720.01"},
  };
  for (const Scenario& s : scenarios) RunScenario(s);
}

// Test_floatToTime.
TEST(PrometheusTemplateTest, FloatToTime) {
  StatusOr<Time> t = FloatToTime(1657155181);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->unix_nanos, int64_t{1657155181} * 1000000000);
  EXPECT_EQ(GoTimeString(*t), "2022-07-07 00:53:01 +0000 UTC");
  EXPECT_FALSE(
      FloatToTime(1.79769313486231570814527423731704356798070e+300).ok());
  EXPECT_FALSE(
      FloatToTime(-1.79769313486231570814527423731704356798070e+300).ok());
}

// rules/alerting.go's expansion: the $labels/$value prefix, the rule's
// template name, and the error text an annotation gets.
TEST(AlertTemplateTest, ExpandsWithAlertVariables) {
  AlertData data;
  data.labels = {{"instance", "host1:9100"}, {"job", "node"}};
  data.external_labels = {{"cluster", "eu1"}};
  data.external_url = "http://prom.example.com:9090/prom";
  data.value = 0.93456;
  EXPECT_EQ(ExpandAlertTemplate("HighLoad",
                                "{{ $labels.instance }} of {{ $labels.job }} "
                                "is at {{ $value | humanizePercentage }} in "
                                "{{ $externalLabels.cluster }}",
                                data, nullptr),
            "host1:9100 of node is at 93.46% in eu1");
  EXPECT_EQ(ExpandAlertTemplate("HighLoad", "{{ $value }} {{ .Value }}", data,
                                nullptr),
            "0.93456 0.93456");
  EXPECT_EQ(
      ExpandAlertTemplate("HighLoad", "{{ $externalURL }}{{ pathPrefix }}",
                          data, nullptr),
      "http://prom.example.com:9090/prom/prom");
  EXPECT_EQ(
      ExpandAlertTemplate("HighLoad", "{{ $labels.missing }}|", data, nullptr),
      "|");
  // The prefix is 112 bytes long; error columns count it too.
  EXPECT_EQ(
      ExpandAlertTemplate("HighLoad", "{{ $value | humanize", data, nullptr),
      "<error expanding template: error parsing template "
      "__alert_HighLoad: template: __alert_HighLoad:1: unclosed action>");
  EXPECT_EQ(
      ExpandAlertTemplate("HighLoad", "{{ humanize \"x\" }}", data, nullptr),
      "<error expanding template: error executing template "
      "__alert_HighLoad: template: __alert_HighLoad:1:115: executing "
      "\"__alert_HighLoad\" at <humanize \"x\">: error calling humanize: "
      "strconv.ParseFloat: parsing \"x\": invalid syntax>");
  std::vector<Sample> result = {MakeSample({{"job", "node"}}, 3)};
  EXPECT_EQ(ExpandAlertTemplate(
                "HighLoad",
                "{{ with query \"up\" }}{{ . | first | value }}{{ end }}", data,
                [result](std::string_view q) -> StatusOr<std::vector<Sample>> {
                  EXPECT_EQ(q, "up");
                  return result;
                }),
            "3");
}

}  // namespace
}  // namespace strata::tmpl
