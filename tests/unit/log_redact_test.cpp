#include <doctest/doctest.h>

#include "log/log.h"

using namespace sluiced::log;

TEST_CASE("sensitive names (spec §10)") {
    CHECK(sensitive_name("Authorization"));
    CHECK(sensitive_name("proxy-authorization"));
    CHECK(sensitive_name("Cookie"));
    CHECK(sensitive_name("Set-Cookie"));
    CHECK(sensitive_name("X-Api-Key"));
    CHECK(sensitive_name("access_token"));
    CHECK(sensitive_name("client_secret"));
    CHECK(sensitive_name("PASSWORD"));
    CHECK(sensitive_name("X-Signature"));
    CHECK(sensitive_name("credentials"));
    CHECK(sensitive_name("sessionid"));
    CHECK(sensitive_name("X-Auth-User"));
    CHECK_FALSE(sensitive_name("Accept"));
    CHECK_FALSE(sensitive_name("limit"));
    CHECK_FALSE(sensitive_name("page"));
}

TEST_CASE("redact_url removes userinfo and sensitive query values") {
    CHECK(redact_url("https://user:pw@api.example.com/v1?x=1") == "https://api.example.com/v1?x=1");
    CHECK(redact_url("http://u@h:8080") == "http://h:8080");
    CHECK(redact_url("https://h/p?api_key=abc&limit=5&token=t#frag") == "https://h/p?api_key=***&limit=5&token=***#frag");
    CHECK(redact_url("/rel?page=2&session=zz") == "/rel?page=2&session=***");
    CHECK(redact_url("https://h/p") == "https://h/p");
    CHECK(redact_url("https://h/p?flag") == "https://h/p?flag");
}

TEST_CASE("redact_text redacts every URL inside a message") {
    CHECK(redact_text("GET https://a:b@h/x?key=1 failed: see http://u:p@o/ now") ==
          "GET https://h/x?key=*** failed: see http://o/ now");
    CHECK(redact_text("no url here") == "no url here");
}
