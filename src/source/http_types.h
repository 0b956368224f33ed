// HTTP request/response shapes used between the run (run/), the retry logic
// (source/fetch.h) and the transports (real curl, scripted for tests).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config/pipeline_config.h"

namespace sluiced::source {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One HTTP request, fully built (URL already carries its query string).
struct Request {
    std::string method = "GET";
    std::string url;
    HeaderList headers;                // sent as given (names as written)
    std::string body;                  // sent when method is POST/PUT
    bool has_body = false;
    std::int64_t timeout_ms = 30000;   // whole request
    std::int64_t connect_timeout_ms = 10000;
    std::uint64_t max_body = 64ull << 20;  // decoded bytes
    config::Tls tls;
    // Basic auth (bearer and oauth2 become an Authorization header instead).
    std::string basic_user, basic_password;
    bool basic = false;
};

// The outcome of one request (after redirects).
struct Response {
    // Transport-level failure (connection refused, timeout, TLS, too many
    // redirects, body over max_body, protocol refused). Empty on success.
    std::string error;
    bool retryable = false;            // connection errors and timeouts
    int status = 0;                    // 0 when no response was received; with
                                       // `error` set, the status line seen
                                       // before the failure (if any)
    HeaderList headers;                // of the final response; names as received
    std::string body;                  // decoded (after gzip/deflate/br)
    std::string effective_url;         // after redirects
    std::uint64_t received_bytes = 0;  // decoded body bytes

    // First header value with that name (case-insensitive), or nullptr.
    const std::string* header(std::string_view name) const;
};

}  // namespace sluiced::source
