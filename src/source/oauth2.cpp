#include "source/oauth2.h"

#include <curl/curl.h>

#include "json/json.h"
#include "log/log.h"
#include "source/fetch.h"
#include "source/rate_limit.h"
#include "util/arena.h"

namespace sluiced::source {

namespace {
std::string form_encode(std::string_view s) {
    std::string out;
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out.push_back(char(c));
        else if (c == ' ') out.push_back('+');
        else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}
}  // namespace

std::string token_request_body(const config::OAuth2& o) {
    std::string body = "grant_type=client_credentials";
    if (!o.scopes.empty()) {
        std::string scope;
        for (std::size_t i = 0; i < o.scopes.size(); ++i) scope += (i ? " " : "") + o.scopes[i];
        body += "&scope=" + form_encode(scope);
    }
    if (!o.audience.empty()) body += "&audience=" + form_encode(o.audience);
    return body;
}

void fetch_token(Transport& transport, const config::HttpSource& source, const std::string& pipeline,
                 TokenCache& cache, std::function<void(std::string)> done) {
    const config::OAuth2& o = source.auth.oauth2;
    Request req;
    req.method = "POST";
    req.url = o.token_url;
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    req.body = token_request_body(o);
    req.has_body = true;
    req.timeout_ms = source.timeout_ms;
    req.connect_timeout_ms = source.connect_timeout_ms;
    req.max_body = 1 << 20;
    req.tls = source.tls;
    // RFC 6749 §2.3.1: id and secret form-encoded, then HTTP Basic.
    req.basic = true;
    req.basic_user = form_encode(o.client_id);
    req.basic_password = form_encode(o.client_secret);
    fetch_with_retry(transport, req, source.retry, pipeline, [&cache, done = std::move(done)](FetchOutcome out) {
        const Response& r = out.response;
        if (!r.error.empty()) return done("token request failed: " + r.error);
        if (r.status < 200 || r.status > 299)
            return done("token request failed: HTTP status " + std::to_string(r.status));
        Arena arena;
        json::Value doc;
        std::string err;
        if (!json::parse(r.body, arena, doc, err) || !doc.is_object())
            return done("token response is not a JSON object");
        const json::Value* tok = json::find_member(doc, "access_token", arena);
        if (!tok || !tok->is_string() || tok->size == 0) return done("token response has no access_token");
        cache.token = std::string(json::string_text(*tok, arena));
        std::int64_t now = monotonic_ms();
        const json::Value* exp = json::find_member(doc, "expires_in", arena);
        double secs = 0;
        if (exp && exp->is_number()) secs = json::number_as_double(*exp);
        else if (exp && exp->is_string()) secs = std::atof(std::string(json::string_text(*exp, arena)).c_str());
        // Cached until 30 s before expiry; without expires_in, for this run only.
        cache.refresh_at_ms = secs > 30 ? now + std::int64_t((secs - 30) * 1000) : now + 1;
        done({});
    });
}

}  // namespace sluiced::source
