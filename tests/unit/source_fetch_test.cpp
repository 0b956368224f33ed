// fetch_with_retry's decisions against an in-process fake transport: which
// responses are retried, how many attempts, which waits.
#include <doctest/doctest.h>

#include <deque>

#include "log/log.h"
#include "source/fetch.h"

using namespace sluiced;
using namespace sluiced::source;

namespace {

// Answers from a script; completions are queued and run by drain().
class FakeTransport : public Transport {
public:
    std::deque<Response> script;
    std::vector<std::int64_t> waits;
    int sends = 0;
    std::deque<std::function<void()>> queue;

    void send(const Request&, std::function<void(Response)> done) override {
        ++sends;
        Response r = script.empty() ? Response{} : script.front();
        if (!script.empty()) script.pop_front();
        queue.push_back([done = std::move(done), r]() { done(r); });
    }
    void wait(std::int64_t ms, std::function<void()> done) override {
        waits.push_back(ms);
        queue.push_back(std::move(done));
    }
    void drain() {
        while (!queue.empty()) {
            auto f = std::move(queue.front());
            queue.pop_front();
            f();
        }
    }
};

Response status(int s, HeaderList headers = {}) {
    Response r;
    r.status = s;
    r.headers = std::move(headers);
    return r;
}

Response failure(const char* text, bool retryable) {
    Response r;
    r.error = text;
    r.retryable = retryable;
    return r;
}

FetchOutcome run(FakeTransport& t, config::Retry retry) {
    FetchOutcome out;
    bool done = false;
    Request req;
    req.url = "http://h/x";
    fetch_with_retry(t, req, retry, "p", [&](FetchOutcome o) {
        out = std::move(o);
        done = true;
    });
    CHECK_FALSE(done);  // never synchronous
    t.drain();
    CHECK(done);
    return out;
}

struct Quiet {
    Quiet() { log::configure(log::Format::Json, log::Level::Error); }
} quiet;

}  // namespace

TEST_CASE("should_retry") {
    CHECK(should_retry(status(429)));
    CHECK(should_retry(status(500)));
    CHECK(should_retry(status(503)));
    CHECK(should_retry(status(599)));
    for (int s : {200, 204, 301, 400, 401, 403, 404, 408, 409, 422, 600})
        CHECK_FALSE(should_retry(status(s)));
    CHECK(should_retry(failure("connection refused", true)));
    CHECK_FALSE(should_retry(failure("too many redirects (max 5)", false)));
    // A transport error decides, whatever status was seen.
    Response r = failure("response body exceeds max_body (1 bytes)", false);
    r.status = 503;
    CHECK_FALSE(should_retry(r));
}

TEST_CASE("attempts bound the number of requests") {
    config::Retry retry;
    retry.attempts = 4;
    retry.backoff_ms = 100;
    retry.max_backoff_ms = 250;
    FakeTransport t;
    t.script = {status(500), status(502), status(503), status(504), status(200)};
    auto out = run(t, retry);
    CHECK(t.sends == 4);
    CHECK(out.attempts == 4);
    CHECK(out.retries == 3);
    CHECK(out.last_status == 504);
    CHECK_FALSE(out.ok());
    REQUIRE(t.waits.size() == 3);
    CHECK(t.waits[0] <= 100);
    CHECK(t.waits[1] <= 200);
    CHECK(t.waits[2] <= 250);
    for (auto w : t.waits) CHECK(w >= 0);
}

TEST_CASE("attempts below 1 count as 1; success stops at once") {
    config::Retry retry;
    retry.attempts = 0;
    FakeTransport t;
    t.script = {status(503)};
    auto out = run(t, retry);
    CHECK(out.attempts == 1);
    CHECK(t.waits.empty());

    FakeTransport ok;
    ok.script = {status(200), status(500)};
    auto o2 = run(ok, config::Retry{});
    CHECK(o2.attempts == 1);
    CHECK(o2.ok());
}

TEST_CASE("Retry-After replaces the backoff, capped; garbage falls back to backoff") {
    config::Retry retry;
    retry.attempts = 5;
    retry.backoff_ms = 10;
    retry.max_backoff_ms = 5000;
    FakeTransport t;
    t.script = {
        status(429, {{"Retry-After", "3"}}),
        status(503, {{"Retry-After", "3600"}}),
        status(503, {{"Date", "Sun, 06 Nov 1994 08:49:37 GMT"}, {"Retry-After", "Sun, 06 Nov 1994 08:49:39 GMT"}}),
        status(503, {{"Retry-After", "whenever"}}),
        status(200),
    };
    auto out = run(t, retry);
    CHECK(out.attempts == 5);
    CHECK(out.ok());
    REQUIRE(t.waits.size() == 4);
    CHECK(t.waits[0] == 3000);
    CHECK(t.waits[1] == 5000);  // capped at max_backoff
    CHECK(t.waits[2] == 2000);  // against the response's Date header
    CHECK(t.waits[3] <= 80);    // backoff of attempt 4: [0, 10 * 2^3]
}

TEST_CASE("a Retry-After date in the past retries at once") {
    config::Retry retry;
    retry.attempts = 2;
    FakeTransport t;
    t.script = {status(503, {{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}}), status(200)};
    auto out = run(t, retry);
    CHECK(out.ok());
    REQUIRE(t.waits.size() == 1);
    CHECK(t.waits[0] == 0);
}

TEST_CASE("transport errors: retryable ones are retried, others end the fetch") {
    config::Retry retry;
    retry.attempts = 3;
    retry.backoff_ms = 1;
    FakeTransport t;
    t.script = {failure("connection refused", true), failure("timed out after 10 ms", true), status(200)};
    auto out = run(t, retry);
    CHECK(out.attempts == 3);
    CHECK(out.ok());

    FakeTransport tls;
    tls.script = {failure("TLS certificate verification failed: x", false), status(200)};
    auto o2 = run(tls, retry);
    CHECK(o2.attempts == 1);
    CHECK(o2.response.error == "TLS certificate verification failed: x");
    CHECK(o2.last_status == 0);
    CHECK_FALSE(o2.ok());
}
