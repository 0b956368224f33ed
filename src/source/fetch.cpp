#include "source/fetch.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "log/log.h"
#include "source/backoff.h"
#include "source/retry_after.h"

namespace sluiced::source {

namespace {

struct FetchState {
    Transport* transport;
    Request request;
    config::Retry retry;
    std::string pipeline;
    std::function<void(FetchOutcome)> done;
    int attempts = 0;
};

std::int64_t now_unix_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void attempt(std::shared_ptr<FetchState> st);

void on_response(std::shared_ptr<FetchState> st, Response resp) {
    int max_attempts = std::max(st->retry.attempts, 1);
    if (!should_retry(resp) || st->attempts >= max_attempts) {
        FetchOutcome out;
        out.last_status = resp.status;
        out.response = std::move(resp);
        out.attempts = st->attempts;
        out.retries = st->attempts - 1;
        auto done = std::move(st->done);
        done(std::move(out));
        return;
    }
    const std::int64_t cap = std::max<std::int64_t>(st->retry.max_backoff_ms, 0);
    std::int64_t wait_ms;
    std::optional<std::int64_t> ra = resp.error.empty() ? retry_after_ms(resp, now_unix_ms()) : std::nullopt;
    if (ra) {
        wait_ms = std::min(*ra, cap);
    } else {
        wait_ms = backoff_ms(st->retry, st->attempts, random_u64());
    }
    log::Event ev(log::Level::Warn, "request_retry",
                  "request failed (attempt " + std::to_string(st->attempts) + " of " + std::to_string(max_attempts) +
                      "), retrying in " + std::to_string(wait_ms) + " ms");
    ev.pipeline(st->pipeline)
        .num("attempt", st->attempts)
        .num("max_attempts", max_attempts)
        .num("wait_ms", wait_ms)
        .str("method", st->request.method)
        .str("url", log::redact_url(st->request.url));
    if (!resp.error.empty())
        ev.str("error", log::redact_text(resp.error));
    else
        ev.num("status", resp.status);
    if (ra) ev.boolean("retry_after", true);
    ev.emit();
    Transport* transport = st->transport;
    transport->wait(wait_ms, [st = std::move(st)]() mutable { attempt(std::move(st)); });
}

void attempt(std::shared_ptr<FetchState> st) {
    ++st->attempts;
    Transport* transport = st->transport;
    const Request& req = st->request;  // lives in st, which the callback keeps
    transport->send(req, [st](Response r) { on_response(st, std::move(r)); });
}

}  // namespace

bool should_retry(const Response& r) {
    if (!r.error.empty()) return r.retryable;
    return r.status == 429 || (r.status >= 500 && r.status <= 599);
}

void fetch_with_retry(Transport& transport, const Request& request, const config::Retry& retry,
                      const std::string& pipeline, std::function<void(FetchOutcome)> done) {
    auto st = std::make_shared<FetchState>();
    st->transport = &transport;
    st->request = request;
    st->retry = retry;
    st->pipeline = pipeline;
    st->done = std::move(done);
    attempt(std::move(st));
}

}  // namespace sluiced::source
