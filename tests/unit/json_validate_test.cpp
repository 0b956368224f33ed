// json::validate() and json::parse_valid() (the lazy decode path, issue 6):
// validate accepts and rejects exactly what parse does, with the same error
// text, and returns the text of each top-level array element.
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
    std::string perr, verr;
    bool p = json::parse(text, arena, v, perr);
    std::vector<std::string_view> spans;
    bool ok = json::validate(text, verr, &spans);
    CAPTURE(text);
    CHECK(ok == p);
    CHECK(verr == perr);
    if (!ok) CHECK(spans.empty());
    if (ok && v.is_array()) {
        REQUIRE(spans.size() == v.size);
        for (std::uint32_t i = 0; i < v.size; ++i) {
            json::Value e;
            std::string err;
            REQUIRE(json::parse_valid(spans[i], arena, e, err));
            CHECK(json::equal(e, v.items[i], arena));
        }
    }
}

}  // namespace

TEST_CASE("validate agrees with parse") {
    for (const char* t : {"[]", "[1]", " [ 1 , {\"a\": [2, {}]} , \"x\\n\", null ]\n", "{\"a\":1}", "1", "\"s\"",
                          "[1,]", "[1 2]", "{\"a\" 1}", "[\"\\uD800\"]", "[01]", "[1e400, -0, 12.50]", "",
                          "[\"a\x01\"]", "[[[[]]]]", "[{\"a\":1,\"a\":2}]", "[1] x", "\xEF\xBB\xBF[]", "[\"\xC3\"]",
                          "[tru]", "{\"k\":{\"k\":{}}}"})
        same_verdict(t);
    same_verdict(std::string(1100, '[') + std::string(1100, ']'));
}

TEST_CASE("element texts have no surrounding white space") {
    std::string err;
    std::vector<std::string_view> spans;
    REQUIRE(json::validate("[ {\"a\" : 1} ,\n\t[2, 3]\r\n, \"x\" ]", err, &spans));
    REQUIRE(spans.size() == 3);
    CHECK(spans[0] == "{\"a\" : 1}");
    CHECK(spans[1] == "[2, 3]");
    CHECK(spans[2] == "\"x\"");
    spans.clear();
    REQUIRE(json::validate("{\"a\": [1, 2]}", err, &spans));
    CHECK(spans.empty());  // only a top-level array's elements
}

TEST_CASE("validate agrees with parse on JSONTestSuite") {
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
