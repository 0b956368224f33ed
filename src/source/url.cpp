#include "source/url.h"

#include <curl/curl.h>

#include <cctype>
#include <memory>

namespace sluiced::source {

namespace {

struct CurluDeleter {
    void operator()(CURLU* h) const { curl_url_cleanup(h); }
};
using Curlu = std::unique_ptr<CURLU, CurluDeleter>;

struct CurlFree {
    void operator()(char* p) const { curl_free(p); }
};

Curlu parse(std::string_view url) {
    Curlu h(curl_url());
    if (!h) return nullptr;
    std::string s(url);
    if (curl_url_set(h.get(), CURLUPART_URL, s.c_str(), 0) != CURLUE_OK) return nullptr;
    return h;
}

// Fetches one part; `present` false when the URL has no such part.
std::string get_part(CURLU* h, CURLUPart part, bool* present = nullptr) {
    char* out = nullptr;
    CURLUcode rc = curl_url_get(h, part, &out, 0);
    if (present) *present = rc == CURLUE_OK;
    if (rc != CURLUE_OK || !out) return {};
    std::unique_ptr<char, CurlFree> hold(out);
    return std::string(out);
}

// Form-style encoding of one name or value, by curl's own query encoder
// (space -> '+', everything outside the unreserved set -> %XX, '=' too).
std::string encode_component(std::string_view s) {
    Curlu h(curl_url());
    if (!h) return {};
    std::string text(s);
    if (curl_url_set(h.get(), CURLUPART_QUERY, text.c_str(), CURLU_URLENCODE) != CURLUE_OK) return {};
    std::string out = get_part(h.get(), CURLUPART_QUERY);
    // This libcurl writes lower-case hex digits; RFC 3986 §2.1 prefers upper
    // case, as most clients send (and as users write expected URLs in tests).
    for (std::size_t i = 0; i + 2 < out.size(); ++i) {
        if (out[i] != '%') continue;
        out[i + 1] = char(std::toupper((unsigned char)out[i + 1]));
        out[i + 2] = char(std::toupper((unsigned char)out[i + 2]));
        i += 2;
    }
    return out;
}

std::string encode_pair(std::string_view name, std::string_view value) {
    return encode_component(name) + "=" + encode_component(value);
}

// The URL of `h` with its query replaced by `query` (already encoded; ""
// removes it), fragment kept. Assembled as text and parsed back whole:
// libcurl 7.88 lower-cases %XX escapes in a query set on its own.
std::string with_query(CURLU* h, const std::string& query) {
    bool has_frag = false;
    std::string frag = get_part(h, CURLUPART_FRAGMENT, &has_frag);
    curl_url_set(h, CURLUPART_QUERY, nullptr, 0);
    curl_url_set(h, CURLUPART_FRAGMENT, nullptr, 0);
    std::string text = get_part(h, CURLUPART_URL);
    if (text.empty()) return {};
    if (!query.empty()) text += "?" + query;
    if (has_frag) text += "#" + frag;
    Curlu check = parse(text);
    return check ? get_part(check.get(), CURLUPART_URL) : std::string();
}

int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string form_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out.push_back(char(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

}  // namespace

std::string append_query(std::string_view url, const std::vector<std::pair<std::string, std::string>>& params) {
    Curlu h = parse(url);
    if (!h) return {};
    std::string query = get_part(h.get(), CURLUPART_QUERY);
    for (const auto& [name, value] : params) {
        if (!query.empty()) query.push_back('&');
        query += encode_pair(name, value);
    }
    return with_query(h.get(), query);
}

std::string set_query_param(std::string_view url, std::string_view name, std::string_view value) {
    Curlu h = parse(url);
    if (!h) return {};
    bool has_query = false;
    std::string query = get_part(h.get(), CURLUPART_QUERY, &has_query);
    std::string pair = encode_pair(name, value);
    std::vector<std::string_view> parts;
    bool replaced = false;
    if (has_query) {
        std::string_view q(query);
        while (true) {
            std::size_t amp = q.find('&');
            std::string_view part = q.substr(0, amp);
            std::string_view pname = part.substr(0, part.find('='));
            if (form_decode(pname) != name) {
                parts.push_back(part);
            } else if (!replaced) {
                parts.push_back(pair);
                replaced = true;
            }
            if (amp == std::string_view::npos) break;
            q.remove_prefix(amp + 1);
        }
    }
    if (!replaced) parts.push_back(pair);
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out.push_back('&');
        out.append(parts[i]);
    }
    return with_query(h.get(), out);
}

std::string resolve_url(std::string_view base, std::string_view ref) {
    Curlu h = parse(base);
    if (!h) return {};
    // RFC 3986 §5.2.2: an empty reference is the base, a fragment-only one
    // the base with that fragment (curl would drop the last path segment).
    if (ref.empty() || ref.front() == '#') {
        curl_url_set(h.get(), CURLUPART_FRAGMENT, nullptr, 0);
        std::string out = get_part(h.get(), CURLUPART_URL);
        return out.empty() ? out : out + std::string(ref);
    }
    std::string r(ref);
    // On a handle holding an absolute URL, setting a relative one resolves it.
    if (curl_url_set(h.get(), CURLUPART_URL, r.c_str(), 0) != CURLUE_OK) return {};
    return get_part(h.get(), CURLUPART_URL);
}

std::string url_scheme(std::string_view url) {
    Curlu h = parse(url);
    if (!h) return {};
    return get_part(h.get(), CURLUPART_SCHEME);
}

}  // namespace sluiced::source
