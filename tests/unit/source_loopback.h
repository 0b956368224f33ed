// Test helper for source/ loopback tests: one fetch_with_retry through a
// CurlTransport on a fresh uv loop, torn down with uv_loop_close() == 0.
#pragma once
#include <doctest/doctest.h>
#include <uv.h>

#include "net/curl_multi.h"
#include "net_test_server.h"
#include "source/curl_transport.h"
#include "source/fetch.h"

namespace sluiced::testing {

using source::FetchOutcome;
using source::Request;

struct Run {
    FetchOutcome out;
    std::int64_t elapsed_ms = 0;
};

inline config::Retry fast_retry(int attempts) {
    config::Retry r;
    r.attempts = attempts;
    r.backoff_ms = 1;
    r.max_backoff_ms = 5;
    return r;
}

inline Request get(const std::string& url) {
    Request r;
    r.url = url;
    r.timeout_ms = 5000;
    r.connect_timeout_ms = 2000;
    return r;
}

// Runs one fetch on a fresh loop and tears everything down, asserting that
// every uv handle was closed.
inline Run run_fetch(const Request& req, const config::Retry& retry) {
    Run run;
    uv_loop_t loop;
    REQUIRE(uv_loop_init(&loop) == 0);
    {
        net::CurlMulti multi(&loop);
        {
            source::CurlTransport transport(multi);
            bool done = false;
            auto start = sluiced::testing::now_ms();
            source::fetch_with_retry(transport, req, retry, "test", [&](FetchOutcome o) {
                run.out = std::move(o);
                done = true;
            });
            while (!done && uv_run(&loop, UV_RUN_ONCE)) {
            }
            run.elapsed_ms = sluiced::testing::now_ms() - start;
            CHECK(done);
            CHECK(transport.in_flight() == 0);
        }
        bool closed = false;
        multi.close([&] { closed = true; });
        uv_run(&loop, UV_RUN_DEFAULT);
        CHECK(closed);
    }
    CHECK(uv_loop_close(&loop) == 0);
    return run;
}

}  // namespace sluiced::testing
