// Turns a failed libcurl transfer into Response::error and
// Response::retryable (spec §4: which failures are retried). Pure.
#pragma once
#include <curl/curl.h>

#include <cstdint>
#include <string>

namespace sluiced::source {

// What is known about a failed transfer.
struct CurlFailure {
    CURLcode code = CURLE_OK;
    std::string error_buffer;           // CURLOPT_ERRORBUFFER (may be empty)
    long os_errno = 0;                  // CURLINFO_OS_ERRNO
    bool body_too_large = false;        // our write callback stopped it
    std::uint64_t max_body = 0;
    std::int64_t timeout_ms = 0, connect_timeout_ms = 0;
    bool connected = false;             // a connection was established
    long redirect_count = 0;            // CURLINFO_REDIRECT_COUNT
    std::string redirect_target;        // Location of the last redirect, if any
};

struct TransportError {
    std::string text;  // never empty; URLs redacted, no credentials
    bool retryable = false;
};

// Texts (first word lower case, no trailing period), for example:
//   "connection refused"                               retryable
//   "could not resolve host: api.example.com"          retryable
//   "timed out after 2000 ms" / "connect timed out after 1000 ms"  retryable
//   "server closed the connection without a response"  retryable
//   "response body incomplete: ..." / "receive failed: ..." / "send failed: ..."  retryable
//   "too many redirects (max 5)"                       not retryable
//   "redirect to a non-http(s) URL refused: ftp://host/x"           not retryable
//   "TLS certificate verification failed: ..."         not retryable
//   "response body exceeds max_body (N bytes)"         not retryable
// Anything else: curl's message, not retryable.
TransportError describe_curl_failure(const CurlFailure& failure);

}  // namespace sluiced::source
