// Expression errors: position in the file, expression line, caret (spec §6.3).
#include "config_helpers.h"

using namespace cfgtest;

namespace {

Result stage(const std::string& lines) {
    return load_text("pipelines:\n"
                     "  a:\n"
                     "    schedule: { every: 1m }\n"
                     "    source: { http: { url: 'https://h/' } }\n"
                     "    sink: { stdout: {} }\n"
                     "    stages:\n" +
                     lines);
}

}  // namespace

TEST_CASE("plain scalar: the offending byte's column, expression and caret") {
    auto r = stage("      - filter: .a == \n");
    CHECK(r.all() == "p.yaml:7:22: error: expected an expression\n"
                     ".a ==\n"
                     "     ^\n");
}

TEST_CASE("single-quoted: text starts one byte after the quote; '' is one byte") {
    auto r = stage("      - filter: '.a +* 1'\n");
    CHECK(r.all() == "p.yaml:7:22: error: expected an expression, got `*`\n"
                     ".a +* 1\n"
                     "    ^\n");
    r = stage("      - filter: '.a == ''x'' +* 1'\n");
    CHECK(r.all() == "p.yaml:7:31: error: expected an expression, got `*`\n"
                     ".a == 'x' +* 1\n"
                     "           ^\n");
}

TEST_CASE("double-quoted with escapes") {
    auto r = stage("      - filter: \".a + \\\"\\u00e9\\\" +* 1\"\n");
    CHECK(r.all() == "p.yaml:7:35: error: expected an expression, got `*`\n"
                     ".a + \"\xc3\xa9\" +* 1\n"
                     "          ^\n");
}

TEST_CASE("block and multi-line scalars: the line holding the error") {
    auto r = stage("      - filter: |\n          .a == 1 &&\n          nope(.b)\n");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].rfind("p.yaml:9:11: error: unknown function `nope`", 0) == 0);
    CHECK(r.errors[0].substr(r.errors[0].find('\n')) == "\nnope(.b)\n^");
    r = stage("      - filter: >-\n          .a == 1 &&\n          nope(.b)\n");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].rfind("p.yaml:9:11: error: unknown function `nope`", 0) == 0);
    CHECK(r.errors[0].substr(r.errors[0].find('\n')) == "\n.a == 1 && nope(.b)\n           ^");
    r = stage("      - filter: .a == 1 &&\n          nope(.b)\n");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].rfind("p.yaml:8:11: error: unknown function `nope`", 0) == 0);
}

TEST_CASE("interpolated expressions: caret in the expanded text, column in the file") {
    ::setenv("SLUICED_T_X", "abcdef", 1);
    auto r = stage("      - filter: '\"${SLUICED_T_X}\" == nope(.b)'\n");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].rfind("p.yaml:7:38: error: unknown function `nope`", 0) == 0);
    CHECK(r.errors[0].substr(r.errors[0].find('\n')) == "\n\"abcdef\" == nope(.b)\n            ^");
}

TEST_CASE("errors in map values, drop paths, records, regexes, headers") {
    auto r = stage("      - map: { x: 'upper(.a, .b)' }\n");
    CHECK(r.all() == "p.yaml:7:20: error: `upper` takes 1 argument, got 2\n"
                     "upper(.a, .b)\n"
                     "^\n");
    r = stage("      - drop: [ .a, 'upper(.a)' ]\n");
    CHECK(r.all() == "p.yaml:7:22: error: expected a path such as `.a.b[0]`, not an expression\n"
                     "upper(.a)\n"
                     "^\n");
    r = stage("      - filter: '.a =~ \"(\"'\n");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].rfind("p.yaml:7:24: error: invalid regex", 0) == 0);
    r = stage("      - filter: ''\n");
    CHECK(r.all() == "p.yaml:7:18: error: expected an expression\n"
                     "\n"
                     "^\n");
    r = stage("      - set:\n          a:\n            b: 'nope()'\n");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].rfind("p.yaml:9:17: error: unknown function `nope`", 0) == 0);
    r = load_text("pipelines:\n"
                  "  a:\n"
                  "    source: { http: { url: 'https://h/', records: '.a[', headers: { X: { expr: 'now(1)' } } } }\n"
                  "    sink: { stdout: {} }\n",
                  {.require_schedule = false});
    REQUIRE(r.errors.size() == 2);
    CHECK(r.errors[0].rfind("p.yaml:3:55: error: ", 0) == 0);
    CHECK(r.errors[1].rfind("p.yaml:3:81: error: ", 0) == 0);
}

TEST_CASE("several expression errors in one file are all reported") {
    auto r = stage("      - filter: 'nope()'\n      - filter: '.a +'\n      - map: { a: '(' }\n");
    REQUIRE(r.errors.size() == 3);
    CHECK(r.errors[0].rfind("p.yaml:7:18: ", 0) == 0);
    CHECK(r.errors[1].rfind("p.yaml:8:22: ", 0) == 0);
    CHECK(r.errors[2].rfind("p.yaml:9:21: ", 0) == 0);
}
