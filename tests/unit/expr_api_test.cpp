// The expression engine's API (src/expr/expr.h): compile, compile_path,
// eval, lookup, remove_path, is_path, and the forms of result values.
#include <doctest/doctest.h>

#include <string>

#include "expr/expr.h"
#include "expr/program.h"
#include "json/json.h"
#include "util/arena.h"

using namespace sluiced;

namespace {

json::Value parse(Arena& arena, std::string_view text) {
    json::Value v;
    std::string err;
    REQUIRE_MESSAGE(json::parse(text, arena, v, err), err);
    return v;
}

std::string encode(const json::Value& v) {
    std::string out;
    REQUIRE(json::encode(v, out));
    return out;
}

std::shared_ptr<const expr::Program> must_compile(std::string_view text) {
    expr::CompileError e;
    auto p = expr::compile(text, e);
    INFO(text << ": @" << e.offset << " " << e.message);
    REQUIRE(p != nullptr);
    return p;
}

std::shared_ptr<const expr::Program> must_path(std::string_view text) {
    expr::CompileError e;
    auto p = expr::compile_path(text, e);
    INFO(text << ": @" << e.offset << " " << e.message);
    REQUIRE(p != nullptr);
    return p;
}

expr::Result run(const expr::Program& p, const json::Value& rec, Arena& arena, double now = 0) {
    expr::Context ctx{arena, now};
    return expr::eval(p, rec, ctx);
}

}  // namespace

TEST_CASE("compile reports syntax errors with offsets") {
    expr::CompileError e;
    CHECK(expr::compile("", e) == nullptr);
    CHECK(e.offset == 0);
    CHECK(e.message == "expected an expression");
    CHECK(expr::compile("upper(", e) == nullptr);
    CHECK(e.offset == 6);
    CHECK(e.message == "expected an expression");
    CHECK(expr::compile("uper(.name)", e) == nullptr);
    CHECK(e.offset == 0);
    CHECK(e.message.rfind("unknown function `uper`", 0) == 0);
    CHECK(expr::compile("substr(.a)", e) == nullptr);
    CHECK(e.message == "`substr` takes 2 or 3 arguments, got 1");
    CHECK(expr::compile(".a =~ \"[\"", e) == nullptr);
    CHECK(e.offset == 6);
    CHECK(e.message.rfind("invalid regex: ", 0) == 0);
    CHECK(expr::compile("(1))", e) == nullptr);
    CHECK(e.offset == 3);
    CHECK(e.message == "unexpected `)`");
    // A successful compile leaves the error alone.
    expr::CompileError untouched{42, "keep"};
    CHECK(expr::compile(".a", untouched) != nullptr);
    CHECK(untouched.offset == 42);
    CHECK(untouched.message == "keep");
}

TEST_CASE("compile_path accepts bare paths only") {
    for (const char* ok : {".", ".a", ".a.b", ".a[0]", ".a[-1]", ".[\"odd key\"]", ".\"odd key\"", ".a[0].b[\"c\"]", " .a "}) {
        expr::CompileError e;
        auto p = expr::compile_path(ok, e);
        INFO(ok << ": " << e.message);
        CHECK(p != nullptr);
        if (p) CHECK(expr::is_path(*p));
    }
    struct Bad { const char* text; std::size_t offset; };
    for (Bad bad : {Bad{".a + 1", 3}, Bad{"1", 0}, Bad{"upper(.a)", 0}, Bad{"\"a\"", 0}, Bad{".a ?? .b", 3}, Bad{"[.a][0]", 0}}) {
        expr::CompileError e;
        auto p = expr::compile_path(bad.text, e);
        INFO(bad.text);
        CHECK(p == nullptr);
        CHECK(e.offset == bad.offset);
        CHECK(e.message.find("expected a path") != std::string::npos);
    }
    expr::CompileError e;
    CHECK(expr::compile_path(".a.", e) == nullptr);
    CHECK(e.message.find("field name") != std::string::npos);
}

TEST_CASE("is_path") {
    CHECK(expr::is_path(*must_compile(".a.b")));
    CHECK(expr::is_path(*must_compile(".")));
    CHECK_FALSE(expr::is_path(*must_compile(".a + 1")));
    CHECK_FALSE(expr::is_path(*must_compile("upper(.a)")));
    CHECK_FALSE(expr::is_path(*must_compile("1")));
    CHECK_FALSE(expr::is_path(*must_compile("split(.a, \",\")[0]")));
}

TEST_CASE("values copied through are the same Value") {
    Arena arena;
    json::Value rec = parse(arena, R"({"a":1.10,"s":"x\u0041","o":{"k":[1]}})");
    for (const char* text : {".a", ".s", ".o", ".missing ?? .a", "coalesce(null, .s)", "true ? .o : 1", "min(.a)", "to_number(.a)", "to_string(.s)"}) {
        INFO(text);
        auto p = must_compile(text);
        expr::Result r = run(*p, rec, arena);
        REQUIRE(r.ok());
        const json::Value* src = &rec.members[0].value;
        std::string t = text;
        if (t.find(".s") != std::string::npos) src = &rec.members[1].value;
        if (t.find(".o") != std::string::npos) src = &rec.members[2].value;
        CHECK(r.value.kind == src->kind);
        CHECK(r.value.form == src->form);
        CHECK(r.value.size == src->size);
        CHECK(r.value.text == src->text);
    }
}

