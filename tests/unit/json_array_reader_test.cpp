// json::ArrayReader and json::parse_valid (the one-pass decode path,
// issue 6): the reader accepts and rejects exactly what parse does, with the
// same error text, and decodes the same elements one at a time; parse_valid
// gives parse's result on text known to be UTF-8.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "json/json.h"
#include "util/arena.h"

namespace fs = std::filesystem;
using namespace sluiced;

namespace {

void same_verdict(const std::string& text) {
    Arena arena;
    json::Value v;
    std::string perr;
    bool p = json::parse(text, arena, v, perr);
    CAPTURE(text);
    if (p) {
        json::Value pv;
        std::string err;
        REQUIRE(json::parse_valid(text, arena, pv, err));
        CHECK(json::equal(pv, v, arena));
    }
    std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || text[first] != '[') return;
    // ArrayReader: every element, then End, or the same error as parse.
    json::ArrayReader reader(text);
    Arena rec;
    std::string rerr;
    std::uint32_t n = 0;
    json::ArrayReader::Step step;
    json::Value e;
    while ((step = reader.next(rec, e, rerr)) == json::ArrayReader::Step::Element) {
        if (p) {
            REQUIRE(n < v.size);
            CHECK(json::equal(e, v.items[n], arena));
        }
        ++n;
        rec.reset();
    }
    CHECK((step == json::ArrayReader::Step::End) == p);
    CHECK(rerr == perr);
    if (p) CHECK(n == v.size);
    CHECK(reader.next(rec, e, rerr) == step);  // it stays at End / Error
    // skip_rest after the first element: the same verdict and error.
    json::ArrayReader skipper(text);
    std::string serr;
    bool sk = skipper.next(rec, e, serr) == json::ArrayReader::Step::End || skipper.skip_rest(serr);
    if (!serr.empty()) sk = false;
    CHECK(sk == p);
    CHECK(serr == perr);
    // skip_rest from the start: the verdict, the error and the element count.
    json::ArrayReader counter(text);
    std::string cerr;
    std::size_t count = 0;
    CHECK(counter.skip_rest(cerr, &count) == p);
    CHECK(cerr == perr);
    if (p) CHECK(count == v.size);
}

}  // namespace

TEST_CASE("ArrayReader agrees with parse") {
    for (const char* t : {"[]", "[1]", " [ 1 , {\"a\": [2, {}]} , \"x\\n\", null ]\n", "{\"a\":1}", "1", "\"s\"",
                          "[1,]", "[1 2]", "{\"a\" 1}", "[\"\\uD800\"]", "[01]", "[1e400, -0, 12.50]", "",
                          "[\"a\x01\"]", "[[[[]]]]", "[{\"a\":1,\"a\":2}]", "[1] x", "\xEF\xBB\xBF[]", "[\"\xC3\"]",
                          "[tru]", "{\"k\":{\"k\":{}}}", " [ ] ", "[ ] x", "[", "[ ", "[1", "[1,", "[1 ,", "[1]]",
                          "[{}, [], \"\", 0]", "[\"\xFF\"]", "[1,\n2]\n", "[-]", "[{\"a\":1},{\"a\":1,\"a\":[]}]"})
        same_verdict(t);
    same_verdict(std::string(1100, '[') + std::string(1100, ']'));
}

TEST_CASE("ArrayReader: error offsets count from the start of the whole text") {
    Arena arena;
    json::Value e;
    std::string err;
    json::ArrayReader r(" [1, {\"a\": tru}]");
    REQUIRE(r.next(arena, e, err) == json::ArrayReader::Step::Element);
    CHECK(e.raw() == "1");
    REQUIRE(r.next(arena, e, err) == json::ArrayReader::Step::Error);
    CHECK(err == "invalid JSON at byte 11: invalid literal");
    json::ArrayReader obj("  {\"a\": 1}");
    CHECK(obj.next(arena, e, err) == json::ArrayReader::Step::Error);
    CHECK(err == "invalid JSON at byte 2: expected '['");
    // Nesting counts the outer array: 1024 levels in all are allowed.
    std::string deep = "[" + std::string(1023, '[') + std::string(1023, ']') + "]";
    json::ArrayReader d(deep);
    CHECK(d.next(arena, e, err) == json::ArrayReader::Step::Element);
    std::string deeper = "[" + std::string(1024, '[') + std::string(1024, ']') + "]";
    json::ArrayReader d2(deeper);
    CHECK(d2.next(arena, e, err) == json::ArrayReader::Step::Error);
    CHECK(err == "invalid JSON at byte 1024: nesting deeper than 1024 levels");
}

TEST_CASE("ArrayReader agrees with parse on JSONTestSuite") {
    fs::path dir = fs::path(SLUICED_SOURCE_DIR) / ".." / "shared" / "testdata" / "JSONTestSuite" / "test_parsing";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        MESSAGE("JSONTestSuite not found: skipped");
        return;
    }
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (!e.is_regular_file() || e.path().extension() != ".json") continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        CAPTURE(e.path().filename().string());
        same_verdict(text);
        ++n;
    }
    CHECK(n > 300);
}
