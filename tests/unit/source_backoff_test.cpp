#include <doctest/doctest.h>

#include <limits>

#include "source/backoff.h"

using namespace sluiced;
using namespace sluiced::source;

TEST_CASE("backoff_cap_ms doubles per attempt up to max_backoff") {
    config::Retry r;  // 500 ms, max 30 s
    CHECK(backoff_cap_ms(r, 1) == 500);
    CHECK(backoff_cap_ms(r, 2) == 1000);
    CHECK(backoff_cap_ms(r, 3) == 2000);
    CHECK(backoff_cap_ms(r, 7) == 30000);  // 32000 capped
    CHECK(backoff_cap_ms(r, 1000) == 30000);
    r.backoff_ms = 0;
    CHECK(backoff_cap_ms(r, 5) == 0);
    r.backoff_ms = 50000;  // above max: max
    CHECK(backoff_cap_ms(r, 1) == 30000);
    r.backoff_ms = std::numeric_limits<std::int64_t>::max() / 2 + 1;
    r.max_backoff_ms = std::numeric_limits<std::int64_t>::max();
    CHECK(backoff_cap_ms(r, 3) == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("backoff_ms is full jitter: uniform in [0, cap]") {
    config::Retry r;
    r.backoff_ms = 100;
    r.max_backoff_ms = 1000;
    CHECK(backoff_ms(r, 1, 0) == 0);
    CHECK(backoff_ms(r, 1, 100) == 100);  // the cap itself is reachable
    CHECK(backoff_ms(r, 1, 101) == 0);
    CHECK(backoff_ms(r, 2, 150) == 150);
    CHECK(backoff_ms(r, 10, std::numeric_limits<std::uint64_t>::max()) <= 1000);
    std::int64_t lo = 1 << 30, hi = -1;
    for (int i = 0; i < 2000; ++i) {
        std::int64_t w = backoff_ms(r, 3, random_u64());
        CHECK(w >= 0);
        CHECK(w <= 400);
        lo = std::min(lo, w);
        hi = std::max(hi, w);
    }
    CHECK(lo < 40);   // spread over the whole range
    CHECK(hi > 360);
}
