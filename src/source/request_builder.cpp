#include "source/request_builder.h"
#include "util/ascii.h"

#include <algorithm>
#include <cctype>

#include "log/log.h"

namespace sluiced::source {

namespace {

void set_authorization(HeaderList& headers, std::string value) {
    std::erase_if(headers, [](const auto& h) { return iequals(h.first, "Authorization"); });
    headers.emplace_back("Authorization", std::move(value));
}

}  // namespace

Request build_request(const config::HttpSource& source, const HeaderList& headers, const HeaderList& query,
                      std::string& error, std::string_view oauth2_token) {
    error.clear();
    Request req;
    std::string scheme = url_scheme(source.url);
    if (scheme.empty()) {
        error = "invalid URL: " + log::redact_url(source.url);
        return req;
    }
    if (scheme != "http" && scheme != "https") {
        error = "unsupported URL scheme \"" + scheme + "\" (only http and https): " + log::redact_url(source.url);
        return req;
    }
    req.url = query.empty() ? source.url : append_query(source.url, query);
    if (req.url.empty()) {
        error = "invalid URL: " + log::redact_url(source.url);
        return req;
    }

    req.method = source.method;
    std::transform(req.method.begin(), req.method.end(), req.method.begin(),
                   [](unsigned char c) { return char(std::toupper(c)); });
    req.headers = headers;
    if (source.body && (req.method == "POST" || req.method == "PUT")) {
        req.body = *source.body;
        req.has_body = true;
        bool has_type = std::any_of(req.headers.begin(), req.headers.end(),
                                    [](const auto& h) { return iequals(h.first, "Content-Type"); });
        if (!has_type) req.headers.emplace_back("Content-Type", "application/json");
    }

    switch (source.auth.kind) {
        case config::Auth::Kind::Bearer:
            set_authorization(req.headers, "Bearer " + source.auth.bearer);
            break;
        case config::Auth::Kind::Basic:
            req.basic = true;
            req.basic_user = source.auth.user;
            req.basic_password = source.auth.password;
            break;
        case config::Auth::Kind::OAuth2:
            if (!oauth2_token.empty()) set_authorization(req.headers, "Bearer " + std::string(oauth2_token));
            break;
        case config::Auth::Kind::None:
            break;
    }

    req.timeout_ms = source.timeout_ms;
    req.connect_timeout_ms = source.connect_timeout_ms;
    req.max_body = source.max_body;
    req.tls = source.tls;
    return req;
}

}  // namespace sluiced::source
