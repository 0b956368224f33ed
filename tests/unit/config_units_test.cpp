#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "config/loader.h"
#include "config/units.h"

using sluiced::config::parse_duration;
using sluiced::config::parse_size;

TEST_CASE("durations: valid forms (spec §1)") {
    struct Case {
        const char* text;
        std::int64_t ms;
    };
    const Case cases[] = {
        {"250ms", 250},        {"30s", 30000},       {"5m", 300000},         {"1h", 3600000},
        {"1h30m", 5400000},    {"0", 0},             {"0s", 0},              {"1m30s", 90000},
        {"1s500ms", 1500},     {"1d", 86400000},     {"1d12h", 129600000},   {"2h0m5s", 7205000},
        {"90s", 90000},        {"1000ms", 1000},     {"1h1m1s1ms", 3661001},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        std::int64_t ms = -1;
        CHECK(parse_duration(c.text, ms));
        CHECK(ms == c.ms);
    }
}

TEST_CASE("durations: invalid forms") {
    const char* bad[] = {"",     "30",    "s",     "1.5s",   "-5s",   "+5s",     " 5s",  "5s ",
                         "5 s",  "5S",    "5sec",  "1x",     "30m1h", "1s1s",    "1ms1s", "5mss",
                         "1h30", "h1",    "1e3s",  "99999999999999999999s", "106751991167301d",
                         "ms",   "1w",    "5M"};
    for (const char* b : bad) {
        CAPTURE(b);
        std::int64_t ms = 0;
        CHECK_FALSE(parse_duration(b, ms));
    }
}

TEST_CASE("sizes: valid forms (spec §1)") {
    struct Case {
        const char* text;
        std::uint64_t bytes;
    };
    const Case cases[] = {
        {"512", 512},
        {"0", 0},
        {"64KiB", 64ull << 10},
        {"8MiB", 8ull << 20},
        {"1GiB", 1ull << 30},
        {"2TiB", 2ull << 40},
        {"1KB", 1000},
        {"10MB", 10000000},
        {"3GB", 3000000000ull},
        {"1TB", 1000000000000ull},
        {"7B", 7},
        {"18446744073709551615", 18446744073709551615ull},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        std::uint64_t b = 1;
        CHECK(parse_size(c.text, b));
        CHECK(b == c.bytes);
    }
}

TEST_CASE("sizes: invalid forms") {
    const char* bad[] = {"",      "KiB",  "1.5MiB", "-1",   "64kib", "64kb", "64K",  "64 KiB", " 64",
                         "64KiB ", "1PiB", "8mb",   "1e3",  "18446744073709551616", "17179869184GiB", "0x10"};
    for (const char* b : bad) {
        CAPTURE(b);
        std::uint64_t v = 0;
        CHECK_FALSE(parse_size(b, v));
    }
}

TEST_CASE("format_duration is canonical") {
    using sluiced::config::format_duration;
    CHECK(format_duration(0) == "0s");
    CHECK(format_duration(250) == "250ms");
    CHECK(format_duration(5400000) == "1h30m");
    CHECK(format_duration(86400000 + 1500) == "1d1s500ms");
}
