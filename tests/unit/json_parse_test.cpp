#include <doctest/doctest.h>

#include <string>

#include "json/json.h"
#include "json_test_util.h"
#include "util/arena.h"

using namespace sluiced;
using namespace sluiced::json;
using json_test::parse_error;
using json_test::roundtrip;

TEST_CASE("parse: token forms and views into the input") {
    Arena arena;
    std::string err;
    Value v;
    std::string text = R"({"n":1.10,"s":"a\u00e9b","p":"plain","t":true,"f":false,"z":null,"a":[1,[]],"o":{}})";
    REQUIRE(parse(text, arena, v, err));
    REQUIRE(v.is_object());
    REQUIRE(v.size == 8);
    const Value& n = v.members[0].value;
    CHECK(n.kind == Kind::Number);
    CHECK(n.form == Form::NumText);
    CHECK(n.raw() == "1.10");
    CHECK(n.text >= text.data());
    CHECK(n.text < text.data() + text.size());
    const Value& s = v.members[1].value;
    CHECK(s.form == Form::StrJson);
    CHECK(s.flag);
    CHECK(s.raw() == R"(a\u00e9b)");
    CHECK(string_text(s, arena) == "a\xC3\xA9" "b");
    const Value& p = v.members[2].value;
    CHECK(p.form == Form::StrJson);
    CHECK_FALSE(p.flag);
    CHECK(p.raw() == "plain");
    CHECK(v.members[3].value.is_bool());
    CHECK(v.members[3].value.as_bool());
    CHECK(v.members[4].value.is_bool());
    CHECK_FALSE(v.members[4].value.as_bool());
    CHECK(v.members[5].value.is_null());
    const Value& a = v.members[6].value;
    REQUIRE(a.is_array());
    REQUIRE(a.size == 2);
    CHECK(a.items[0].raw() == "1");
    CHECK(a.items[1].is_array());
    CHECK(a.items[1].size == 0);
    CHECK(v.members[7].value.is_object());
    CHECK(v.members[7].value.size == 0);
    CHECK(v.members[0].key.raw() == "n");
}

TEST_CASE("parse: scalar top-level values") {
    CHECK(roundtrip("0") == "0");
    CHECK(roundtrip("-0") == "-0");
    CHECK(roundtrip(" \t\r\n42 \n") == "42");
    CHECK(roundtrip("\"x\"") == "\"x\"");
    CHECK(roundtrip("true") == "true");
    CHECK(roundtrip("false") == "false");
    CHECK(roundtrip("null") == "null");
}

