#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "json/json.h"
#include "util/arena.h"

using namespace sluiced;
using namespace sluiced::json;

namespace {

Value T(const char* s) { return Value::number_text(s); }
Value I(std::int64_t i) { return Value::number_int(i); }
Value D(double d) { return Value::number_double(d); }

int cmp(const Value& a, const Value& b) {
    int r = compare_numbers(a, b);
    int s = compare_numbers(b, a);
    CHECK(r == -s);  // antisymmetric
    return r;
}

struct Doc {
    Arena arena;
    std::string text;
    Value v;
    explicit Doc(std::string t) : text(std::move(t)) {
        std::string err;
        REQUIRE_MESSAGE(parse(text, arena, v, err), err);
    }
};

bool eq(const char* a, const char* b) {
    Doc x(a), y(b);
    Arena arena;
    bool r = equal(x.v, y.v, arena);
    CHECK(equal(y.v, x.v, arena) == r);
    return r;
}

}  // namespace

TEST_CASE("compare_numbers: text forms by exact decimal value") {
    CHECK(cmp(T("1.10"), T("1.1")) == 0);
    CHECK(cmp(T("-0"), T("0")) == 0);
    CHECK(cmp(T("-0.0e5"), T("0")) == 0);
    CHECK(cmp(T("0"), T("0e-99999")) == 0);
    CHECK(cmp(T("1"), T("1.0")) == 0);
    CHECK(cmp(T("100"), T("1e2")) == 0);
    CHECK(cmp(T("100"), T("1E+2")) == 0);
    CHECK(cmp(T("0.001"), T("1e-3")) == 0);
    CHECK(cmp(T("12.5"), T("125e-1")) == 0);
    CHECK(cmp(T("9007199254740993"), T("9007199254740992")) > 0);
    CHECK(cmp(T("12345678901234567890"), T("12345678901234567891")) < 0);
    CHECK(cmp(T("1e400"), T("1e399")) > 0);
    CHECK(cmp(T("-1e400"), T("-1e399")) < 0);
    CHECK(cmp(T("1e400"), T("10e399")) == 0);
    CHECK(cmp(T("1e-400"), T("0")) > 0);
    CHECK(cmp(T("-1e-400"), T("0")) < 0);
    CHECK(cmp(T("-1e-400"), T("1e-400")) < 0);
    CHECK(cmp(T("1e-400"), T("1e-401")) > 0);
    CHECK(cmp(T("2"), T("10")) < 0);
    CHECK(cmp(T("-2"), T("-10")) > 0);
    CHECK(cmp(T("0.5"), T("0.25")) > 0);
    CHECK(cmp(T("0.1"), T("0.10000000000000000000000000001")) < 0);
    CHECK(cmp(T("99"), T("100")) < 0);
    CHECK(cmp(T("0.099"), T("0.1")) < 0);
    CHECK(cmp(T("-1"), T("1")) < 0);
    CHECK(cmp(T("-1"), T("0")) < 0);
    CHECK(cmp(T("1.5"), T("1.50000")) == 0);
    CHECK(cmp(T("000.5"), T("0.5")) == 0);  // lenient for non-JSON text
    CHECK(cmp(T("1e999999999999999999999"), T("1e400")) > 0);
}

