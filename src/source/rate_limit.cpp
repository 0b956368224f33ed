#include "source/rate_limit.h"

#include <uv.h>

#include <algorithm>

namespace sluiced::source {

TokenBucket::TokenBucket(int requests, std::int64_t per_ms)
    : capacity_(requests), rate_per_ms_(per_ms > 0 ? double(requests) / double(per_ms) : 1e9), tokens_(requests) {}

std::int64_t TokenBucket::reserve(std::int64_t now_ms) {
    if (last_ms_ >= 0) tokens_ = std::min(capacity_, tokens_ + double(now_ms - last_ms_) * rate_per_ms_);
    last_ms_ = now_ms;
    tokens_ -= 1;
    if (tokens_ >= 0) return 0;
    double wait = -tokens_ / rate_per_ms_;
    return std::int64_t(wait + 0.999);
}

std::int64_t monotonic_ms() { return std::int64_t(uv_hrtime() / 1000000); }

void RateLimitedTransport::send(const Request& request, std::function<void(Response)> done) {
    std::int64_t w = bucket_.reserve(monotonic_ms());
    if (w <= 0) return inner_.send(request, std::move(done));
    inner_.wait(w, [this, request, done = std::move(done)]() mutable { inner_.send(request, std::move(done)); });
}

}  // namespace sluiced::source
