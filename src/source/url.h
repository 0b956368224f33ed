// URL manipulation through libcurl's URL API (CURLU), so that what we build
// is exactly what curl will parse. Used for the request's query (spec §4)
// and for pagination (spec §4.1). All functions return "" when a URL cannot
// be parsed; none of them throws.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluiced::source {

// `url` with each (name, value) appended to its query in order, both
// URL-encoded form style by curl's encoder (CURLU_URLENCODE): space becomes
// '+', every byte outside ALPHA / DIGIT / "-._~" becomes %XX with upper-case
// hex (UTF-8 bytes one by one; '=' and '&' included). The existing query and
// fragment are kept as written. "" when `url` is not a valid absolute URL.
std::string append_query(std::string_view url,
                         const std::vector<std::pair<std::string, std::string>>& params);

// `url` with query parameter `name` set to `value` (encoded as above): the
// first parameter with that name (compared after percent-decoding) is
// replaced in place, later ones are removed; without one it is appended.
std::string set_query_param(std::string_view url, std::string_view name, std::string_view value);

// RFC 3986 §5 reference resolution: `ref` (absolute, or relative such as
// "/p", "p?x=1", "../q", "?page=2", "//host/p") against the absolute `base`.
// The fragment is kept when `ref` has one.
std::string resolve_url(std::string_view base, std::string_view ref);

// The scheme of an absolute URL in lower case ("http"), or "" if none.
std::string url_scheme(std::string_view url);

}  // namespace sluiced::source