TEST_CASE("compare_numbers: mixed forms") {
    CHECK(cmp(I(1), T("1.0")) == 0);
    CHECK(cmp(I(0), T("-0")) == 0);
    CHECK(cmp(I(9007199254740993), T("9007199254740992")) > 0);
    CHECK(cmp(I(9007199254740993), I(9007199254740992)) > 0);
    CHECK(cmp(I(INT64_MAX), T("9223372036854775807")) == 0);
    CHECK(cmp(I(INT64_MAX), T("9223372036854775808")) < 0);
    CHECK(cmp(I(INT64_MIN), T("-9223372036854775808")) == 0);
    CHECK(cmp(I(INT64_MIN), I(INT64_MAX)) < 0);
    CHECK(cmp(D(0.1), T("0.1")) == 0);
    CHECK(cmp(D(0.1), T("0.1000000000000000055511151231257827")) < 0);  // computed: value of its text "0.1"
    CHECK(cmp(D(0.1 + 0.2), T("0.30000000000000004")) == 0);
    CHECK(cmp(D(0.1 + 0.2), D(0.3)) > 0);
    CHECK(cmp(D(-0.0), D(0.0)) == 0);
    CHECK(cmp(D(-0.0), T("0")) == 0);
    CHECK(cmp(D(-0.0), I(0)) == 0);
    CHECK(cmp(D(1e21), T("1e+21")) == 0);
    CHECK(cmp(D(1e21), T("1000000000000000000000")) == 0);
    CHECK(cmp(D(1.7976931348623157e308), T("1e400")) < 0);
    CHECK(cmp(D(5e-324), T("1e-400")) > 0);
    CHECK(cmp(D(3.5), I(3)) > 0);
    CHECK(cmp(D(3.0), I(3)) == 0);
    CHECK(cmp(D(-3.5), I(-3)) < 0);
    CHECK(cmp(D(9007199254740992.0), I(9007199254740992)) == 0);
    // 2^62 as a double prints 4611686018427388000; as an int it is exact
    CHECK(cmp(D(4611686018427387904.0), I(4611686018427387904)) > 0);
    CHECK(cmp(D(4611686018427387904.0), T("4611686018427388000")) == 0);
    CHECK(cmp(D(9.2233720368547758e18), I(INT64_MAX)) > 0);
    CHECK(cmp(D(1e300), I(INT64_MAX)) > 0);
    CHECK(cmp(D(-1e300), I(INT64_MIN)) < 0);
    CHECK(cmp(D(2.5), D(2.5)) == 0);
    CHECK(cmp(D(std::numeric_limits<double>::infinity()), T("1e400")) > 0);
    CHECK(cmp(D(-std::numeric_limits<double>::infinity()), T("-1e400")) < 0);
}

TEST_CASE("equal: deep equality (spec 6.2)") {
    CHECK(eq("1", "1.0"));
    CHECK(eq("-0", "0"));
    CHECK(eq("1.10", "1.1"));
    CHECK_FALSE(eq("9007199254740993", "9007199254740992"));
    CHECK(eq("null", "null"));
    CHECK(eq("true", "true"));
    CHECK_FALSE(eq("true", "false"));
    CHECK_FALSE(eq("null", "false"));
    CHECK_FALSE(eq("0", "false"));
    CHECK_FALSE(eq("\"1\"", "1"));
    CHECK_FALSE(eq("[]", "{}"));
    CHECK_FALSE(eq("null", "[]"));
    CHECK(eq(R"("a")", R"("a")"));
    CHECK(eq(R"("\u0061")", R"("a")"));
    CHECK(eq(R"("\u00e9")", "\"\xC3\xA9\""));
    CHECK(eq(R"("\u00e9")", R"("\u00E9")"));
    CHECK(eq(R"("\/")", R"("/")"));
    CHECK(eq(R"("\ud83d\ude00")", "\"\xF0\x9F\x98\x80\""));
    CHECK_FALSE(eq(R"("\u0061")", R"("b")"));
    CHECK_FALSE(eq(R"("\u0061b")", R"("a")"));
    CHECK_FALSE(eq(R"("a")", R"("ab")"));
    CHECK_FALSE(eq(R"("\n")", R"("\\n")"));
    CHECK(eq("[1,[2,{\"a\":3}]]", "[1.0,[2e0,{\"\\u0061\":3.00}]]"));
    CHECK_FALSE(eq("[1,2]", "[2,1]"));
    CHECK_FALSE(eq("[1,2]", "[1,2,3]"));
    CHECK(eq(R"({"a":1,"b":[2]})", R"({"b":[2],"a":1})"));
    CHECK_FALSE(eq(R"({"a":1,"b":2})", R"({"a":1,"c":2})"));
    CHECK_FALSE(eq(R"({"a":1,"b":2})", R"({"a":1})"));
    CHECK_FALSE(eq(R"({"a":1})", R"({"a":2})"));
    CHECK_FALSE(eq(R"({"a":null})", R"({})"));
    CHECK(eq(R"({"a":1,"a":2})", R"({"a":2})"));  // duplicates merged at decode
    CHECK(eq("{}", "{}"));
    CHECK(eq("[]", "[]"));
}

