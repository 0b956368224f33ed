// Regression tests for crashes found by the fuzzing and sanitizer runs
// (docs/reliability.md "Fuzzing", "Sanitizers").
#include <doctest/doctest.h>

#include <string>

#include "expr/expr.h"
#include "json/json.h"
#include "util/arena.h"

using namespace sluiced;

namespace {
std::string chain(int terms, const std::string& op, const std::string& first = "1") {
    std::string s = first;
    for (int i = 1; i < terms; ++i) s += op;
    return s;
}
}  // namespace

TEST_CASE("operator chains are bounded: no stack overflow in compile or eval") {
    // 200,000 terms overflowed the stack in compile, 50,000 in eval (release
    // build), 5,000 in eval under ASan. Now: a compile error at the operator
    // that passes 1,000 levels.
    expr::CompileError e;
    for (std::string op : {" + 1", "-1", "*1", " ?? 1", " && true", " || false", " and true"}) {
        CAPTURE(op);
        std::string first = op.find("true") != std::string::npos || op.find("false") != std::string::npos ? "true" : "1";
        std::string big = chain(200000, op, first);
        CHECK(expr::compile(big, e) == nullptr);
        CHECK(e.message == "the expression is too long (more than 1000 nested operators)");
        std::string ok = chain(1000, op, first);
        auto p = expr::compile(ok, e);
        REQUIRE(p != nullptr);
        Arena arena;
        expr::Context ctx{arena, 0};
        CHECK(expr::eval(*p, json::Value::null(), ctx).ok());
    }
    std::string edge = chain(1001, " + 1");
    CHECK(expr::compile(edge, e) == nullptr);
    CHECK(e.offset == edge.size() - 3);  // the 1,000th `+`
    // Heights add up through parentheses, calls and arrays.
    std::string inner = "(" + chain(600, " + 1") + ")";
    std::string nested = chain(600, " + 1") + " + abs(" + inner + ")";
    CHECK(expr::compile(nested, e) != nullptr);
    nested = inner + chain(600, " + 1").substr(1);
    CHECK(expr::compile(nested, e) == nullptr);
    nested = "[" + inner + "]" + " == " + "[" + inner + "]";
    CHECK(expr::compile(nested, e) != nullptr);
}
