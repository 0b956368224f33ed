#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "json/json.h"
#include "json_test_util.h"
#include "util/arena.h"

using namespace sluiced;
using namespace sluiced::json;
using json_test::dbl;
using json_test::str;

TEST_CASE("encode_double: ECMAScript Number::toString layout") {
    CHECK(dbl(3) == "3");
    CHECK(dbl(0.1) == "0.1");
    CHECK(dbl(100) == "100");
    CHECK(dbl(1e21) == "1e+21");
    CHECK(dbl(1e20) == "100000000000000000000");
    CHECK(dbl(123456789012345680000.0) == "123456789012345680000");
    CHECK(dbl(1.5e-7) == "1.5e-7");
    CHECK(dbl(1e-7) == "1e-7");
    CHECK(dbl(0.000001) == "0.000001");
    CHECK(dbl(0.0000015) == "0.0000015");
    CHECK(dbl(123.456) == "123.456");
    CHECK(dbl(-2.5) == "-2.5");
    CHECK(dbl(5e-324) == "5e-324");
    CHECK(dbl(-5e-324) == "-5e-324");
    CHECK(dbl(1.7976931348623157e308) == "1.7976931348623157e+308");
    CHECK(dbl(-1.7976931348623157e308) == "-1.7976931348623157e+308");
    CHECK(dbl(0.0) == "0");
    CHECK(dbl(-0.0) == "0");
    CHECK(dbl(1) == "1");
    CHECK(dbl(-1) == "-1");
    CHECK(dbl(10) == "10");
    CHECK(dbl(3.5) == "3.5");
    CHECK(dbl(0.5) == "0.5");
    CHECK(dbl(1.2345e25) == "1.2345e+25");
    CHECK(dbl(1.5e21) == "1.5e+21");
    CHECK(dbl(0.1 + 0.2) == "0.30000000000000004");
    CHECK(dbl(1.0 / 3) == "0.3333333333333333");
    CHECK(dbl(2.0 / 3) == "0.6666666666666666");
    CHECK(dbl(9007199254740992.0) == "9007199254740992");
    CHECK(dbl(9007199254740994.0) == "9007199254740994");
    CHECK(dbl(4611686018427387904.0) == "4611686018427388000");  // 2^62: shortest digits, zero-padded
    CHECK(dbl(1e23) == "1e+23");
    CHECK(dbl(123e-20) == "1.23e-18");
    CHECK(dbl(1e-6) == "0.000001");
    CHECK(dbl(1.25e-6) == "0.00000125");
    CHECK(dbl(12.5e-8) == "1.25e-7");
    CHECK(dbl(2.2250738585072014e-308) == "2.2250738585072014e-308");
    CHECK(dbl(1700000000.123) == "1700000000.123");
    CHECK(dbl(1e100) == "1e+100");
    CHECK(dbl(-1e-100) == "-1e-100");
    CHECK(dbl(100.0 / 7) == "14.285714285714286");
    CHECK(dbl(1e15 + 0.3) == "1000000000000000.2");  // nearest double is ...0.25
}

TEST_CASE("encode_double: output reads back to the same double") {
    std::uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 20000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        std::memcpy(&d, &x, sizeof d);
        if (!std::isfinite(d)) continue;
        std::string s = dbl(d);
        CAPTURE(s);
        REQUIRE(std::strtod(s.c_str(), nullptr) == d);
    }
}

TEST_CASE("encode_string: minimal escaping") {
    CHECK(str("") == R"("")");
    CHECK(str("abc") == R"("abc")");
    CHECK(str("a\"b") == R"("a\"b")");
    CHECK(str("a\\b") == R"("a\\b")");
    CHECK(str("/") == R"("/")");
    CHECK(str("\b\f\n\r\t") == R"("\b\f\n\r\t")");
    CHECK(str(std::string("\0", 1)) == R"("\u0000")");
    CHECK(str("\x01\x1f\x0b\x1b") == R"("\u0001\u001f\u000b\u001b")");
    CHECK(str("\x7f") == "\"\x7f\"");
    CHECK(str("\xC3\xA9") == "\"\xC3\xA9\"");
    CHECK(str("\xE2\x80\xA8\xE2\x80\xA9") == "\"\xE2\x80\xA8\xE2\x80\xA9\"");  // U+2028/9 raw
    CHECK(str("\xF0\x9F\x98\x80") == "\"\xF0\x9F\x98\x80\"");
    CHECK(str("<script>&'") == "\"<script>&'\"");
    CHECK(str("line1\nline2\t\"q\"\\") == R"("line1\nline2\t\"q\"\\")");
    std::string out = "prefix:";
    encode_string("x", out);
    CHECK(out == "prefix:\"x\"");
}

TEST_CASE("encode: computed and raw values") {
    Arena arena;
    std::string out;
    Value items[] = {Value::number_int(-42), Value::number_int(INT64_MIN), Value::number_double(0.5),
                     Value::number_double(-0.0), Value::number_text("1.10"), Value::string_plain("a\"\n\xC3\xA9"),
                     Value::string_json("\\u00e9", true), Value::null(), Value::boolean(false)};
    Member members[] = {{Value::string_plain("k\"ey"), Value::array(items, 9)},
                        {Value::string_json("r\\u0061w", true), Value::object(nullptr, 0)}};
    Value obj = Value::object(members, 2);
    REQUIRE(encode(obj, out));
    CHECK(out ==
          R"({"k\"ey":[-42,-9223372036854775808,0.5,0,1.10,"a\"\n)"
          "\xC3\xA9"
          R"(","\u00e9",null,false],"r\u0061w":{}})");
    out.clear();
    REQUIRE(encode(Value::array(nullptr, 0), out));
    CHECK(out == "[]");
}

TEST_CASE("encode: non-finite computed numbers fail") {
    std::string out;
    CHECK_FALSE(encode(Value::number_double(std::numeric_limits<double>::infinity()), out));
    CHECK_FALSE(encode(Value::number_double(-std::numeric_limits<double>::infinity()), out));
    CHECK_FALSE(encode(Value::number_double(std::numeric_limits<double>::quiet_NaN()), out));
    Value nested[] = {Value::number_int(1), Value::number_double(std::nan(""))};
    Value arr = Value::array(nested, 2);
    out.clear();
    CHECK_FALSE(encode(arr, out));
    Member m[] = {{Value::string_plain("a"), arr}};
    CHECK_FALSE(encode(Value::object(m, 1), out));
}

TEST_CASE("unescape") {
    auto u = [](std::string_view raw) {
        std::string out;
        unescape(raw, out);
        return out;
    };
    CHECK(u("") == "");
    CHECK(u("plain") == "plain");
    CHECK(u(R"(\"\\\/\b\f\n\r\t)") == "\"\\/\b\f\n\r\t");
    CHECK(u(R"(\u0041\u00e9\u00E9\u20ac)") == "A\xC3\xA9\xC3\xA9\xE2\x82\xAC");
    CHECK(u(R"(\ud83d\ude00)") == "\xF0\x9F\x98\x80");
    CHECK(u(R"(\uD83D\uDE00x)") == "\xF0\x9F\x98\x80x");
    CHECK(u(R"(\uDBFF\uDFFF)") == "\xF4\x8F\xBF\xBF");
    CHECK(u(R"(\u0000)") == std::string("\0", 1));
    CHECK(u("a\\nb\xC3\xA9") == "a\nb\xC3\xA9");
    // not produced by the parser: lone surrogates become U+FFFD
    CHECK(u(R"(\ud800)") == "\xEF\xBF\xBD");
    std::string out = "keep:";
    unescape("\\t", out);
    CHECK(out == "keep:\t");
}
