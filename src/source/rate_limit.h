// Rate limits (spec §4.3): a token bucket per pipeline counting every
// request (pages, retries, token requests), applied by wrapping the
// transport so nothing can bypass it. A wait for a token is not a timeout:
// the request's own timeout starts when it is sent.
#pragma once
#include <cstdint>
#include <functional>

#include "source/transport.h"

namespace sluiced::source {

// `requests` tokens per `per_ms`, starting full (a burst of `requests`).
class TokenBucket {
public:
    TokenBucket(int requests, std::int64_t per_ms);
    // Takes one token at `now_ms` (monotonic) and returns how long the
    // request must wait for it (0 when a token was there). Tokens may go
    // negative: waiting requests queue in order.
    std::int64_t reserve(std::int64_t now_ms);

private:
    double capacity_, rate_per_ms_, tokens_;
    std::int64_t last_ms_ = -1;
};

// Monotonic milliseconds (uv_hrtime based).
std::int64_t monotonic_ms();

// Sends through `inner` after waiting for a token of `bucket`.
class RateLimitedTransport : public Transport {
public:
    RateLimitedTransport(Transport& inner, TokenBucket& bucket) : inner_(inner), bucket_(bucket) {}
    void send(const Request& request, std::function<void(Response)> done) override;
    void wait(std::int64_t ms, std::function<void()> done) override { inner_.wait(ms, std::move(done)); }

private:
    Transport& inner_;
    TokenBucket& bucket_;
};

}  // namespace sluiced::source
