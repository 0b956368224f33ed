// Builds the Request of an HTTP source (spec §4) from its configuration and
// the header/query values the run has already evaluated (`{expr: ...}`
// values are evaluated by the caller, once per run, spec §4).
#pragma once
#include <string>
#include <string_view>

#include "config/pipeline_config.h"
#include "source/http_types.h"
#include "source/url.h"  // set_query_param, resolve_url (pagination helpers)

namespace sluiced::source {

// `headers` and `query` are the final (name, value) pairs in file order
// (normally one per source.headers / source.query entry, plus any extra the
// run adds, e.g. the incremental parameter). The result:
//  - url: source.url with `query` appended URL-encoded (url.h append_query);
//  - method as configured (upper-cased); body sent for POST/PUT when set,
//    with "Content-Type: application/json" added when no Content-Type
//    header was given (names compared case-insensitively);
//  - auth: bearer -> "Authorization: Bearer X"; basic -> Request::basic;
//    oauth2 -> "Authorization: Bearer <oauth2_token>" when a token is given.
//    An auth header replaces a user-written Authorization header. Userinfo
//    in the URL is left there: curl sends it as basic auth;
//  - timeouts, max_body, tls copied.
// Errors (returned in `error`, Request then unspecified): an URL curl cannot
// parse or whose scheme is not http/https. Texts name the URL redacted.
Request build_request(const config::HttpSource& source, const HeaderList& headers, const HeaderList& query,
                      std::string& error, std::string_view oauth2_token = {});

}  // namespace sluiced::source
