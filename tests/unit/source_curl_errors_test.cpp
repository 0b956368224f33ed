#include <doctest/doctest.h>

#include <cerrno>

#include "source/curl_errors.h"

using namespace sluiced::source;

TEST_CASE("describe_curl_failure: texts and retryability") {
    CurlFailure f;
    f.timeout_ms = 2000;
    f.connect_timeout_ms = 1000;

    f.code = CURLE_COULDNT_CONNECT;
    f.os_errno = ECONNREFUSED;
    auto e = describe_curl_failure(f);
    CHECK(e.text == "connection refused");
    CHECK(e.retryable);

    f.os_errno = EHOSTUNREACH;
    f.error_buffer = "Failed to connect to 10.0.0.1 port 80 after 3 ms: Couldn't connect to server";
    e = describe_curl_failure(f);
    CHECK(e.text == "could not connect: failed to connect to 10.0.0.1 port 80 after 3 ms: Couldn't connect to server");
    CHECK(e.retryable);

    f.code = CURLE_COULDNT_RESOLVE_HOST;
    f.error_buffer = "Could not resolve host: nope.invalid";
    e = describe_curl_failure(f);
    CHECK(e.text == "could not resolve host: nope.invalid");
    CHECK(e.retryable);

    f.code = CURLE_OPERATION_TIMEDOUT;
    f.connected = true;
    CHECK(describe_curl_failure(f).text == "timed out after 2000 ms");
    f.connected = false;
    CHECK(describe_curl_failure(f).text == "connect timed out after 1000 ms");
    CHECK(describe_curl_failure(f).retryable);

    f.code = CURLE_TOO_MANY_REDIRECTS;
    e = describe_curl_failure(f);
    CHECK(e.text == "too many redirects (max 5)");
    CHECK_FALSE(e.retryable);

    f.code = CURLE_UNSUPPORTED_PROTOCOL;
    f.redirect_count = 1;
    f.redirect_target = "ftp://user:secret@files.example.com/x?token=abc";
    e = describe_curl_failure(f);
    CHECK(e.text == "redirect to a non-http(s) URL refused: ftp://files.example.com/x?token=***");
    CHECK_FALSE(e.retryable);

    f.code = CURLE_PEER_FAILED_VERIFICATION;
    f.error_buffer = "SSL certificate problem: self-signed certificate";
    e = describe_curl_failure(f);
    CHECK(e.text == "TLS certificate verification failed: SSL certificate problem: self-signed certificate");
    CHECK_FALSE(e.retryable);

    f.code = CURLE_WRITE_ERROR;
    f.body_too_large = true;
    f.max_body = 5000;
    e = describe_curl_failure(f);
    CHECK(e.text == "response body exceeds max_body (5000 bytes)");
    CHECK_FALSE(e.retryable);
    f.body_too_large = false;

    f.code = CURLE_GOT_NOTHING;
    CHECK(describe_curl_failure(f).text == "server closed the connection without a response");
    CHECK(describe_curl_failure(f).retryable);

    for (CURLcode c : {CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE}) {
        f.code = c;
        CHECK(describe_curl_failure(f).retryable);
    }

    // Error texts never carry credentials of URLs in curl's message.
    f.code = CURLE_URL_MALFORMAT;
    f.error_buffer = "Bad URL https://me:pw@h/x?api_key=1";
    e = describe_curl_failure(f);
    CHECK(e.text == "malformed URL: bad URL https://h/x?api_key=***");
    CHECK_FALSE(e.retryable);

    f.code = CURLE_SSL_CONNECT_ERROR;
    f.error_buffer = "";
    e = describe_curl_failure(f);
    CHECK(e.text.find("TLS handshake failed: ") == 0);
    CHECK_FALSE(e.retryable);

    // libcurl < 8.6: a response header past its limit is "out of memory".
    f.code = CURLE_OUT_OF_MEMORY;
    f.connected = true;
    e = describe_curl_failure(f);
    CHECK(e.text == "response headers too large or out of memory: out of memory");
    CHECK_FALSE(e.retryable);
    f.connected = false;
    CHECK(describe_curl_failure(f).text == "out of memory");
}
