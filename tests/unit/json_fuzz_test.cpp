// Deterministic mutation fuzzing of the parser: no crash (run under ASan/UBSan
// too), errors are well-formed, and whatever parses round-trips.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "json/json.h"
#include "util/arena.h"

using namespace sluiced;

TEST_CASE("parse: mutation fuzz round-trips or fails cleanly") {
    const std::vector<std::string> seeds = {
        R"({"a":[1,2.5e3,-0.1,"x\u00e9\ud83d\ude00",true,false,null],"b":{"c":"\n\t","a":0}})",
        R"([0,-0,1e5,1E-5,"\/",[],{},[[{"k":"v"}]],1.10,12345678901234567890])",
        "{\"caf\xC3\xA9\":\"\xE2\x82\xAC\xF0\x9F\x98\x80\",\"\\u0061\":1,\"a\":2}",
        R"("just a string with \"escapes\" and \\ backslashes \u0000")",
        "  [ 1 ,\n\t2 ,\r\n 3 ]  ",
    };
    static const char kAlphabet[] = "{}[],:\"\\ \t\n\r0123456789-+.eEtrufalsn/bfnrtuABCDEFdc\x7f\xc3\xa9\xed\xa0\x80\xff\x1f";
    const std::string alphabet = std::string(kAlphabet, sizeof kAlphabet - 1) + '\0';
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    auto rnd = [&](std::uint64_t n) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x % n;
    };
    int accepted = 0, rejected = 0;
    for (int iter = 0; iter < 20000; ++iter) {
        std::string s = seeds[rnd(seeds.size())];
        int edits = 1 + int(rnd(4));
        for (int e = 0; e < edits; ++e) {
            std::size_t pos = rnd(s.size() + 1);
            char c = alphabet[rnd(alphabet.size())];
            switch (rnd(3)) {
                case 0: if (!s.empty()) s[pos % s.size()] = c; break;
                case 1: s.insert(s.begin() + std::ptrdiff_t(pos), c); break;
                default: if (!s.empty()) s.erase(pos % s.size(), 1); break;
            }
        }
        Arena arena(1024);
        json::Value v;
        std::string err;
        if (!json::parse(s, arena, v, err)) {
            ++rejected;
            bool well_formed = err.rfind("invalid JSON at byte ", 0) == 0 || err.rfind("invalid UTF-8 at byte ", 0) == 0;
            CAPTURE(s);
            REQUIRE(well_formed);
            continue;
        }
        ++accepted;
        std::string out;
        REQUIRE(json::encode(v, out));
        json::Value w;
        CAPTURE(s);
        CAPTURE(out);
        REQUIRE(json::parse(out, arena, w, err));
        REQUIRE(json::equal(v, w, arena));
        std::string out2;
        REQUIRE(json::encode(w, out2));
        REQUIRE(out2 == out);
    }
    MESSAGE("fuzz: " << accepted << " accepted, " << rejected << " rejected");
    CHECK(accepted > 500);
    CHECK(rejected > 500);
}
