// HTTP dates and the Retry-After header (RFC 9110 §5.6.7, §10.2.3; spec §4).
// Pure functions: the clock is a parameter.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "source/http_types.h"

namespace sluiced::source {

// Parses an HTTP date into Unix seconds (UTC). Accepts the three forms of
// RFC 9110 §5.6.7:
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"   (obsolete)
//   asctime      "Sun Nov  6 08:49:37 1994"         (obsolete)
// Names are matched case-insensitively; the weekday must be a weekday name
// but is not checked against the date. An RFC 850 two-digit year is the
// nearest such year not more than 50 years after `now_unix_s`. Surrounding
// white space is allowed; anything else (other zones, ranges out of bounds,
// trailing text) gives nullopt.
std::optional<std::int64_t> parse_http_date(std::string_view text, std::int64_t now_unix_s);

// The wait a Retry-After value asks for, in milliseconds (>= 0):
//  - delta-seconds (1*DIGIT): that many seconds (saturating on overflow);
//  - an HTTP date: that date minus `date_header` (the response's own Date
//    header) when given and parsable, else minus `now_unix_ms`; a date in
//    the past gives 0.
// nullopt when the value is neither form (then the normal backoff applies).
std::optional<std::int64_t> parse_retry_after_ms(std::string_view value, std::optional<std::string_view> date_header,
                                                 std::int64_t now_unix_ms);

// parse_retry_after_ms on the response's Retry-After and Date headers;
// nullopt when it has no (parsable) Retry-After.
std::optional<std::int64_t> retry_after_ms(const Response& response, std::int64_t now_unix_ms);

}  // namespace sluiced::source