TEST_CASE("result forms: literals, computed numbers and strings") {
    Arena arena;
    json::Value rec = parse(arena, R"({"a":3,"b":"q"})");
    auto lit = must_compile("1.10");
    expr::Result r = run(*lit, rec, arena);
    CHECK(r.value.form == json::Form::NumText);
    CHECK(r.value.raw() == "1.10");
    // The literal's text lives in the Program.
    auto neg = must_compile("-2.50");
    CHECK(run(*neg, rec, arena).value.raw() == "-2.50");
    r = run(*must_compile(".a * 2"), rec, arena);
    CHECK(r.value.form == json::Form::NumInt);
    CHECK(r.value.i == 6);
    r = run(*must_compile(".a / 2"), rec, arena);
    CHECK(r.value.form == json::Form::NumDouble);
    CHECK(r.value.d == 1.5);
    r = run(*must_compile("upper(.b)"), rec, arena);
    CHECK(r.value.form == json::Form::StrPlain);
    CHECK(r.value.raw() == "Q");
    // Literal values point into the Program: it must outlive the result.
    auto lit2 = must_compile("'lit'");
    r = run(*lit2, rec, arena);
    CHECK(r.value.form == json::Form::StrPlain);
    CHECK(r.value.raw() == "lit");
    r = run(*must_compile("[1, .a]"), rec, arena);
    CHECK(r.value.kind == json::Kind::Array);
    CHECK(r.value.size == 2);
}

TEST_CASE("record errors are texts in the arena, not exceptions") {
    Arena arena;
    json::Value rec = parse(arena, R"({"a":"x"})");
    expr::Result r = run(*must_compile("upper(1)"), rec, arena);
    CHECK_FALSE(r.ok());
    CHECK(r.error == "upper: expected a string, got number");
    r = run(*must_compile(".a * 2"), rec, arena);
    CHECK(r.error == "`*` expects numbers, got string and number");
    r = run(*must_compile("to_number(.a)"), rec, arena);
    CHECK(r.error == "to_number: \"x\" is not a number");
    r = run(*must_compile("[1, 1 / 0]"), rec, arena);
    CHECK(r.error == "`/`: division by zero");
    r = run(*must_compile("upper(1 / 0)"), rec, arena);
    CHECK(r.error == "`/`: division by zero");
    std::string long_text(100, 'z');
    json::Value big = json::Value::string_plain(long_text);
    r = run(*must_compile("to_number(.)"), big, arena);
    CHECK(r.error.size() < 80);
}

TEST_CASE("a program evaluates many records and is shareable") {
    Arena arena;
    auto p = must_compile(R"(.n % 2 == 0 ? upper(.s) : lower(.s) + "!")");
    for (int i = 0; i < 100; ++i) {
        std::string text = R"({"n":)" + std::to_string(i) + R"(,"s":"Ab"})";
        json::Value rec = parse(arena, text);
        expr::Result r = run(*p, rec, arena);
        REQUIRE(r.ok());
        CHECK(encode(r.value) == (i % 2 == 0 ? "\"AB\"" : "\"ab!\""));
    }
    CHECK(p->text() == R"(.n % 2 == 0 ? upper(.s) : lower(.s) + "!")");
}

TEST_CASE("now() comes from the context") {
    Arena arena;
    auto p = must_compile("now()");
    CHECK(encode(run(*p, json::Value::null(), arena, 1700000000.5).value) == "1700000000.5");
    CHECK(encode(run(*p, json::Value::null(), arena, 1700000000).value) == "1700000000");
    auto f = must_compile("format_time(now() - 3600)");
    CHECK(encode(run(*f, json::Value::null(), arena, 1700003600).value) == "\"2023-11-14T22:13:20Z\"");
}

TEST_CASE("lookup: exists semantics") {
    Arena arena;
    json::Value rec = parse(arena, R"({"a":{"b":null,"c":[1,{"d":2}]},"k k":1.50})");
    struct Case { const char* path; bool present; const char* value; };
    for (Case c : {Case{".a.b", true, "null"}, Case{".a.x", false, "null"}, Case{".a.c[1].d", true, "2"},
                   Case{".a.c[-2]", true, "1"}, Case{".a.c[2]", false, "null"}, Case{".a.b.z", false, "null"},
                   Case{".[\"k k\"]", true, "1.50"}, Case{".\"k k\"", true, "1.50"}, Case{".", true, nullptr},
                   Case{".a.c.d", false, "null"}, Case{".a[0]", false, "null"}}) {
        INFO(c.path);
        expr::PathLookup l = expr::lookup(*must_path(c.path), rec, arena);
        CHECK(l.present == c.present);
        if (c.value) CHECK(encode(l.value) == c.value);
    }
    // A non-path program is evaluated.
    expr::PathLookup l = expr::lookup(*must_compile(".a.c[0] + 1"), rec, arena);
    CHECK(l.present);
    CHECK(encode(l.value) == "2");
}

