// Alert templates checked against Prometheus 2.42 itself: each case's
// expected text is what `promtool test rules` (the Debian prometheus
// 2.42 package) printed for the annotation, for an alert on
// up{instance="h:9100",job="node"} == 0 with external label region="eu"
// and external URL http://ext.example.com:9090/pre, where the query "up"
// returns that one sample and "none" returns nothing. Parse errors come
// from `promtool check rules`.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "template/expander.h"

namespace strata::tmpl {
namespace {

AlertData PromtoolAlert() {
  AlertData data;
  data.labels = {{"__name__", "up"}, {"instance", "h:9100"}, {"job", "node"}};
  data.external_labels = {{"region", "eu"}};
  data.external_url = "http://ext.example.com:9090/pre";
  data.value = 0;
  return data;
}

StatusOr<std::vector<Sample>> PromtoolQuery(std::string_view q) {
  if (q == "up") {
    return std::vector<Sample>{
        {{{"__name__", "up"}, {"instance", "h:9100"}, {"job", "node"}}, 0}};
  }
  return std::vector<Sample>{};
}

TEST(PromtoolOracleTest, AnnotationsExpandAsPrometheus242) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{{ printf \"%05s|%x|%.3v|%+.2e\" \"ab\" 3.5 3.14159 12345.678 }}",
       "000ab|0x1.cp+01|3.14|+1.23e+04"},
      {"{{ 1.0 }}|{{ $labels }}|{{ $value }}",
       "1|map[__name__:up instance:h:9100 job:node]|0"},
      {"{{ lt 1 1.5 }}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:115: executing \"__alert_A1\" at <lt 1 1.5>: "
       "error calling lt: incompatible types for comparison>"},
      {"{{ .Lables }}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:115: executing \"__alert_A1\" at <.Lables>: "
       "can't evaluate field Lables in type struct { Labels map[string]string; "
       "ExternalLabels map[string]string; ExternalURL string; Value float64 "
       "}>"},
      {"{{ 3 | printf \"%d\" | }}", "3"},
      {"{{ humanize \"1e400\" }}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:115: executing \"__alert_A1\" at <humanize "
       "\"1e400\">: error calling humanize: strconv.ParseFloat: parsing "
       "\"1e400\": value out of range>"},
      {"{{ reReplaceAll \"a*\" \"-\" \"baaac\" }}|{{ reReplaceAll \"(?P<x>b)\" "
       "\"${x}$x$1x[$$]\" \"abc\" }}",
       "-b-c-|abb[$]c"},
      {"{{ title \"hello wORLD foo_bar x-y 3am\" }}",
       "Hello WORLD Foo_bar X-Y 3am"},
      {"{{ printf \"%v %v %v\" 1e6 1e21 123456.0 }}", "1e+06 1e+21 123456"},
      {"{{ index $labels \"job\" }}|{{ range $k, $v := (args 1 \"x\") "
       "}}{{$k}}={{$v}};{{end}}",
       "node|arg0=1;arg1=x;"},
      {"{{ template \"x\" }}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:124: executing \"__alert_A1\" at <{{template "
       "\"x\"}}>: template \"x\" not defined>"},
      {"{{ js \"a<b\" }}|{{ html \"<\\\"&\" }}|{{ urlquery \"a b/c\" }}",
       "a\\u003Cb|&lt;&#34;&amp;|a+b%2Fc"},
      {"{{ 'a' }}|{{ 0x10 }}|{{ 1e3 }}|{{ -0 }}", "97|16|1000|0"},
      {"{{ printf \"%s|%d|%t\" 1.5 \"x\" 1 }}",
       "%!s(float64=1.5)|%!d(string=x)|%!t(int=1)"},
      {"{{ len $labels }}|{{ toUpper 1 }}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:141: executing \"__alert_A1\" at <1>: expected "
       "string; found 1>"},
      {"{{ with $labels.nope }}x{{ else }}y{{ end }}|{{ eq $value 0.0 }}|{{ "
       "$value | printf \"%6.2f%%\" }}",
       "y|true|  0.00%"},
      {"line1\n  {{ humanize \"q\" }}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:2:5: executing \"__alert_A1\" at <humanize "
       "\"q\">: error calling humanize: strconv.ParseFloat: parsing \"q\": "
       "invalid syntax>"},
      {"{{ printf \"%q %v %T %T\" \"a\\tb\" (args) $labels (query \"up\") }}",
       "\"a\\tb\" map[] map[string]string template.queryResult"},
      {"{{ range query \"up\" }}{{ . }}{{ end }}",
       "{map[__name__:up instance:h:9100 job:node] 0}"},
      {"{{ query \"up\" | first | printf \"%v\" }}",
       "&{map[__name__:up instance:h:9100 job:node] 0}"},
      {"{{ (query \"up\").Foo }}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:122: executing \"__alert_A1\" at <\"up\">: "
       "can't evaluate field Foo in type template.queryResult>"},
      {"{{ $labels.job.x }}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:122: executing \"__alert_A1\" at "
       "<$labels.job.x>: can't evaluate field x in type string>"},
      {"{{ printf \"%s\" nil }}|{{ print nil 1 2 \"a\" nil }}|{{ println }}|{{ "
       "and 0 1 }}{{ or 0 \"\" }}",
       "%!s(<nil>)|<nil> 1 2a<nil>|\n|0"},
      {"{{ humanizeDuration 0.0000001 }}|{{ humanize "
       "0.0000000000000000000000000001 }}|{{ humanize1024 -2048 }}",
       "100ns|0.0001y|-2ki"},
      {"{{ toTime 1e9 }}|{{ (toTime 1.5).Unix }}|{{ (toTime 0).Format \"Mon "
       "Jan _2 15:04:05 2006 .000 Z07:00 PM\" }}",
       "2001-09-09 01:46:40 +0000 UTC|1|Thu Jan  1 00:00:00 1970 .000 Z AM"},
      {"{{ .ExternalURL }}|{{ $externalURL }}|{{ $externalLabels }}|{{ "
       ".ExternalLabels.region }}",
       "http://ext.example.com:9090/pre|http://ext.example.com:9090/"
       "pre|map[region:eu]|eu"},
      {"{{ parseDuration \"1y\" }}|{{ parseDuration \"x\" }}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:140: executing \"__alert_A1\" at <parseDuration "
       "\"x\">: error calling parseDuration: not a valid duration string: "
       "\"x\">"},
      {"{{ match \"(\" \"a\" }}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:115: executing \"__alert_A1\" at <match \"(\" "
       "\"a\">: error calling match: error parsing regexp: missing closing ): "
       "`(`>"},
      {"{{ stripDomain \"foo.bar:80\" }}|{{ graphLink \"rate(x[5m]) > 1\" }}",
       "foo:80|/graph?g0.expr=rate%28x%5B5m%5D%29+%3E+1&g0.tab=0"},
      {"{{ and }}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:115: executing \"__alert_A1\" at <and>: wrong "
       "number of args for and: want at least 1 got 0>"},
      {"{{ range $i, $v := query \"up\" }}{{ $i }}{{ $v.Labels.job }}{{ "
       "$v.Value }}{{ end }}|{{ range (query \"none\") }}x{{ else }}empty{{ "
       "end }}",
       "0node0|empty"},
      {"{{ printf \"%x %X %x %5.1x\" 1.0 -0.1 0.0 3.0 }}",
       "0x1p+00 -0X1.999999999999AP-04 0x0p+00 0x1.8p+01"},
      {"{{ $x := 1 }}{{ range $labels }}{{ $x = 2 }}{{ end }}{{ $x }}|{{ "
       ".Value | humanizePercentage }}|{{ printf \"%.1f\" .Value }}",
       "2|0%|0.0"},
      {"{{ . }}",
       "{map[__name__:up instance:h:9100 job:node] map[region:eu] "
       "http://ext.example.com:9090/pre 0}"},
      {"{{ printf \"%d %v\" true (index $labels \"job\") }}|{{ index . "
       "\"Labels\" }}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:163: executing \"__alert_A1\" at <index . "
       "\"Labels\">: error calling index: can't index item of type struct { "
       "Labels map[string]string; ExternalLabels map[string]string; "
       "ExternalURL string; Value float64 }>"},
      {"{{ ge \"b\" \"a\" }}{{ ne 1 2 }}{{ not \"\" }}{{ eq \"a\" \"b\" \"a\" "
       "}}|{{ html 1 \"a\" 2 }}|{{ len \"héllo\" }}",
       "truetruetruetrue|1a2|6"},
      {"{{ sortByLabel \"job\" (query \"up\") | first | label \"instance\" "
       "}}|{{ strvalue (query \"up\" | first) }}|",
       "h:9100||"},
  };
  for (const auto& [text, want] : cases) {
    EXPECT_EQ(ExpandAlertTemplate("A1", text, PromtoolAlert(), PromtoolQuery),
              want)
        << text;
  }
}

TEST(PromtoolOracleTest, ParseErrorsAsPrometheus242) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"line1\n{{ if }}", "template: __alert_A1:2: missing value for if"},
      {"{{ end }}", "template: __alert_A1:1: unexpected {{end}}"},
      {"{{ if true }}x", "template: __alert_A1:1: unexpected EOF"},
      {"{{ nofunc 1 }}",
       "template: __alert_A1:1: function \"nofunc\" not defined"},
      {"{{ $x }}", "template: __alert_A1:1: undefined variable \"$x\""},
      {"{{ break }}", "template: __alert_A1:1: {{break}} outside {{range}}"},
      {"{{ 1 | 2 }}",
       "template: __alert_A1:1: non executable command in pipeline stage 2"},
      {"{{ (1 }}", "template: __alert_A1:1: unclosed left paren"},
      {"{{ \"abc }}", "template: __alert_A1:1: unterminated quoted string"},
      {"{{/* x }}", "template: __alert_A1:1: unclosed comment"},
      {"{{ range }}", "template: __alert_A1:1: missing value for range"},
      {"{{ else }}", "template: __alert_A1:1: unexpected {{else}}"},
      {"{{ 1a }}", "template: __alert_A1:1: bad number syntax: \"1a\""},
      {"{{ $x := }}", "template: __alert_A1:1: missing value for command"},
      {"{{ range $a, $b, $c := . }}{{ end }}",
       "template: __alert_A1:1: too many declarations in range"},
      {"{{ if 1 }}{{ else }}{{ else }}{{ end }}",
       "template: __alert_A1:1: expected end; found {{else}}"},
      {"{{ .x.1 }}", "template: __alert_A1:1: unexpected \".1\" in operand"},
      {"{{ ) }}", "template: __alert_A1:1: unexpected \")\" in command"},
      {"{{ printf \"%d\" 1 2 3 ( }}",
       "template: __alert_A1:1: unclosed left paren"},
  };
  for (const auto& [text, want] : cases) {
    EXPECT_EQ(ExpandAlertTemplate("A1", text, PromtoolAlert(), PromtoolQuery),
              "<error expanding template: error parsing template __alert_A1: " +
                  want + ">")
        << text;
  }
}

}  // namespace
}  // namespace strata::tmpl