TEST_CASE("equal: big objects (hash path) and computed values") {
    std::string a = "{", b = "{";
    for (int i = 0; i < 100; ++i) {
        if (i) a += ',', b += ',';
        a += "\"k" + std::to_string(i) + "\":" + std::to_string(i);
        int j = 99 - i;
        b += "\"k" + std::to_string(j) + "\":" + std::to_string(j) + ".0";
    }
    a += "}";
    b += "}";
    CHECK(eq(a.c_str(), b.c_str()));
    std::string c = b;
    c.replace(c.find("\"k50\":50.0"), 10, "\"k50\":51.0");
    CHECK_FALSE(eq(a.c_str(), c.c_str()));
    std::string d = b;
    d.replace(d.find("\"k50\""), 5, "\"k\\u0035\\u0030\"");  // same key, escaped
    CHECK(eq(a.c_str(), d.c_str()));
    std::string e = b;
    e.replace(e.find("\"k50\""), 5, "\"k5O\"");
    CHECK_FALSE(eq(a.c_str(), e.c_str()));

    Arena arena;
    Doc x(R"({"s":"\u00e9","n":[1,2.5]})");
    Value nums[] = {Value::number_int(1), Value::number_double(2.5)};
    Member m[] = {{Value::string_plain("n"), Value::array(nums, 2)},
                  {Value::string_plain("s"), Value::string_plain("\xC3\xA9")}};
    CHECK(equal(x.v, Value::object(m, 2), arena));
    CHECK(equal(Value::object(m, 2), x.v, arena));
    nums[1] = Value::number_double(2.4);
    CHECK_FALSE(equal(x.v, Value::object(m, 2), arena));
}

TEST_CASE("string_text, find_member, number_as_double") {
    Arena arena;
    Doc d(R"({"a":1,"b\u0063":"x\ny","\u00e9":true,"":null,"long\u0021":2})");
    CHECK(string_text(d.v.members[0].key, arena) == "a");
    CHECK(string_text(d.v.members[1].key, arena) == "bc");
    CHECK(string_text(d.v.members[1].value, arena) == "x\ny");
    CHECK(string_text(Value::string_plain("plain"), arena) == "plain");
    REQUIRE(find_member(d.v, "a", arena));
    CHECK(find_member(d.v, "a", arena)->raw() == "1");
    REQUIRE(find_member(d.v, "bc", arena));
    CHECK(find_member(d.v, "bc", arena)->raw() == "x\\ny");
    REQUIRE(find_member(d.v, "\xC3\xA9", arena));
    CHECK(find_member(d.v, "\xC3\xA9", arena)->as_bool());
    REQUIRE(find_member(d.v, "", arena));
    CHECK(find_member(d.v, "", arena)->is_null());
    REQUIRE(find_member(d.v, "long!", arena));
    CHECK(find_member(d.v, "b", arena) == nullptr);
    CHECK(find_member(d.v, "b\\u0063", arena) == nullptr);
    CHECK(find_member(d.v, "bcd", arena) == nullptr);
    CHECK(find_member(d.v, "A", arena) == nullptr);
    CHECK(find_member(Value::null(), "a", arena) == nullptr);

    CHECK(number_as_double(T("1.5")) == 1.5);
    CHECK(number_as_double(T("-0")) == 0.0);
    CHECK(std::signbit(number_as_double(T("-0"))));
    CHECK(number_as_double(T("1e400")) == std::numeric_limits<double>::infinity());
    CHECK(number_as_double(T("-1e400")) == -std::numeric_limits<double>::infinity());
    CHECK(number_as_double(T("1e-400")) == 0.0);
    CHECK(std::signbit(number_as_double(T("-1e-400"))));
    CHECK(number_as_double(T("5e-324")) == 5e-324);
    CHECK(number_as_double(T("12345678901234567890")) == 12345678901234567890.0);
    CHECK(number_as_double(T("0.1")) == 0.1);
    CHECK(number_as_double(T("1.7976931348623157e308")) == 1.7976931348623157e308);
    CHECK(number_as_double(T("1.7976931348623159e308")) == std::numeric_limits<double>::infinity());
    CHECK(number_as_double(I(-7)) == -7.0);
    CHECK(number_as_double(D(2.25)) == 2.25);
    CHECK(std::isnan(number_as_double(Value::null())));
}
