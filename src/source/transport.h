// The seam between the retry logic (fetch.h) and whatever carries requests:
// the real curl transport (curl_transport.h) or a scripted one for tests
// (spec §8). Both methods complete asynchronously: `done` is called later
// from the event loop, never from inside the call itself.
#pragma once
#include <cstdint>
#include <functional>

#include "source/http_types.h"

namespace sluiced::source {

class Transport {
public:
    virtual ~Transport();

    // Performs one request (its redirects included, spec §4) and reports its
    // outcome exactly once. Failures are values: Response::error is set and
    // Response::retryable says whether a retry may help; `done` is not called
    // if the transport is cancelled or destroyed first.
    virtual void send(const Request& request, std::function<void(Response)> done) = 0;

    // Calls `done` after `ms` milliseconds (0 or less: on the next loop turn).
    // This is how retries sleep; a scripted transport may complete at once.
    virtual void wait(std::int64_t ms, std::function<void()> done) = 0;
};

}  // namespace sluiced::source
