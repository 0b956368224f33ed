// OAuth2 client-credentials tokens (spec §4.4, RFC 6749 §4.4): fetched with
// HTTP Basic client authentication, cached per pipeline until 30 s before
// `expires_in`. Tokens and secrets never reach logs or error texts.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "config/pipeline_config.h"
#include "source/transport.h"

namespace sluiced::source {

struct TokenCache {
    std::string token;
    std::int64_t refresh_at_ms = 0;  // monotonic ms; 0 = not cached
    bool valid(std::int64_t now_ms) const { return !token.empty() && now_ms < refresh_at_ms; }
    void clear() { token.clear(); refresh_at_ms = 0; }
};

// Fetches a token through `transport` (with the source's retry settings,
// TLS and timeouts) and stores it in `cache`. `done(error)`: empty on success.
void fetch_token(Transport& transport, const config::HttpSource& source, const std::string& pipeline,
                 TokenCache& cache, std::function<void(std::string error)> done);

// The form body of the token request (exposed for tests).
std::string token_request_body(const config::OAuth2& o);

}  // namespace sluiced::source