TEST_CASE("remove_path: copy-on-write, missing paths unchanged") {
    Arena arena;
    const char* text = R"({"a":{"b":1,"c":[1,2,{"d":3,"e":4}]},"f":"x","g h":true})";
    json::Value rec = parse(arena, text);
    struct Case { const char* path; const char* want; };
    for (Case c : {Case{".f", R"({"a":{"b":1,"c":[1,2,{"d":3,"e":4}]},"g h":true})"},
                   Case{".a.b", R"({"a":{"c":[1,2,{"d":3,"e":4}]},"f":"x","g h":true})"},
                   Case{".a.c[0]", R"({"a":{"b":1,"c":[2,{"d":3,"e":4}]},"f":"x","g h":true})"},
                   Case{".a.c[-1].d", R"({"a":{"b":1,"c":[1,2,{"e":4}]},"f":"x","g h":true})"},
                   Case{".a.c[-1]", R"({"a":{"b":1,"c":[1,2]},"f":"x","g h":true})"},
                   Case{".[\"g h\"]", R"({"a":{"b":1,"c":[1,2,{"d":3,"e":4}]},"f":"x"})"},
                   Case{".a", R"({"f":"x","g h":true})"},
                   Case{".zz", text}, Case{".a.zz", text}, Case{".a.c[9]", text}, Case{".f.x", text},
                   Case{".a.c.x", text}, Case{".a[0]", text}, Case{".", "null"}}) {
        INFO(c.path);
        json::Value out = expr::remove_path(*must_path(c.path), rec, arena);
        CHECK(encode(out) == c.want);
    }
    // The input record is not modified.
    CHECK(encode(rec) == text);
    // A missing path returns the very same record.
    json::Value same = expr::remove_path(*must_path(".nope"), rec, arena);
    CHECK(same.members == rec.members);
    // Removing the last member leaves an empty object.
    json::Value one = parse(arena, R"({"x":{"y":1}})");
    CHECK(encode(expr::remove_path(*must_path(".x.y"), one, arena)) == R"({"x":{}})");
    CHECK(encode(expr::remove_path(*must_path(".x"), one, arena)) == "{}");
    json::Value arr = parse(arena, "[1]");
    CHECK(encode(expr::remove_path(*must_path(".[0]"), arr, arena)) == "[]");
}

TEST_CASE("escaped keys in records are matched by decoded text") {
    Arena arena;
    json::Value rec = parse(arena, R"({"\u0061b":1,"c\"d":2,"\u00e9":3})");
    CHECK(encode(run(*must_compile(".ab"), rec, arena).value) == "1");
    CHECK(encode(run(*must_compile(".[\"c\\\"d\"]"), rec, arena).value) == "2");
    CHECK(encode(run(*must_compile(".é"), rec, arena).value) == "3");
    CHECK(encode(run(*must_compile("\"ab\" in ."), rec, arena).value) == "true");
    CHECK(encode(expr::remove_path(*must_path(".ab"), rec, arena)) == R"({"c\"d":2,"\u00e9":3})");
}

TEST_CASE("regexes are compiled once, with RE2 syntax") {
    Arena arena;
    auto p = must_compile(R"(.s =~ "^[a-z]+@[a-z]+\\.com$")");
    json::Value yes = parse(arena, R"({"s":"me@example.com"})");
    json::Value no = parse(arena, R"({"s":"me@example.org"})");
    for (int i = 0; i < 10; ++i) {
        CHECK(run(*p, yes, arena).value.as_bool());
        CHECK_FALSE(run(*p, no, arena).value.as_bool());
    }
    expr::CompileError e;
    // Backreferences are not RE2 syntax.
    CHECK(expr::compile(R"(.s =~ "(a)\\1")", e) == nullptr);
    CHECK(e.message.rfind("invalid regex", 0) == 0);
}

TEST_CASE("deep nesting is a compile error, not a stack overflow") {
    expr::CompileError e;
    std::string deep = std::string(100000, '(') + "1" + std::string(100000, ')');
    CHECK(expr::compile(deep, e) == nullptr);
    CHECK(e.message == "the expression is nested too deeply");
    CHECK(expr::compile(std::string(100000, '-') + "1", e) == nullptr);
    CHECK(expr::compile(std::string(100000, '!') + "true", e) == nullptr);
    CHECK(expr::compile(std::string(100000, '[') , e) == nullptr);
    // Moderate nesting is fine.
    std::string ok = std::string(100, '(') + "1" + std::string(100, ')');
    CHECK(expr::compile(ok, e) != nullptr);
    // Long flat chains compile up to 1,000 nested operators (compile, eval
    // and the destructor recurse once per operator; more is a compile error:
    // expr_fuzz_regress_test.cpp).
    std::string chain = "1";
    for (int i = 0; i < 999; ++i) chain += " + 1";
    auto p = expr::compile(chain, e);
    REQUIRE(p != nullptr);
    Arena arena;
    expr::Context ctx{arena, 0};
    CHECK(encode(expr::eval(*p, json::Value::null(), ctx).value) == "1000");
}
