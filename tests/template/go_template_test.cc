// Go text/template semantics: control structures, variables, trim markers,
// builtins, printf verbs, and Go's parse and execution error messages.
// Expected strings are what Go 1.19's text/template prints.
#include <gtest/gtest.h>

#include <string>

#include "template/go_fmt.h"
#include "template/go_time.h"
#include "template/template.h"
#include "util/strings.h"

namespace strata::tmpl {
namespace {

Value TestData() {
  ValueMap inner;
  inner.emplace("b", Value::String("deep"));
  ValueMap m;
  m.emplace("a", Value::Int(1));
  m.emplace("b", Value::Int(2));
  ValueMap root;
  root.emplace("list",
               Value::List({Value::Int(1), Value::Int(2), Value::Int(3)}));
  root.emplace("words", Value::List({Value::String("a"), Value::String("b")}));
  root.emplace("five", Value::List({Value::Int(1), Value::Int(2), Value::Int(3),
                                    Value::Int(4), Value::Int(5)}));
  root.emplace("empty", Value::List({}));
  root.emplace("m", Value::Map(m));
  root.emplace("nested", Value::Map(inner));
  root.emplace("s", Value::String("str"));
  root.emplace("labels", Value::StringMap({{"job", "node"}}));
  return Value::Map(root);
}

// The output, or "ERROR: <message>".
std::string Render(std::string_view text, const Value& dot = TestData()) {
  StatusOr<Template> t = Template::Parse("t", text, {});
  if (!t.ok()) return Cat("ERROR: ", t.status().message());
  StatusOr<std::string> out = t->Execute(dot);
  if (!out.ok()) return Cat("ERROR: ", out.status().message());
  return *out;
}

TEST(GoTemplateTest, IfElse) {
  EXPECT_EQ(Render("{{if true}}a{{else}}b{{end}}"), "a");
  EXPECT_EQ(Render("{{if 0}}a{{else if \"\"}}b{{else if 1}}c{{else}}d{{end}}"),
            "c");
  EXPECT_EQ(Render("{{if .empty}}a{{else}}b{{end}}"), "b");
  EXPECT_EQ(Render("{{if .missing}}a{{else}}b{{end}}"), "b");
  EXPECT_EQ(Render("{{if\ntrue}}y{{end}}"), "y");
}

TEST(GoTemplateTest, With) {
  EXPECT_EQ(Render("{{with .nested}}{{.b}}{{else}}none{{end}}"), "deep");
  EXPECT_EQ(Render("{{with .missing}}{{.b}}{{else}}none{{end}}"), "none");
  EXPECT_EQ(
      Render("{{$x := \"a\"}}{{with $y := \"b\"}}{{$x}}{{$y}}{{.}}{{end}}"),
      "abb");
}

TEST(GoTemplateTest, Range) {
  EXPECT_EQ(Render("{{range .list}}{{.}},{{end}}"), "1,2,3,");
  EXPECT_EQ(Render("{{range $i, $v := .words}}{{$i}}={{$v}} {{end}}"),
            "0=a 1=b ");
  EXPECT_EQ(Render("{{range $v := .words}}{{$v}}{{end}}"), "ab");
  EXPECT_EQ(Render("{{range $k, $v := .m}}{{$k}}:{{$v}};{{end}}"), "a:1;b:2;");
  EXPECT_EQ(Render("{{range .empty}}x{{else}}empty{{end}}"), "empty");
  EXPECT_EQ(Render("{{range .empty}}x{{else if .s}}{{.s}}{{end}}"), "str");
  EXPECT_EQ(Render("{{range .missing}}x{{else}}nil{{end}}"), "nil");
  EXPECT_EQ(Render("{{range .five}}{{if eq . 2}}{{continue}}{{end}}"
                   "{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}"),
            "13");
  EXPECT_EQ(Render("{{range .list}}{{$.s}}{{end}}"), "strstrstr");
  EXPECT_EQ(Render("{{range 5}}x{{end}}"),
            "ERROR: template: t:1:8: executing \"t\" at <5>: range can't "
            "iterate over 5");
}

TEST(GoTemplateTest, Variables) {
  EXPECT_EQ(Render("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}"), "2");
  EXPECT_EQ(Render("{{$x := .s}}{{$x}}{{$.s}}"), "strstr");
  EXPECT_EQ(Render("{{$l := .labels}}{{$l.job}}|{{$l.missing}}|"), "node||");
  EXPECT_EQ(Render("{{$m := .m}}{{$m.missing}}"), "<no value>");
}

TEST(GoTemplateTest, FieldsAndMaps) {
  EXPECT_EQ(Render("{{.nested.b}}"), "deep");
  EXPECT_EQ(Render("{{.m}}"), "map[a:1 b:2]");
  EXPECT_EQ(Render("{{.list}}"), "[1 2 3]");
  EXPECT_EQ(Render("{{.missing}}"), "<no value>");
  EXPECT_EQ(Render("{{.missing.deeper}}"), "<no value>");
  EXPECT_EQ(
      Render("{{index .m \"b\"}} {{index .list 1}} {{index .labels \"job\"}}"),
      "2 2 node");
}

TEST(GoTemplateTest, TrimMarkersAndComments) {
  EXPECT_EQ(Render("{{23 -}} < {{- 45}}"), "23<45");
  EXPECT_EQ(Render("a  {{- /* comment */ -}}  b"), "ab");
  EXPECT_EQ(Render("{{/* c */}}x"), "x");
  EXPECT_EQ(Render("x {{- 3 -}} y"), "x3y");
  EXPECT_EQ(Render("x {{-3}} y"), "x -3 y");
  EXPECT_EQ(Render("a\n  {{- if true }}\n  b\n  {{- end }}\n"), "a\n  b\n");
}

TEST(GoTemplateTest, PipelinesAndConstants) {
  EXPECT_EQ(Render("{{\"x\" | printf \"%s-%s\" \"a\"}}"), "a-x");
  EXPECT_EQ(Render("{{printf \"%d\" (len \"abc\")}}"), "3");
  EXPECT_EQ(Render("{{0x1F}} {{1e3}} {{'a'}} {{-5}} {{1_000}} {{1.5}}"),
            "31 1000 97 -5 1000 1.5");
  EXPECT_EQ(Render("{{`a\\nb`}}|{{\"a\\tb\"}}"), "a\\nb|a\tb");
  EXPECT_EQ(Render("{{true}} {{false}}"), "true false");
}

TEST(GoTemplateTest, LogicAndComparison) {
  EXPECT_EQ(Render("{{and 1 0 \"x\"}} {{or 0 \"\" \"y\"}} {{and 1 \"z\"}}"),
            "0 y z");
  EXPECT_EQ(Render("{{or true (index .list 99)}}"), "true");
  EXPECT_EQ(Render("{{not 0}} {{not \"a\"}}"), "true false");
  EXPECT_EQ(Render("{{len .list}} {{len .m}} {{len \"héllo\"}}"), "3 2 6");
  EXPECT_EQ(Render("{{eq 1 1}} {{ne \"a\" \"b\"}} {{lt 1 2}} {{le 2 2}} "
                   "{{gt 1.5 2.5}} {{ge \"b\" \"a\"}}"),
            "true true true true false true");
  EXPECT_EQ(Render("{{eq 1 2 3 1}} {{eq .s \"str\"}} {{eq .missing 1}}"),
            "true true false");
  EXPECT_EQ(Render("{{lt 1 1.5}}"),
            "ERROR: template: t:1:2: executing \"t\" at <lt 1 1.5>: error "
            "calling lt: incompatible types for comparison");
  EXPECT_EQ(Render("{{lt true false}}"),
            "ERROR: template: t:1:2: executing \"t\" at <lt true false>: error "
            "calling lt: invalid type for comparison");
}

TEST(GoTemplateTest, PrintAndEscapers) {
  EXPECT_EQ(Render("{{print 1 2 \"a\" 3}}"), "1 2a3");
  EXPECT_EQ(Render("{{println 1 \"a\"}}"), "1 a\n");
  EXPECT_EQ(Render("{{html \"<a href=\\\"x\\\">&'\"}}"),
            "&lt;a href=&#34;x&#34;&gt;&amp;&#39;");
  EXPECT_EQ(Render("{{js \"it's <b>\\\"x\\\"=y\"}}"),
            "it\\'s \\u003Cb\\u003E\\\"x\\\"\\u003Dy");
  EXPECT_EQ(Render("{{urlquery \"a b&c/é\"}}"), "a+b%26c%2F%C3%A9");
}

TEST(GoTemplateTest, Printf) {
  EXPECT_EQ(
      Render("{{printf \"%5.2f|%-6d|%06.1f|%x|%X|%q|%v|%s|%g|%e\" 3.14159 "
             "42 -2.5 255 \"hi\" \"a\\\"b\" 1.5 \"str\" 1e21 123456.789}}"),
      " 3.14|42    |-002.5|ff|6869|\"a\\\"b\"|1.5|str|1e+21|1.234568e+05");
  EXPECT_EQ(Render("{{printf \"%d %s\" \"x\" 1}}"), "%!d(string=x) %!s(int=1)");
  EXPECT_EQ(Render("{{printf \"%d\"}}"), "%!d(MISSING)");
  EXPECT_EQ(Render("{{printf \"a\" 1}}"), "a%!(EXTRA int=1)");
  EXPECT_EQ(
      Render("{{printf \"%.3g|%g|%v|%.0f\" 1234.5678 0.000012 100000000.0 "
             "2.5}}"),
      "1.23e+03|1.2e-05|1e+08|2");
  EXPECT_EQ(Render("{{printf \"%t %5s|%-5s|%%\" true \"ab\" \"cd\"}}"),
            "true    ab|cd   |%");
  EXPECT_EQ(Render("{{printf \"%c%c %U %q\" 72 105 65 66}}"), "Hi U+0041 'B'");
  EXPECT_EQ(Render("{{printf \"%+d % d %08.3f %x\" 5 7 3.14159 -255}}"),
            "+5  7 0003.142 -ff");
  EXPECT_EQ(Render("{{printf \"%v %v %v\" .list .m nil}}"),
            "[1 2 3] map[a:1 b:2] <nil>");
  EXPECT_EQ(Render("{{printf \"%T %T %T\" 1 1.0 \"s\"}}"),
            "int float64 string");
  EXPECT_EQ(Render("{{printf \"%*d|%.*f\" 4 7 1 2.25}}"), "   7|2.2");
  EXPECT_EQ(Render("{{printf \"%d|%5.1f\" .list 1.0}}"), "[1 2 3]|  1.0");
}

TEST(GoTemplateTest, DefineTemplateBlock) {
  EXPECT_EQ(Render("{{define \"T\"}}<{{.}}>{{end}}{{template \"T\" \"x\"}}"
                   "{{block \"B\" 1}}[{{.}}]{{end}}"),
            "<x>[1]");
  EXPECT_EQ(Render("{{define \"T\"}}{{$}}{{end}}{{template \"T\"}}"),
            "<no value>");
  EXPECT_EQ(
      Render("{{define \"T\"}}{{len 3}}{{end}}{{template \"T\"}}"),
      "ERROR: template: t:1:16: executing \"T\" at <len 3>: error calling "
      "len: len of type int");
  EXPECT_EQ(
      Render("{{template \"nope\"}}"),
      "ERROR: template: t:1:11: executing \"t\" at <{{template \"nope\"}}>: "
      "template \"nope\" not defined");
}

TEST(GoTemplateTest, ParseErrors) {
  EXPECT_EQ(Render("{{if true}}x"), "ERROR: template: t:1: unexpected EOF");
  EXPECT_EQ(Render("{{end}}"), "ERROR: template: t:1: unexpected {{end}}");
  EXPECT_EQ(Render("{{else}}"), "ERROR: template: t:1: unexpected {{else}}");
  EXPECT_EQ(Render("{{nofunc 1}}"),
            "ERROR: template: t:1: function \"nofunc\" not defined");
  EXPECT_EQ(Render("{{$x}}"),
            "ERROR: template: t:1: undefined variable \"$x\"");
  EXPECT_EQ(Render("{{if true}}{{$x := 1}}{{end}}{{$x}}"),
            "ERROR: template: t:1: undefined variable \"$x\"");
  EXPECT_EQ(Render("{{break}}"),
            "ERROR: template: t:1: {{break}} outside {{range}}");
  EXPECT_EQ(Render("{{1 | 2}}"),
            "ERROR: template: t:1: non executable command in pipeline stage 2");
  EXPECT_EQ(Render("{{(1}}"), "ERROR: template: t:1: unclosed left paren");
  EXPECT_EQ(Render("{{\"abc}}"),
            "ERROR: template: t:1: unterminated quoted string");
  EXPECT_EQ(Render("{{/* x}}"), "ERROR: template: t:1: unclosed comment");
  EXPECT_EQ(Render("{{range}}"),
            "ERROR: template: t:1: missing value for range");
  EXPECT_EQ(Render("a\nb\n{{if}}"),
            "ERROR: template: t:3: missing value for if");
}

TEST(GoTemplateTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep =
      "{{" + std::string(100000, '(') + "1" + std::string(100000, ')') + "}}";
  EXPECT_EQ(Render(deep),
            "ERROR: template: t:1: max expression depth exceeded");
  std::string ifs;
  for (int i = 0; i < 5000; ++i) ifs += "{{if 1}}";
  EXPECT_EQ(Render(ifs), "ERROR: template: t:1: max expression depth exceeded");
  std::string ok =
      "{{" + std::string(100, '(') + "1" + std::string(100, ')') + "}}";
  EXPECT_EQ(Render(ok), "1");
}

TEST(GoTemplateTest, ExecErrors) {
  EXPECT_EQ(Render("{{.s.b}}"),
            "ERROR: template: t:1:4: executing \"t\" at <.s.b>: can't evaluate "
            "field b in type string");
  EXPECT_EQ(Render("{{index .list 5}}"),
            "ERROR: template: t:1:2: executing \"t\" at <index .list 5>: error "
            "calling index: index out of range: 5");
  EXPECT_EQ(Render("{{len}}"),
            "ERROR: template: t:1:2: executing \"t\" at <len>: wrong number of "
            "args for len: want 1 got 0");
  EXPECT_EQ(Render("{{not 1 2}}"),
            "ERROR: template: t:1:2: executing \"t\" at <not>: wrong number of "
            "args for not: want 1 got 2");
  EXPECT_EQ(Render("{{nil}}"),
            "ERROR: template: t:1:2: executing \"t\" at <nil>: nil is not a "
            "command");
  EXPECT_EQ(Render("{{1 2}}"),
            "ERROR: template: t:1:2: executing \"t\" at <1>: can't give "
            "argument to non-function 1");
  EXPECT_EQ(Render("{{.m 1}}"),
            "ERROR: template: t:1:2: executing \"t\" at <.m>: m is not a "
            "method but has arguments");
  EXPECT_EQ(
      Render("{{printf .list}}"),
      "ERROR: template: t:1:9: executing \"t\" at <.list>: wrong type for "
      "value; expected string; got []interface {}");
  EXPECT_EQ(Render("{{printf 1}}"),
            "ERROR: template: t:1:9: executing \"t\" at <1>: expected string; "
            "found 1");
  EXPECT_EQ(Render("x\n  {{index .list 5}}"),
            "ERROR: template: t:2:4: executing \"t\" at <index .list 5>: error "
            "calling index: index out of range: 5");
}

TEST(GoTemplateTest, MissingKeyError) {
  StatusOr<Template> t = Template::Parse("t", "{{.m.zz}}", {});
  ASSERT_TRUE(t.ok());
  StatusOr<std::string> out =
      t->Execute(TestData(), {.missing_key_error = true});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "template: t:1:4: executing \"t\" at <.m.zz>: map has no entry for "
            "key \"zz\"");
}

TEST(GoTemplateTest, ExtraFunctions) {
  Functions f;
  f["double"] = {{ParamType::kFloat},
                 false,
                 [](std::span<const Value> a) -> StatusOr<Value> {
                   return Value::Float(a[0].AsFloat() * 2);
                 }};
  f["len"] = {
      {ParamType::kAny}, false, [](std::span<const Value>) -> StatusOr<Value> {
        return Value::String("mine");
      }};
  StatusOr<Template> t =
      Template::Parse("t", "{{double 2}} {{2.5 | double}} {{len 1}}", f);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  StatusOr<std::string> out = t->Execute(Value());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "4 5 mine");
}

TEST(GoFmtTest, TimeFormatting) {
  Time t{1435065584128000000};
  EXPECT_EQ(GoTimeString(t), "2015-06-23 13:19:44.128 +0000 UTC");
  EXPECT_EQ(GoTimeFormat(t, "2006-01-02T15:04:05.000Z07:00 Mon Jan _2 3PM"),
            "2015-06-23T13:19:44.128Z Tue Jun 23 1PM");
  EXPECT_EQ(GoTimeString(Time{-1000000000}), "1969-12-31 23:59:59 +0000 UTC");
}

}  // namespace
}  // namespace strata::tmpl
