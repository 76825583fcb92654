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
      {"{{ printf \"%b %b %x %.3x %b %b\" 1.0 0.0 5e-324 0.999999 -1e-05 "
       "1e15 }} {{ 1e-400 }} {{ 2.5e-310 }}",
       "4503599627370496p-52 0p-1074 0x1p-1074 0x1.000p+00 "
       "-5902958103587057p-69 8000000000000000p-3 0 2.5e-310"},
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

// The Go text/template cases of go_template_test.cc that need no data,
// run through promtool the same way.
TEST(PromtoolOracleTest, GoSemanticsAsPrometheus242) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{{if 0}}a{{else if \"\"}}b{{else if 1}}c{{else}}d{{end}}", "c"},
      {"{{$x := \"a\"}}{{with $y := \"b\"}}{{$x}}{{$y}}{{.}}{{end}}", "abb"},
      {"{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"},
      {"{{23 -}} < {{- 45}}|a  {{- /* comment */ -}}  b|x {{- 3 -}} y|x {{-3}} "
       "y",
       "23<45|ab|x3y|x -3 y"},
      {"a\n  {{- if true }}\n  b\n  {{- end }}\n", "a\n  b\n"},
      {"{{\"x\" | printf \"%s-%s\" \"a\"}}|{{0x1F}} {{1e3}} {{'a'}} {{-5}} "
       "{{1_000}} {{1.5}}|{{`a\\nb`}}|{{\"a\\tb\"}}",
       "a-x|31 1000 97 -5 1000 1.5|a\\nb|a\tb"},
      {"{{and 1 0 \"x\"}} {{or 0 \"\" \"y\"}} {{and 1 \"z\"}}|{{not 0}} {{not "
       "\"a\"}}|{{len \"héllo\"}}",
       "0 y z|true false|6"},
      {"{{eq 1 1}} {{ne \"a\" \"b\"}} {{lt 1 2}} {{le 2 2}} {{gt 1.5 2.5}} "
       "{{ge \"b\" \"a\"}}|{{eq 1 2 3 1}}",
       "true true true true false true|true"},
      {"{{lt true false}}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:114: executing \"__alert_A1\" at <lt true "
       "false>: error calling lt: invalid type for comparison>"},
      {"{{print 1 2 \"a\" 3}}|{{println 1 \"a\"}}|{{html \"<a "
       "href=\\\"x\\\">&'\"}}|{{js \"it's <b>\\\"x\\\"=y\"}}|{{urlquery \"a "
       "b&c/é\"}}",
       "1 2a3|1 a\n|&lt;a href=&#34;x&#34;&gt;&amp;&#39;|it\\'s "
       "\\u003Cb\\u003E\\\"x\\\"\\u003Dy|a+b%26c%2F%C3%A9"},
      {"{{printf \"%5.2f|%-6d|%06.1f|%x|%X|%q|%v|%s|%g|%e\" 3.14159 42 -2.5 "
       "255 \"hi\" \"a\\\"b\" 1.5 \"str\" 1e21 123456.789}}",
       " 3.14|42    |-002.5|ff|6869|\"a\\\"b\"|1.5|str|1e+21|1.234568e+05"},
      {"{{printf \"%d %s\" \"x\" 1}}|{{printf \"%d\"}}|{{printf \"a\" 1}}",
       "%!d(string=x) %!s(int=1)|%!d(MISSING)|a%!(EXTRA int=1)"},
      {"{{printf \"%.3g|%g|%v|%.0f\" 1234.5678 0.000012 100000000.0 2.5}}",
       "1.23e+03|1.2e-05|1e+08|2"},
      {"{{printf \"%t %5s|%-5s|%%\" true \"ab\" \"cd\"}}|{{printf \"%c%c %U "
       "%q\" 72 105 65 66}}",
       "true    ab|cd   |%|Hi U+0041 'B'"},
      {"{{printf \"%+d % d %08.3f %x\" 5 7 3.14159 -255}}|{{printf \"%T %T "
       "%T\" 1 1.0 \"s\"}}|{{printf \"%*d|%.*f\" 4 7 1 2.25}}",
       "+5  7 0003.142 -ff|int float64 string|   7|2.2"},
      {"{{define \"T\"}}<{{.}}>{{end}}{{template \"T\" \"x\"}}{{block \"B\" "
       "1}}[{{.}}]{{end}}",
       "<x>[1]"},
      {"{{define \"U\"}}{{$}}{{end}}{{template \"U\"}}", "<no value>"},
      {"{{define \"V\"}}{{len 3}}{{end}}{{template \"V\"}}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:128: executing \"V\" at <len 3>: error calling "
       "len: len of type int>"},
      {"{{len}}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:114: executing \"__alert_A1\" at <len>: wrong "
       "number of args for len: want 1 got 0>"},
      {"{{not 1 2}}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:114: executing \"__alert_A1\" at <not>: wrong "
       "number of args for not: want 1 got 2>"},
      {"{{nil}}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:114: executing \"__alert_A1\" at <nil>: nil is "
       "not a command>"},
      {"{{1 2}}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:114: executing \"__alert_A1\" at <1>: can't "
       "give argument to non-function 1>"},
      {"{{printf 1}}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:121: executing \"__alert_A1\" at <1>: expected "
       "string; found 1>"},
      {"{{ $labels.job 1 }}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:122: executing \"__alert_A1\" at <$labels.job>: "
       "job is not a method but has arguments>"},
      {"{{range 5}}x{{end}}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:1:120: executing \"__alert_A1\" at <5>: range "
       "can't iterate over 5>"},
      {"x\n  {{index $labels 5}}",
       "<error expanding template: error executing template __alert_A1: "
       "template: __alert_A1:2:4: executing \"__alert_A1\" at <index $labels "
       "5>: error calling index: value has type int; should be string>"},
      {"{{ printf \"%v|%s|%d\" $labels (query \"up\" | first).Labels (len "
       "(query \"up\")) }}",
       "map[__name__:up instance:h:9100 job:node]|map[__name__:up "
       "instance:h:9100 job:node]|1"},
      {"{{ range $k, $v := $labels }}{{ if eq $k \"job\" }}{{ break }}{{ end "
       "}}{{ $k }};{{ end }}",
       "__name__;instance;"},
      {"{{ printf \"%08.3f|%-8.2f|%+.1e|% .2f|%5.1g\" -3.14159 2.5 12345.0 1.0 "
       "123.0 }}",
       "-003.142|2.50    |+1.2e+04| 1.00|1e+02"},
      {"{{ printf \"%6.2f%%\" 12.3456 }}|{{ printf \"%3d|%-3d|%03d\" 5 5 -5 "
       "}}|{{ printf \"%.2s|%5.1s\" \"abc\" \"xyz\" }}",
       " 12.35%|  5|5  |-05|ab|    x"},
      {"{{ printf \"%v %v %v %v\" 1e-5 0.0001 123456789.0 -0.0 }}|{{ 1e100 "
       "}}|{{ 0.1 }}",
       "1e-05 0.0001 1.23456789e+08 -0|1e+100|0.1"},
      {"{{ humanize 1e-30 }}|{{ humanize 999.99999 }}|{{ humanize1024 "
       "1023.9999 }}|{{ humanizeDuration 59.99999 }}|{{ humanizeDuration "
       "86399.9 }}",
       "1e-06y|1000|1024|60s|23h 59m 59s"},
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
      // {{else with}} arrived in Go 1.23; Prometheus 2.42's Go rejects it.
      {"{{ with 1 }}x{{ else with 2 }}y{{ end }}",
       "template: __alert_A1:1: unexpected <with> in else"},
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
