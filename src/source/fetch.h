// One request with its retries (spec §4): at most `retry.attempts` requests
// in all; retried on retryable transport errors (connection errors,
// timeouts), 429 and 5xx; not on other statuses, TLS errors, too many
// redirects, refused protocols or max_body. Waits between attempts:
// Retry-After when the response has a parsable one, else exponential backoff
// with full jitter (backoff.h); both capped at retry.max_backoff. Each retry
// is logged as a warn event `request_retry` (spec §10).
#pragma once
#include <functional>
#include <string>

#include "config/pipeline_config.h"
#include "source/http_types.h"
#include "source/transport.h"

namespace sluiced::source {

struct FetchOutcome {
    Response response;   // of the last attempt (error set, or any status)
    int attempts = 0;    // requests sent, >= 1
    int retries = 0;     // attempts - 1
    int last_status = 0; // response.status of the last attempt (0: none)
    // True when the last response is a 2xx without a transport error.
    bool ok() const { return response.error.empty() && last_status >= 200 && last_status <= 299; }
};

// True when a response (or transport error) may succeed on a new attempt.
bool should_retry(const Response& response);

// Sends `request` through `transport`, retrying as above, and calls `done`
// once with the outcome (from the loop, never synchronously). `pipeline`
// names the pipeline in log events. `transport` must outlive the fetch; the
// request is copied. attempts < 1 counts as 1.
void fetch_with_retry(Transport& transport, const Request& request, const config::Retry& retry,
                      const std::string& pipeline, std::function<void(FetchOutcome)> done);

}  // namespace sluiced::source