TEST_CASE("parse+encode: round-trips keep input text") {
    CHECK(roundtrip("1.10") == "1.10");
    CHECK(roundtrip("12345678901234567890") == "12345678901234567890");
    CHECK(roundtrip("1e400") == "1e400");
    CHECK(roundtrip("-1E-400") == "-1E-400");
    CHECK(roundtrip("1.5e+07") == "1.5e+07");
    CHECK(roundtrip(R"("\u00e9")") == R"("\u00e9")");
    CHECK(roundtrip(R"("\/\"\\\b\f\n\r\t")") == R"("\/\"\\\b\f\n\r\t")");
    CHECK(roundtrip(R"("\ud83d\ude00")") == R"("\ud83d\ude00")");
    CHECK(roundtrip("\"\xC3\xA9\xF0\x9F\x98\x80\"") == "\"\xC3\xA9\xF0\x9F\x98\x80\"");
    CHECK(roundtrip(R"({ "b" : 1 , "a" : [ 1 , 2 , { } , [ ] ] , "c" : { "d" : null } })") ==
          R"({"b":1,"a":[1,2,{},[]],"c":{"d":null}})");
    CHECK(roundtrip("[\n  1,\n  2\n]\n") == "[1,2]");
    CHECK(roundtrip("\"\x7f\"") == "\"\x7f\"");
}

TEST_CASE("parse: duplicate keys, last value at the first key's position") {
    CHECK(roundtrip(R"({"a":1,"b":2,"a":3})") == R"({"a":3,"b":2})");
    CHECK(roundtrip(R"({"a":1,"a":2,"a":3})") == R"({"a":3})");
    CHECK(roundtrip(R"({"x":1,"a":{"k":1},"y":2,"a":[5]})") == R"({"x":1,"a":[5],"y":2})");
    // compared by decoded text; the first key's spelling is kept
    CHECK(roundtrip(R"({"a":1,"b":2,"\u0061":3})") == R"({"a":3,"b":2})");
    CHECK(roundtrip(R"({"\u0061":1,"a":2})") == R"({"\u0061":2})");
    CHECK(roundtrip(R"({"\u00e9":1,"é":2,"\u00E9":3})") == R"({"\u00e9":3})");
    // nested objects are merged independently
    CHECK(roundtrip(R"({"o":{"a":1,"a":2},"o2":{"a":3}})") == R"({"o":{"a":2},"o2":{"a":3}})");
    // no false positives: prefixes, empty key
    CHECK(roundtrip(R"({"a":1,"ab":2,"":3,"b":4})") == R"({"a":1,"ab":2,"":3,"b":4})");
    CHECK(roundtrip(R"({"":1,"":2})") == R"({"":2})");
}

TEST_CASE("parse: duplicate keys in big objects (hash path)") {
    std::string in = "{";
    std::string expect = "{";
    for (int i = 0; i < 500; ++i) {
        if (i) in += ',', expect += ',';
        in += "\"k" + std::to_string(i) + "\":" + std::to_string(i);
        int v = (i % 7 == 0) ? i + 1000 : i;
        expect += "\"k" + std::to_string(i) + "\":" + std::to_string(v);
    }
    for (int i = 0; i < 500; i += 7) in += ",\"k" + std::to_string(i) + "\":" + std::to_string(i + 1000);
    in += ",\"\\u006b1\":-1";  // "k1" spelled with an escape
    in += "}";
    expect += "}";
    expect.replace(expect.find("\"k1\":1,"), 7, "\"k1\":-1,");
    CHECK(roundtrip(in) == expect);

    Arena arena;
    Value v;
    std::string err;
    REQUIRE(parse(in, arena, v, err));
    CHECK(v.size == 500);
}

TEST_CASE("parse: nesting limit") {
    auto nested = [](int depth) { return std::string(std::size_t(depth), '[') + std::string(std::size_t(depth), ']'); };
    CHECK(roundtrip(nested(1024)) == nested(1024));
    CHECK(parse_error(nested(1025)) == "invalid JSON at byte 1024: nesting deeper than 1024 levels");
    std::string objs;
    for (int i = 0; i < 1025; ++i) objs += "{\"a\":";
    objs += "1";
    objs += std::string(1025, '}');
    CHECK(parse_error(objs).find("nesting deeper than 1024 levels") != std::string::npos);
    // very deep hostile input fails cleanly, no stack overflow
    CHECK(parse_error(std::string(1000000, '[')).find("nesting deeper") != std::string::npos);
}

TEST_CASE("parse: number grammar") {
    for (const char* ok : {"0", "-0", "1", "-1", "10", "0.5", "-0.5", "1.0", "1e5", "1E5", "1e+5", "1e-5", "1.5e10",
                           "0e0", "-0.0e-0", "123456789012345678901234567890", "1e400", "1e-400", "4.9e-324"}) {
        CAPTURE(ok);
        CHECK(roundtrip(ok) == ok);
    }
    CHECK(parse_error("01") == "invalid JSON at byte 0: leading zero in number");
    CHECK(parse_error("-01") == "invalid JSON at byte 1: leading zero in number");
    CHECK(parse_error("1.") == "invalid JSON at byte 2: expected digit after '.'");
    CHECK(parse_error("1.e5") == "invalid JSON at byte 2: expected digit after '.'");
    CHECK(parse_error(".5") == "invalid JSON at byte 0: expected a value");
    CHECK(parse_error("+1") == "invalid JSON at byte 0: expected a value");
    CHECK(parse_error("-") == "invalid JSON at byte 1: expected digit in number");
    CHECK(parse_error("-a") == "invalid JSON at byte 1: expected digit in number");
    CHECK(parse_error("1e") == "invalid JSON at byte 2: expected digit in exponent");
    CHECK(parse_error("1e+") == "invalid JSON at byte 3: expected digit in exponent");
    CHECK(parse_error("1E-x") == "invalid JSON at byte 3: expected digit in exponent");
    CHECK(parse_error("[1.]") == "invalid JSON at byte 3: expected digit after '.'");
    CHECK(parse_error("1x") == "invalid JSON at byte 1: unexpected text after the value");
    CHECK(parse_error("0x10") == "invalid JSON at byte 1: unexpected text after the value");
    CHECK(parse_error("[Infinity]") == "invalid JSON at byte 1: expected a value");
    CHECK(parse_error("[NaN]") == "invalid JSON at byte 1: expected a value");
    CHECK(parse_error("[1 2]") == "invalid JSON at byte 3: expected ',' or ']'");
}

TEST_CASE("parse: string rules") {
    CHECK(parse_error(R"("\x")") == "invalid JSON at byte 1: invalid escape in string");
    CHECK(parse_error(R"("\')") == "invalid JSON at byte 1: invalid escape in string");
    CHECK(parse_error(R"("\u12")") == "invalid JSON at byte 1: invalid \\u escape in string");
    CHECK(parse_error(R"("\u12G4")") == "invalid JSON at byte 1: invalid \\u escape in string");
    CHECK(parse_error(R"("ab\uD800")") == "invalid JSON at byte 3: lone surrogate in \\u escape");
    CHECK(parse_error(R"("\uDC00")") == "invalid JSON at byte 1: lone surrogate in \\u escape");
    CHECK(parse_error(R"("\uD800\u0041")") == "invalid JSON at byte 1: lone surrogate in \\u escape");
    CHECK(parse_error(R"("\uD800\n")") == "invalid JSON at byte 1: lone surrogate in \\u escape");
    CHECK(parse_error(R"("\uD800x")") == "invalid JSON at byte 1: lone surrogate in \\u escape");
    CHECK(parse_error(R"("\uDC00\uD800")") == "invalid JSON at byte 1: lone surrogate in \\u escape");
    CHECK(parse_error(R"("\uD800\uD800")") == "invalid JSON at byte 1: lone surrogate in \\u escape");
    CHECK(parse_error(R"({"\uDFFF":1})") == "invalid JSON at byte 2: lone surrogate in \\u escape");
    CHECK(roundtrip(R"("\uDBFF\uDFFF")") == R"("\uDBFF\uDFFF")");
    CHECK(parse_error("\"a\nb\"") == "invalid JSON at byte 2: control character in string");
    CHECK(parse_error("\"a\tb\"") == "invalid JSON at byte 2: control character in string");
    CHECK(parse_error(std::string("\"a\0b\"", 5)) == "invalid JSON at byte 2: control character in string");
    CHECK(parse_error("\"abc") == "invalid JSON at byte 0: unterminated string");
    CHECK(parse_error("\"abc\\") == "invalid JSON at byte 4: unterminated string");
    CHECK(parse_error("[\"abc") == "invalid JSON at byte 1: unterminated string");
    CHECK(parse_error("'a'") == "invalid JSON at byte 0: expected a value");
    // the SIMD scan: specials at every position of a 16-byte block and in the tail
    for (std::size_t pos = 0; pos < 40; ++pos) {
        std::string s(40, 'x');
        s[pos] = '\x01';
        CAPTURE(pos);
        CHECK(parse_error("\"" + s + "\"") == "invalid JSON at byte " + std::to_string(pos + 1) + ": control character in string");
        s[pos] = '"';
        CHECK(parse_error("\"" + s + "\"") == "invalid JSON at byte " + std::to_string(pos + 2) + ": unexpected text after the value");
        s[pos] = '\\';
        if (pos + 1 < s.size())
            CHECK(parse_error("\"" + s + "\"") == "invalid JSON at byte " + std::to_string(pos + 1) + ": invalid escape in string");
        else
            CHECK(parse_error("\"" + s + "\"") == "invalid JSON at byte 0: unterminated string");
        s[pos] = '\x7f';
        CHECK(parse_error("\"" + s + "\"").empty());
        s[pos] = '\x1f';
        CHECK_FALSE(parse_error("\"" + s + "\"").empty());
        s[pos] = ' ';
        CHECK(parse_error("\"" + s + "\"").empty());
    }
    // long string with escapes and multibyte text
    std::string lng = "\"";
    for (int i = 0; i < 100; ++i) lng += "abc\\n\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\\u00e9";
    lng += "\"";
    CHECK(roundtrip(lng) == lng);
}

TEST_CASE("parse: structure and whitespace errors") {
    CHECK(parse_error("") == "invalid JSON at byte 0: empty input");
    CHECK(parse_error(" \n\t\r ") == "invalid JSON at byte 5: empty input");
    CHECK(parse_error("[1,]") == "invalid JSON at byte 3: expected a value");
    CHECK(parse_error("[,1]") == "invalid JSON at byte 1: expected a value");
    CHECK(parse_error("{\"a\":1,}") == "invalid JSON at byte 7: expected string key");
    CHECK(parse_error("{,}") == "invalid JSON at byte 1: expected string key");
    CHECK(parse_error("{\"a\" 1}") == "invalid JSON at byte 5: expected ':'");
    CHECK(parse_error("{\"a\":}") == "invalid JSON at byte 5: expected a value");
    CHECK(parse_error("{a:1}") == "invalid JSON at byte 1: expected string key");
    CHECK(parse_error("{1:1}") == "invalid JSON at byte 1: expected string key");
    CHECK(parse_error("{\"a\":1]") == "invalid JSON at byte 6: expected ',' or '}'");
    CHECK(parse_error("[1}") == "invalid JSON at byte 2: expected ',' or ']'");
    CHECK(parse_error("[1") == "invalid JSON at byte 2: unexpected end of input");
    CHECK(parse_error("[") == "invalid JSON at byte 1: unexpected end of input");
    CHECK(parse_error("{") == "invalid JSON at byte 1: unexpected end of input");
    CHECK(parse_error("{\"a\"") == "invalid JSON at byte 4: unexpected end of input");
    CHECK(parse_error("{\"a\":") == "invalid JSON at byte 5: unexpected end of input");
    CHECK(parse_error("[1,") == "invalid JSON at byte 3: unexpected end of input");
    CHECK(parse_error("[] []") == "invalid JSON at byte 3: unexpected text after the value");
    CHECK(parse_error("1 2") == "invalid JSON at byte 2: unexpected text after the value");
    CHECK(parse_error("[1]x") == "invalid JSON at byte 3: unexpected text after the value");
    CHECK(parse_error("tru") == "invalid JSON at byte 0: invalid literal");
    CHECK(parse_error("True") == "invalid JSON at byte 0: expected a value");
    CHECK(parse_error("nul") == "invalid JSON at byte 0: invalid literal");
    CHECK(parse_error("[truex]") == "invalid JSON at byte 5: expected ',' or ']'");
    CHECK(parse_error("[1]/**/") == "invalid JSON at byte 3: unexpected text after the value");
    CHECK(parse_error("// c\n1") == "invalid JSON at byte 0: expected a value");
    // only space, tab, CR, LF are white space
    CHECK(parse_error("\f1") == "invalid JSON at byte 0: expected a value");
    CHECK(parse_error("[1\v]") == "invalid JSON at byte 2: expected ',' or ']'");
    CHECK(parse_error("\xC2\xA0" "1") == "invalid JSON at byte 0: expected a value");  // NBSP
    CHECK(parse_error(std::string("1\0", 2)) == "invalid JSON at byte 1: unexpected text after the value");
    // byte order mark: rejected (RFC 8259 only allows ignoring it; we are strict)
    CHECK(parse_error("\xEF\xBB\xBF{}") == "invalid JSON at byte 0: expected a value");
}

TEST_CASE("parse: invalid UTF-8 anywhere") {
    CHECK(parse_error("\"a\xFF\"") == "invalid UTF-8 at byte 2");
    CHECK(parse_error("[1,2] \x80") == "invalid UTF-8 at byte 6");
    CHECK(parse_error("\"\xC0\xAF\"") == "invalid UTF-8 at byte 1");                  // overlong
    CHECK(parse_error("\"\xE0\x80\xAF\"") == "invalid UTF-8 at byte 1");              // overlong
    CHECK(parse_error("\"\xED\xA0\x80\"") == "invalid UTF-8 at byte 1");              // UTF-8 surrogate
    CHECK(parse_error("\"\xF4\x90\x80\x80\"") == "invalid UTF-8 at byte 1");          // > U+10FFFF
    CHECK(parse_error("\"\xE9\"") == "invalid UTF-8 at byte 1");                      // Latin-1
    CHECK(parse_error("\"abc\xE2\x82\"") == "invalid UTF-8 at byte 4");               // truncated
    CHECK(parse_error("\xE2\x82") == "invalid UTF-8 at byte 0");                      // truncated at end
    CHECK(parse_error("{\"k\xF0\x9F\x98\":1}") == "invalid UTF-8 at byte 3");
    CHECK(valid_utf8("h\xC3\xA9llo \xF0\x9F\x98\x80"));
    CHECK_FALSE(valid_utf8("\xF8\x88\x80\x80\x80"));
    CHECK(valid_utf8(""));
}

TEST_CASE("parse: arena reuse and independent results") {
    Arena arena(256);  // small blocks force growth
    std::string err;
    Value a, b;
    std::string ta = R"({"x":[1,2,3],"y":{"z":"w"}})";
    std::string tb = R"([{"a":1},{"a":2},{"a":3},{"a":4},{"a":5},{"a":6},{"a":7},{"a":8},{"a":9}])";
    REQUIRE(parse(ta, arena, a, err));
    REQUIRE(parse(tb, arena, b, err));
    std::string out;
    REQUIRE(encode(a, out));
    CHECK(out == ta);
    out.clear();
    REQUIRE(encode(b, out));
    CHECK(out == tb);
    // a failed parse leaves earlier values intact and `out` untouched
    Value c = Value::boolean(true);
    CHECK_FALSE(parse("[1,2", arena, c, err));
    CHECK(c.is_bool());
    out.clear();
    REQUIRE(encode(a, out));
    CHECK(out == ta);
}

TEST_CASE("parse: large document") {
    std::string in = "[";
    for (int i = 0; i < 20000; ++i) {
        if (i) in += ',';
        in += R"({"id":)" + std::to_string(i) + R"(,"name":"user \")" + std::to_string(i) +
              R"(\"","tags":["a","b"],"score":1.25e2,"ok":true,"n":null})";
    }
    in += "]";
    Arena arena;
    Value v;
    std::string err;
    REQUIRE(parse(in, arena, v, err));
    CHECK(v.size == 20000);
    std::string out;
    REQUIRE(encode(v, out));
    CHECK(out == in);
}
