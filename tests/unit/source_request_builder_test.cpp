#include <doctest/doctest.h>

#include "source/request_builder.h"

using namespace sluiced;
using namespace sluiced::source;

namespace {
const std::string* find_header(const Request& r, std::string_view name) {
    const std::string* out = nullptr;
    int n = 0;
    for (const auto& [k, v] : r.headers)
        if (k == name) out = &v, ++n;
    return n == 1 ? out : nullptr;
}
int count_header(const Request& r, std::string_view lower_name) {
    int n = 0;
    for (const auto& [k, v] : r.headers) {
        std::string l;
        for (char c : k) l.push_back(char(std::tolower((unsigned char)c)));
        if (l == lower_name) ++n;
    }
    return n;
}
}  // namespace

TEST_CASE("build_request: GET with encoded query, headers in order, settings copied") {
    config::HttpSource src;
    src.url = "https://api.example.com/v1/users?fixed=1";
    src.timeout_ms = 2000;
    src.connect_timeout_ms = 500;
    src.max_body = 1234;
    src.tls.verify = false;
    src.tls.ca_file = "/etc/ca.pem";
    std::string err;
    Request r = build_request(src, {{"Accept", "application/json"}, {"X-Trace", "a b"}},
                              {{"since", "2024-01-01T00:00:00Z"}, {"q", "a b&c"}, {"name", "Łódź"}}, err);
    CHECK(err == "");
    CHECK(r.method == "GET");
    CHECK(r.url ==
          "https://api.example.com/v1/users?fixed=1&since=2024-01-01T00%3A00%3A00Z&q=a+b%26c&name=%C5%81%C3%B3d%C5%BA");
    REQUIRE(r.headers.size() == 2);
    CHECK(r.headers[0] == std::pair<std::string, std::string>{"Accept", "application/json"});
    CHECK(r.headers[1] == std::pair<std::string, std::string>{"X-Trace", "a b"});
    CHECK_FALSE(r.has_body);
    CHECK(r.timeout_ms == 2000);
    CHECK(r.connect_timeout_ms == 500);
    CHECK(r.max_body == 1234);
    CHECK_FALSE(r.tls.verify);
    CHECK(r.tls.ca_file == "/etc/ca.pem");
    CHECK_FALSE(r.basic);
}

TEST_CASE("build_request: body gets Content-Type application/json unless given") {
    config::HttpSource src;
    src.url = "http://h/search";
    src.method = "post";
    src.body = R"({"q": "x"})";
    std::string err;
    Request r = build_request(src, {}, {}, err);
    CHECK(err == "");
    CHECK(r.method == "POST");
    CHECK(r.has_body);
    CHECK(r.body == R"({"q": "x"})");
    REQUIRE(find_header(r, "Content-Type"));
    CHECK(*find_header(r, "Content-Type") == "application/json");

    Request r2 = build_request(src, {{"content-type", "text/plain"}}, {}, err);
    CHECK(count_header(r2, "content-type") == 1);
    CHECK(r2.headers[0].second == "text/plain");

    src.method = "PUT";
    Request r3 = build_request(src, {}, {}, err);
    CHECK(r3.method == "PUT");
    CHECK(r3.has_body);

    // A body on GET is not sent.
    src.method = "GET";
    Request r4 = build_request(src, {}, {}, err);
    CHECK_FALSE(r4.has_body);
    CHECK(count_header(r4, "content-type") == 0);
}

TEST_CASE("build_request: auth") {
    config::HttpSource src;
    src.url = "https://h/x";
    std::string err;

    src.auth.kind = config::Auth::Kind::Bearer;
    src.auth.bearer = "tok123";
    Request r = build_request(src, {{"authorization", "old"}, {"Accept", "*/*"}}, {}, err);
    CHECK(count_header(r, "authorization") == 1);
    REQUIRE(find_header(r, "Authorization"));
    CHECK(*find_header(r, "Authorization") == "Bearer tok123");

    src.auth.kind = config::Auth::Kind::Basic;
    src.auth.user = "u";
    src.auth.password = "p:w";
    Request b = build_request(src, {}, {}, err);
    CHECK(b.basic);
    CHECK(b.basic_user == "u");
    CHECK(b.basic_password == "p:w");
    CHECK(count_header(b, "authorization") == 0);

    src.auth.kind = config::Auth::Kind::OAuth2;
    Request o = build_request(src, {}, {}, err, "access-1");
    REQUIRE(find_header(o, "Authorization"));
    CHECK(*find_header(o, "Authorization") == "Bearer access-1");
    Request o2 = build_request(src, {}, {}, err);
    CHECK(count_header(o2, "authorization") == 0);

    // Userinfo stays in the URL: curl sends it as basic auth.
    src.auth.kind = config::Auth::Kind::None;
    src.url = "https://user:pa%40ss@h/x";
    Request u = build_request(src, {}, {{"a", "1"}}, err);
    CHECK(err == "");
    CHECK(u.url == "https://user:pa%40ss@h/x?a=1");
}

TEST_CASE("build_request: invalid or non-http URLs are errors, without credentials") {
    config::HttpSource src;
    std::string err;
    src.url = "ftp://user:secret@h/x";
    build_request(src, {}, {}, err);
    CHECK(err == "unsupported URL scheme \"ftp\" (only http and https): ftp://h/x");
    src.url = "http://user:secret@bad host/";
    build_request(src, {}, {}, err);
    CHECK(err.find("invalid URL: ") == 0);
    CHECK(err.find("secret") == std::string::npos);
    src.url = "https://h/x?token=abc";
    Request r = build_request(src, {}, {}, err);
    CHECK(err == "");
    CHECK(r.url == "https://h/x?token=abc");
}
