#include <doctest/doctest.h>

#include <limits>

#include "source/retry_after.h"

using namespace sluiced::source;

namespace {
// 1994-11-06T08:49:37Z
constexpr std::int64_t kRfcExample = 784111777;
constexpr std::int64_t kNow2024 = 1718000000;  // 2024-06-10T06:13:20Z
}  // namespace

TEST_CASE("parse_http_date: the three RFC 9110 forms") {
    CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", kNow2024) == kRfcExample);
    CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", kNow2024) == kRfcExample);
    CHECK(parse_http_date("Sun Nov  6 08:49:37 1994", kNow2024) == kRfcExample);
    CHECK(parse_http_date("Sun Nov 16 08:49:37 1994", kNow2024) == kRfcExample + 10 * 86400);
    CHECK(parse_http_date("  sun, 06 nov 1994 08:49:37 gmt ", kNow2024) == kRfcExample);
    CHECK(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT", kNow2024) == 0);
    CHECK(parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT", kNow2024) == 1709251199);
    CHECK(parse_http_date("Mon, 10 Jun 2024 06:13:20 GMT", kNow2024) == kNow2024);
}

TEST_CASE("parse_http_date: RFC 850 two-digit years within 50 years") {
    // Now is 2024: "30" is 2030 (6 years ahead), "80" is 1980 (2080 is > 50 years ahead).
    CHECK(parse_http_date("Tuesday, 01-Jan-30 00:00:00 GMT", kNow2024) == 1893456000);
    CHECK(parse_http_date("Tuesday, 01-Jan-80 00:00:00 GMT", kNow2024) == 315532800);
}

TEST_CASE("parse_http_date: rejects everything else") {
    for (const char* bad : {"", "garbage", "120", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 +0000",
                            "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 31 Nov 1994 08:49:37 GMT",
                            "Sun, 29 Feb 2023 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
                            "Sun, 06 Nov 1994 08:49:37 GMT x", "Xyz, 06 Nov 1994 08:49:37 GMT",
                            "Sun, 06 Foo 1994 08:49:37 GMT", "1994-11-06T08:49:37Z", "Sun Nov  6 08:49:37 1994 x"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_http_date(bad, kNow2024).has_value());
    }
}

TEST_CASE("parse_retry_after_ms: delta-seconds") {
    CHECK(parse_retry_after_ms("0", std::nullopt, 0) == 0);
    CHECK(parse_retry_after_ms("1", std::nullopt, 0) == 1000);
    CHECK(parse_retry_after_ms(" 120 ", std::nullopt, 0) == 120000);
    CHECK(parse_retry_after_ms("99999999999999999999999", std::nullopt, 0) ==
          std::numeric_limits<std::int64_t>::max() / 1000 * 1000);
}

TEST_CASE("parse_retry_after_ms: HTTP date against the Date header, else the clock") {
    const std::int64_t now_ms = kRfcExample * 1000 + 500;
    // Compared with the response's own Date header (server clock): 30 s.
    CHECK(parse_retry_after_ms("Sun, 06 Nov 1994 08:50:07 GMT", std::string_view("Sun, 06 Nov 1994 08:49:37 GMT"),
                               now_ms + 3600 * 1000) == 30000);
    // Without a Date header: the local clock.
    CHECK(parse_retry_after_ms("Sun, 06 Nov 1994 08:50:07 GMT", std::nullopt, now_ms) == 29500);
    // An unparsable Date header falls back to the clock.
    CHECK(parse_retry_after_ms("Sun, 06 Nov 1994 08:50:07 GMT", std::string_view("yesterday"), now_ms) == 29500);
    // A date in the past: retry at once.
    CHECK(parse_retry_after_ms("Sun, 06 Nov 1994 08:00:00 GMT", std::nullopt, now_ms) == 0);
    CHECK(parse_retry_after_ms("Sun, 06 Nov 1994 08:49:00 GMT", std::string_view("Sun, 06 Nov 1994 08:49:37 GMT"),
                               now_ms) == 0);
    // Other forms.
    CHECK(parse_retry_after_ms("Sunday, 06-Nov-94 08:50:37 GMT", std::string_view("Sun, 06 Nov 1994 08:49:37 GMT"),
                               0) == 60000);
    CHECK(parse_retry_after_ms("Sun Nov  6 08:50:37 1994", std::string_view("Sun, 06 Nov 1994 08:49:37 GMT"), 0) ==
          60000);
}

TEST_CASE("parse_retry_after_ms: garbage is ignored") {
    for (const char* bad : {"", " ", "soon", "-1", "1.5", "1s", "0x10", "+5", "Sun, 06 Nov 1994"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_retry_after_ms(bad, std::nullopt, 0).has_value());
    }
}

TEST_CASE("retry_after_ms reads the response headers case-insensitively") {
    Response r;
    CHECK_FALSE(retry_after_ms(r, 0).has_value());
    r.headers = {{"date", "Sun, 06 Nov 1994 08:49:37 GMT"}, {"retry-after", "Sun, 06 Nov 1994 08:49:47 GMT"}};
    CHECK(retry_after_ms(r, 0) == 10000);
    r.headers = {{"Retry-After", "7"}};
    CHECK(retry_after_ms(r, 0) == 7000);
    r.headers = {{"Retry-After", "later"}};
    CHECK_FALSE(retry_after_ms(r, 0).has_value());
}
