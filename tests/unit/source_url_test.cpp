#include <doctest/doctest.h>

#include "source/url.h"

using namespace sluiced::source;

TEST_CASE("resolve_url: RFC 3986 5.4.1 normal examples") {
    const char* base = "http://a/b/c/d;p?q";
    struct Case {
        const char* ref;
        const char* want;
    } cases[] = {
        {"g", "http://a/b/c/g"},          {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},        {"/g", "http://a/g"},
        {"//g", "http://g/"},             {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},      {"#s", "http://a/b/c/d;p?q#s"},
        {"g#s", "http://a/b/c/g#s"},      {"g?y#s", "http://a/b/c/g?y#s"},
        {";x", "http://a/b/c/;x"},        {"g;x", "http://a/b/c/g;x"},
        {"g;x?y#s", "http://a/b/c/g;x?y#s"}, {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},           {"./", "http://a/b/c/"},
        {"..", "http://a/b/"},            {"../", "http://a/b/"},
        {"../g", "http://a/b/g"},         {"../..", "http://a/"},
        {"../../", "http://a/"},          {"../../g", "http://a/g"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.ref);
        CHECK(resolve_url(base, c.ref) == c.want);
    }
}

TEST_CASE("resolve_url: RFC 3986 5.4.2 abnormal examples") {
    const char* base = "http://a/b/c/d;p?q";
    struct Case {
        const char* ref;
        const char* want;
    } cases[] = {
        {"../../../g", "http://a/g"}, {"../../../../g", "http://a/g"}, {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},      {"g.", "http://a/b/c/g."},       {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"},   {"./g/.", "http://a/b/c/g/"},    {"g/./h", "http://a/b/c/g/h"},
        {"g/../h", "http://a/b/c/h"}, {"g;x=1/../y", "http://a/b/c/y"}, {"g?y/./x", "http://a/b/c/g?y/./x"},
        {"g#s/../x", "http://a/b/c/g#s/../x"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.ref);
        CHECK(resolve_url(base, c.ref) == c.want);
    }
}

TEST_CASE("resolve_url: absolute references, pagination shapes, errors") {
    CHECK(resolve_url("https://api.example.com/v1/users?page=1", "https://other.example.com/x?y=1") ==
          "https://other.example.com/x?y=1");
    CHECK(resolve_url("https://api.example.com/v1/users?page=1", "/v1/users?page=2") ==
          "https://api.example.com/v1/users?page=2");
    CHECK(resolve_url("https://api.example.com/v1/users?page=1", "?page=2") ==
          "https://api.example.com/v1/users?page=2");
    CHECK(resolve_url("https://api.example.com:8443/v1/", "next") == "https://api.example.com:8443/v1/next");
    CHECK(resolve_url("https://api.example.com/v1/users#top", "") == "https://api.example.com/v1/users");
    CHECK(resolve_url("not a url", "/x") == "");
    CHECK(resolve_url("http://a/b", "http://bad host/") == "");
}

TEST_CASE("append_query: form encoding of spaces, &, =, +, %, unicode") {
    CHECK(append_query("http://h/p", {{"q", "a b"}}) == "http://h/p?q=a+b");
    CHECK(append_query("http://h/p", {{"q", "x&y=z"}}) == "http://h/p?q=x%26y%3Dz");
    CHECK(append_query("http://h/p", {{"q", "1+1%"}}) == "http://h/p?q=1%2B1%25");
    CHECK(append_query("http://h/p", {{"city", "Zürich"}}) == "http://h/p?city=Z%C3%BCrich");
    CHECK(append_query("http://h/p", {{"a/b", "c/d"}}) == "http://h/p?a%2Fb=c%2Fd");
    CHECK(append_query("http://h/p", {{"k=v", "1"}}) == "http://h/p?k%3Dv=1");
    CHECK(append_query("http://h/p", {{"empty", ""}}) == "http://h/p?empty=");
    CHECK(append_query("http://h/p", {{"safe", "AZaz09-._~"}}) == "http://h/p?safe=AZaz09-._~");
}

TEST_CASE("append_query: keeps the existing query and fragment, order of parameters") {
    CHECK(append_query("http://h/p?a=1", {{"b", "2"}, {"c", "3"}}) == "http://h/p?a=1&b=2&c=3");
    CHECK(append_query("http://h/p?x=%2F", {{"b", "2"}}) == "http://h/p?x=%2F&b=2");
    CHECK(append_query("http://h", {{"q", "1"}}) == "http://h/?q=1");
    CHECK(append_query("http://u:p@h:8080/p#frag", {{"q", "1"}}) == "http://u:p@h:8080/p?q=1#frag");
    CHECK(append_query("http://h/p", {}) == "http://h/p");
    CHECK(append_query("no url", {{"q", "1"}}) == "");
}

TEST_CASE("set_query_param: replace in place, add, remove duplicates") {
    struct Case {
        const char* url;
        const char* name;
        const char* value;
        const char* want;
    } cases[] = {
        {"http://h/p", "page", "2", "http://h/p?page=2"},
        {"http://h/p?page=1", "page", "2", "http://h/p?page=2"},
        {"http://h/p?a=1&page=1&b=2", "page", "2", "http://h/p?a=1&page=2&b=2"},
        {"http://h/p?page=1&a=1&page=3", "page", "2", "http://h/p?page=2&a=1"},
        {"http://h/p?a=1&b=2", "page", "2", "http://h/p?a=1&b=2&page=2"},
        {"http://h/p?cursor=abc", "cursor", "x y&z", "http://h/p?cursor=x+y%26z"},
        {"http://h/p?my+key=1&z=2", "my key", "x", "http://h/p?my+key=x&z=2"},
        {"http://h/p?my%20key=1", "my key", "x", "http://h/p?my+key=x"},
        {"http://h/p?pages=1&page", "page", "3", "http://h/p?pages=1&page=3"},
        {"http://h/p?page=1#f", "page", "2", "http://h/p?page=2#f"},
        {"http://h/p?offset=0&limit=100", "offset", "100", "http://h/p?offset=100&limit=100"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.url);
        CHECK(set_query_param(c.url, c.name, c.value) == c.want);
    }
    CHECK(set_query_param("not a url", "page", "1") == "");
}

TEST_CASE("url_scheme") {
    CHECK(url_scheme("HTTPS://x/") == "https");
    CHECK(url_scheme("http://x") == "http");
    CHECK(url_scheme("ftp://x/") == "ftp");
    CHECK(url_scheme("x") == "");
}
