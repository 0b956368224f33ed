// CurlTransport + fetch_with_retry on a real uv loop against the loopback
// test server (tests/e2e/http_server.py), one server for the whole file.
#include <doctest/doctest.h>
#include <fcntl.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "log/log.h"
#include "net/curl_global.h"
#include "net/curl_multi.h"
#include "net_test_server.h"
#include "source_loopback.h"
#include "source/curl_transport.h"
#include "source/fetch.h"
#include "source/request_builder.h"

using namespace sluiced;
using namespace sluiced::source;
using namespace sluiced::testing;

namespace {

std::string routes_json() {
    std::string big(20000, 'a');
    std::string ten_k(10000, 'b');
    std::ostringstream o;
    o << R"({
      "/r503": [{"status": 503}, {"status": 200, "body": "ok after 503"}],
      "/r503x": [{"status": 502}],
      "/r429": [{"status": 429, "headers": {"Retry-After": "0"}}, {"status": 200, "body": "ok after 429"}],
      "/r429cap": [{"status": 429, "headers": {"Retry-After": "5"}}, {"status": 200, "body": "capped"}],
      "/r404": [{"status": 404, "body": "nope"}],
      "/gzip": [{"body": ")" << big << R"(", "encoding": "gzip"}],
      "/deflate": [{"body": ")" << big << R"(", "encoding": "deflate"}],
      "/rawdeflate": [{"body": ")" << big << R"(", "encoding": "raw-deflate"}],
      "/br": [{"body_b64": "GxMFAAQch9e7++6LiFSD+FaN53TBoPUxAA==", "headers": {"Content-Encoding": "br"}}],
      "/big_gzip": [{"body": ")" << ten_k << R"(", "encoding": "gzip"}],
      "/exact": [{"body": "12345"}],
      "/ftp": [{"redirect": "ftp://127.0.0.1/file"}],
      "/ftp_cred": [{"redirect": "ftp://user:secret@127.0.0.1/file?token=abc"}],
      "/file": [{"redirect": "file:///etc/passwd", "status": 301}],
      "/loop": [{"redirect": "/loop"}],
      "/c1": [{"redirect": "/c2", "headers": {"X-First": "1"}}],
      "/c2": [{"redirect": "/c3", "status": 301}],
      "/c3": [{"redirect": "/c4", "status": 303}],
      "/c4": [{"redirect": "/c5", "status": 307}],
      "/c5": [{"redirect": "/final", "status": 308}],
      "/final": [{"body": "final", "headers": {"X-Final": "yes"}}],
      "/slow": [{"body": "late", "header_delay": 3}],
      "/slowbody": [{"body": "late", "delay": 3}],
      "/close": [{"close": true}, {"body": "recovered"}],
      "/closeall": [{"close": true}],
      "/truncate": [{"body": ")" << std::string(100, 'c') << R"(", "truncate": 10}],
      "/drip": [{"body": "abcdefghij", "drip": [3, 0.02], "chunked": true}],
      "/proxied": [{"body": "via proxy"}],
      "/echo": [{"status": 201, "body": "{}"}],
      "/headers": [{"headers": [["X-Multi", "a"], ["X-Multi", "b"], ["Content-Type", "text/plain"]], "body": "h"}]
    })";
    return o.str();
}

PyHttpServer& server() {
    // Keep request_retry events out of the test output (one test captures them).
    static bool quiet = (log::configure(log::Format::Json, log::Level::Error), true);
    (void)quiet;
    static PyHttpServer srv(routes_json());
    return srv;
}

// Captures what is written to fd 2 (the log) while alive.
class StderrCapture {
public:
    StderrCapture() {
        std::fflush(stderr);
        path_ = "/tmp/sluiced-stderr-" + std::to_string(getpid());
        saved_ = dup(2);
        int fd = open(path_.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
        dup2(fd, 2);
        ::close(fd);
    }
    std::string finish() {
        std::fflush(stderr);
        dup2(saved_, 2);
        ::close(saved_);
        std::ifstream f(path_);
        std::stringstream ss;
        ss << f.rdbuf();
        std::remove(path_.c_str());
        return ss.str();
    }

private:
    std::string path_;
    int saved_ = -1;
};

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("503 then 200: two attempts") {
    auto run = run_fetch(get(server().url("/r503")), fast_retry(3));
    CHECK(run.out.response.error == "");
    CHECK(run.out.attempts == 2);
    CHECK(run.out.retries == 1);
    CHECK(run.out.last_status == 200);
    CHECK(run.out.ok());
    CHECK(run.out.response.body == "ok after 503");
    CHECK(run.out.response.received_bytes == 12);
}

TEST_CASE("5xx every time: attempts exhausted, last status kept") {
    auto run = run_fetch(get(server().url("/r503x")), fast_retry(3));
    CHECK(run.out.response.error == "");
    CHECK(run.out.attempts == 3);
    CHECK(run.out.last_status == 502);
    CHECK_FALSE(run.out.ok());
}

TEST_CASE("429 with Retry-After: 0 replaces a long backoff") {
    config::Retry retry;
    retry.attempts = 3;
    retry.backoff_ms = 20000;
    retry.max_backoff_ms = 30000;
    auto run = run_fetch(get(server().url("/r429")), retry);
    CHECK(run.out.attempts == 2);
    CHECK(run.out.last_status == 200);
    CHECK(run.out.response.body == "ok after 429");
    CHECK(run.elapsed_ms < 3000);
}

TEST_CASE("Retry-After is capped at max_backoff") {
    config::Retry retry;
    retry.attempts = 2;
    retry.backoff_ms = 10;
    retry.max_backoff_ms = 200;
    auto run = run_fetch(get(server().url("/r429cap")), retry);
    CHECK(run.out.attempts == 2);
    CHECK(run.out.response.body == "capped");
    CHECK(run.elapsed_ms >= 190);
    CHECK(run.elapsed_ms < 3000);
}

TEST_CASE("404 is not retried") {
    auto run = run_fetch(get(server().url("/r404")), fast_retry(3));
    CHECK(run.out.attempts == 1);
    CHECK(run.out.last_status == 404);
    CHECK(run.out.response.error == "");
    CHECK(run.out.response.body == "nope");
}

TEST_CASE("compressed bodies are decoded: gzip, deflate zlib-wrapped and raw") {
    for (const char* path : {"/gzip", "/deflate", "/rawdeflate"}) {
        CAPTURE(path);
        auto run = run_fetch(get(server().url(path)), fast_retry(1));
        CHECK(run.out.response.error == "");
        CHECK(run.out.last_status == 200);
        CHECK(run.out.response.body == std::string(20000, 'a'));
        CHECK(run.out.response.received_bytes == 20000);
        REQUIRE(run.out.response.header("content-encoding"));
    }
}

TEST_CASE("brotli bodies are decoded when libcurl has brotli") {
    if (!(curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_BROTLI)) return;
    // "hello brotli " x 100, compressed with libbrotlienc (quality 5).
    auto run = run_fetch(get(server().url("/br")), fast_retry(1));
    CHECK(run.out.response.error == "");
    std::string want;
    for (int i = 0; i < 100; ++i) want += "hello brotli ";
    CHECK(run.out.response.body == want);
    CHECK(run.out.response.received_bytes == 1300);
}

TEST_CASE("max_body counts decoded bytes and is not retried") {
    Request req = get(server().url("/big_gzip"));
    req.max_body = 5000;  // the gzip body is ~50 bytes on the wire, 10000 decoded
    auto run = run_fetch(req, fast_retry(3));
    CHECK(run.out.response.error == "response body exceeds max_body (5000 bytes)");
    CHECK_FALSE(run.out.response.retryable);
    CHECK(run.out.attempts == 1);
    CHECK(run.out.response.body.empty());

    Request exact = get(server().url("/exact"));
    exact.max_body = 5;  // exactly max_body is fine
    auto ok = run_fetch(exact, fast_retry(1));
    CHECK(ok.out.response.error == "");
    CHECK(ok.out.response.body == "12345");
    exact.max_body = 4;
    auto over = run_fetch(exact, fast_retry(1));
    CHECK(over.out.response.error == "response body exceeds max_body (4 bytes)");
}

TEST_CASE("redirects to non-http(s) URLs are refused, credentials not shown") {
    auto run = run_fetch(get(server().url("/ftp")), fast_retry(3));
    CHECK(run.out.response.error == "redirect to a non-http(s) URL refused: ftp://127.0.0.1/file");
    CHECK_FALSE(run.out.response.retryable);
    CHECK(run.out.attempts == 1);

    auto cred = run_fetch(get(server().url("/ftp_cred")), fast_retry(1));
    CHECK(cred.out.response.error == "redirect to a non-http(s) URL refused: ftp://127.0.0.1/file?token=***");

    auto file = run_fetch(get(server().url("/file")), fast_retry(1));
    CHECK(file.out.response.error == "redirect to a non-http(s) URL refused: file:///etc/passwd");
}

TEST_CASE("redirects: 5 are followed, the 6th is too many") {
    auto run = run_fetch(get(server().url("/c1")), fast_retry(1));
    CHECK(run.out.response.error == "");
    CHECK(run.out.last_status == 200);
    CHECK(run.out.response.body == "final");
    CHECK(run.out.response.effective_url == server().url("/final"));
    // Headers of the final response only.
    CHECK(run.out.response.header("X-Final"));
    CHECK_FALSE(run.out.response.header("X-First"));
    CHECK_FALSE(run.out.response.header("Location"));

    auto loop = run_fetch(get(server().url("/loop")), fast_retry(3));
    CHECK(loop.out.response.error == "too many redirects (max 5)");
    CHECK_FALSE(loop.out.response.retryable);
    CHECK(loop.out.attempts == 1);
}

TEST_CASE("connection refused is retried, then fails") {
    std::string url = "http://127.0.0.1:" + std::to_string(sluiced::testing::closed_port()) + "/x";
    auto run = run_fetch(get(url), fast_retry(3));
    CHECK(run.out.response.error == "connection refused");
    CHECK(run.out.response.retryable);
    CHECK(run.out.attempts == 3);
    CHECK(run.out.retries == 2);
    CHECK(run.out.last_status == 0);
}

TEST_CASE("request_retry events: fields, no credentials") {
    std::string url = "http://user:hunter2@127.0.0.1:" + std::to_string(sluiced::testing::closed_port()) +
                      "/x?api_key=k3y&page=1";
    log::configure(log::Format::Json, log::Level::Info);
    StderrCapture cap;
    auto run = run_fetch(get(url), fast_retry(2));
    std::string logged = cap.finish();
    log::configure(log::Format::Json, log::Level::Error);
    CHECK(run.out.attempts == 2);
    CHECK(count(logged, "\"event\":\"request_retry\"") == 1);
    CHECK(count(logged, "\"pipeline\":\"test\"") == 1);
    CHECK(count(logged, "\"attempt\":1") == 1);
    CHECK(count(logged, "\"wait_ms\":") == 1);
    CHECK(count(logged, "\"error\":\"connection refused\"") == 1);
    CHECK(count(logged, "api_key=***") == 1);
    CHECK(logged.find("hunter2") == std::string::npos);
    CHECK(logged.find("k3y") == std::string::npos);
    CHECK(logged.find("\"level\":\"warn\"") != std::string::npos);
}

TEST_CASE("timeouts are retried; the error names the timeout") {
    Request req = get(server().url("/slow"));
    req.timeout_ms = 300;
    auto run = run_fetch(req, fast_retry(2));
    CHECK(run.out.response.error == "timed out after 300 ms");
    CHECK(run.out.response.retryable);
    CHECK(run.out.attempts == 2);
    CHECK(run.elapsed_ms >= 590);
    CHECK(run.elapsed_ms < 2500);

    Request body = get(server().url("/slowbody"));
    body.timeout_ms = 300;
    auto run2 = run_fetch(body, fast_retry(1));
    CHECK(run2.out.response.error == "timed out after 300 ms");
    CHECK(run2.out.last_status == 200);  // the status line had arrived
}

TEST_CASE("a connection closed without a response is retried") {
    auto run = run_fetch(get(server().url("/close")), fast_retry(3));
    CHECK(run.out.attempts == 2);
    CHECK(run.out.response.body == "recovered");

    auto all = run_fetch(get(server().url("/closeall")), fast_retry(2));
    CHECK(all.out.response.error == "server closed the connection without a response");
    CHECK(all.out.attempts == 2);
}

TEST_CASE("a truncated body is retryable") {
    auto run = run_fetch(get(server().url("/truncate")), fast_retry(1));
    CHECK(run.out.response.error == "response body incomplete: transfer closed with 90 bytes remaining to read");
    CHECK(run.out.response.retryable);
}

TEST_CASE("a dripped chunked body arrives whole; repeated headers are kept") {
    auto run = run_fetch(get(server().url("/drip")), fast_retry(1));
    CHECK(run.out.response.error == "");
    CHECK(run.out.response.body == "abcdefghij");

    auto h = run_fetch(get(server().url("/headers")), fast_retry(1));
    int multi = 0;
    for (const auto& [k, v] : h.out.response.headers)
        if (k == "X-Multi") ++multi;
    CHECK(multi == 2);
    REQUIRE(h.out.response.header("x-multi"));
    CHECK(*h.out.response.header("x-multi") == "a");
    REQUIRE(h.out.response.header("content-type"));
    CHECK(*h.out.response.header("content-type") == "text/plain");
}

TEST_CASE("what goes on the wire: method, query, headers, body, auth") {
    config::HttpSource src;
    src.url = server().url("/echo");
    src.method = "POST";
    src.body = R"({"q":"x y"})";
    src.auth.kind = config::Auth::Kind::Bearer;
    src.auth.bearer = "tok";
    std::string err;
    Request req = build_request(src, {{"X-Empty", ""}, {"Accept", "application/json"}},
                                {{"q", "a b&c"}, {"u", "é"}}, err);
    REQUIRE(err == "");
    auto run = run_fetch(req, fast_retry(1));
    CHECK(run.out.last_status == 201);

    config::HttpSource put = src;
    put.url = server().url("/echo");
    put.method = "PUT";
    put.auth.kind = config::Auth::Kind::Basic;
    put.auth.user = "alice";
    put.auth.password = "s3cret";
    Request preq = build_request(put, {{"Content-Type", "text/plain"}}, {}, err);
    auto prun = run_fetch(preq, fast_retry(1));
    CHECK(prun.out.last_status == 201);

    // URL userinfo is basic auth.
    std::string with_user = server().url("/echo?who=userinfo");
    with_user.insert(std::string("http://").size(), "bob:pa%3Ass@");
    auto urun = run_fetch(get(with_user), fast_retry(1));
    CHECK(urun.out.last_status == 201);

    std::string rec = server().requests_json();
    CHECK(rec.find(R"(["Authorization", "Basic Ym9iOnBhOnNz"])") != std::string::npos);
    CHECK(rec.find(R"("method": "POST", "path": "/echo?q=a+b%26c&u=%C3%A9")") != std::string::npos);
    CHECK(rec.find(R"(["Authorization", "Bearer tok"])") != std::string::npos);
    CHECK(rec.find(R"(["X-Empty", ""])") != std::string::npos);
    CHECK(rec.find(R"(["Content-Type", "application/json"])") != std::string::npos);
    CHECK(rec.find(R"("body": "{\"q\":\"x y\"}")") != std::string::npos);
    CHECK(rec.find(R"(["User-Agent", "sluiced/)") != std::string::npos);
    CHECK(rec.find(R"("Accept-Encoding", ")") != std::string::npos);
    CHECK(rec.find("Expect") == std::string::npos);
    CHECK(rec.find(R"("method": "PUT", "path": "/echo")") != std::string::npos);
    CHECK(rec.find(R"(["Authorization", "Basic YWxpY2U6czNjcmV0"])") != std::string::npos);
    CHECK(rec.find(R"(["Content-Type", "text/plain"])") != std::string::npos);
}

TEST_CASE("non-http(s) and malformed URLs fail at once") {
    auto ftp = run_fetch(get("ftp://127.0.0.1/x"), fast_retry(3));
    CHECK(ftp.out.response.error == "unsupported protocol: protocol \"ftp\" not supported or disabled in libcurl");
    CHECK_FALSE(ftp.out.response.retryable);
    CHECK(ftp.out.attempts == 1);
    auto bad = run_fetch(get("http://user:pw@bad host/"), fast_retry(3));
    CHECK(bad.out.response.error == "malformed URL: URL using bad/illegal format or missing URL");
    CHECK(bad.out.response.error.find("pw") == std::string::npos);
    CHECK(bad.out.attempts == 1);
}

TEST_CASE("invalid header text fails without sending") {
    Request req = get(server().url("/echo"));
    req.headers = {{"X-Bad", "a\r\nInjected: 1"}};
    auto run = run_fetch(req, fast_retry(3));
    CHECK(run.out.response.error == "invalid request header \"X-Bad\"");
    CHECK(run.out.attempts == 1);
}

TEST_CASE("CurlTransport cancel_all drops requests and waits; loop closes") {
    uv_loop_t loop;
    REQUIRE(uv_loop_init(&loop) == 0);
    {
        net::CurlMulti multi(&loop);
        bool called = false;
        {
            CurlTransport t(multi);
            t.send(get(server().url("/slow")), [&](Response) { called = true; });
            t.wait(10000, [&] { called = true; });
            for (int i = 0; i < 10; ++i) uv_run(&loop, UV_RUN_NOWAIT);
            CHECK(t.in_flight() == 2);
        }  // destructor cancels
        bool closed = false;
        multi.close([&] { closed = true; });
        uv_run(&loop, UV_RUN_DEFAULT);
        CHECK(closed);
        CHECK_FALSE(called);
    }
    CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("http_proxy from the environment is honoured") {
    std::string proxy = server().url("");
    setenv("http_proxy", proxy.c_str(), 1);
    auto run = run_fetch(get("http://proxied.invalid/proxied?x=1"), fast_retry(1));
    unsetenv("http_proxy");
    CHECK(run.out.response.error == "");
    CHECK(run.out.response.body == "via proxy");
    CHECK(server().requests_json().find(R"("path": "http://proxied.invalid/proxied?x=1")") != std::string::npos);
}

namespace {

// The recorded request whose path is `path`, as the server's JSON text of
// that one request ("" when there is none).
std::string recorded(const std::string& all, const std::string& path) {
    const std::string marker = R"({"method": )";
    auto at = all.find(R"("path": ")" + path + "\"");
    if (at == std::string::npos) return "";
    auto begin = all.rfind(marker, at);
    auto end = all.find(marker, at);
    return all.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

}  // namespace

TEST_CASE("reused easy handles send only their own request's method, headers, body and auth") {
    std::ostringstream routes;
    routes << R"({"/big": [{"body": ")" << std::string(100000, 'z') << R"("}])";
    for (int i = 1; i <= 9; ++i) routes << R"(, "/reuse/)" << i << R"(": [{"body": "b)" << i << R"("}])";
    routes << "}";
    PyHttpServer srv(routes.str());

    uv_loop_t loop;
    REQUIRE(uv_loop_init(&loop) == 0);
    {
        net::CurlMulti multi(&loop);
        {
            CurlTransport t(multi);
            // One request at a time on one transport: each takes the handle
            // the previous one gave back.
            auto send = [&](Request req) {
                Response got;
                bool done = false;
                t.send(req, [&](Response r) {
                    got = std::move(r);
                    done = true;
                });
                while (!done && uv_run(&loop, UV_RUN_ONCE)) {
                }
                REQUIRE(done);
                return got;
            };
            auto path = [&](int i) { return "/reuse/" + std::to_string(i); };

            Request post = get(srv.url(path(1)));
            post.method = "POST";
            post.body = "first body";
            post.has_body = true;
            post.headers = {{"X-One", "1"}, {"Authorization", "Bearer tok1"}, {"Content-Type", "text/x-one"}};
            CHECK(send(post).body == "b1");
            CHECK(t.idle_handles() == 1);

            CHECK(send(get(srv.url(path(2)))).body == "b2");
            CHECK(t.idle_handles() == 1);  // the same handle again

            Request put = get(srv.url(path(3)));
            put.method = "PUT";
            put.body = "third";
            put.has_body = true;
            put.basic = true;
            put.basic_user = "alice";
            put.basic_password = "s3cret";
            put.headers = {{"X-Three", "3"}};
            CHECK(send(put).body == "b3");

            CHECK(send(get(srv.url(path(4)))).body == "b4");

            Request head = get(srv.url(path(5)));
            head.method = "HEAD";
            Response hr = send(head);
            CHECK(hr.status == 200);
            CHECK(hr.body == "");

            CHECK(send(get(srv.url(path(6)))).body == "b6");  // a body again after HEAD

            Request del = get(srv.url(path(7)));
            del.method = "DELETE";
            del.headers = {{"X-Seven", ""}};
            CHECK(send(del).body == "b7");

            Request plain = get(srv.url(path(8)));
            plain.headers = {{"Accept", "application/json"}};
            CHECK(send(plain).body == "b8");
            CHECK(t.idle_handles() == 1);

            // A transfer that received much is not pooled; a failed one neither.
            CHECK(send(get(srv.url("/big"))).body.size() == 100000);
            CHECK(t.idle_handles() == 0);
            CHECK(send(get(srv.url(path(9)))).body == "b9");
            CHECK(t.idle_handles() == 1);
            Request refused = get("http://127.0.0.1:" + std::to_string(closed_port()) + "/x");
            CHECK(send(refused).error != "");
            CHECK(t.idle_handles() == 0);

            // Receive buffers are kept between transfers (net/curl_global.h),
            // their tail released: a big body through a reused one is whole.
            if (net::curl_memory_hooked()) {
                CHECK(net::cached_curl_receive_buffers() >= 1);
                CHECK(send(get(srv.url("/big"))).body == std::string(100000, 'z'));
                CHECK(net::cached_curl_receive_buffers() >= 1);
            } else {
                MESSAGE("libcurl was initialised before sluiced's memory functions: buffer cache not checked");
            }
        }
        bool closed = false;
        multi.close([&] { closed = true; });
        uv_run(&loop, UV_RUN_DEFAULT);
        CHECK(closed);
    }
    CHECK(uv_loop_close(&loop) == 0);

    const std::string all = srv.requests_json();
    auto r = [&](int i) { return recorded(all, "/reuse/" + std::to_string(i)); };
    for (int i = 1; i <= 9; ++i) REQUIRE_MESSAGE(r(i) != "", "request " << i << " not recorded");

    CHECK(r(1).find(R"("method": "POST")") != std::string::npos);
    CHECK(r(1).find(R"(["X-One", "1"])") != std::string::npos);
    CHECK(r(1).find(R"(["Authorization", "Bearer tok1"])") != std::string::npos);
    CHECK(r(1).find(R"("body": "first body")") != std::string::npos);

    for (int i : {2, 4, 6, 8, 9}) {
        INFO("request " << i << ": " << r(i));
        CHECK(r(i).find(R"("method": "GET")") != std::string::npos);
        CHECK(r(i).find("Authorization") == std::string::npos);
        CHECK(r(i).find("X-One") == std::string::npos);
        CHECK(r(i).find("X-Three") == std::string::npos);
        CHECK(r(i).find("X-Seven") == std::string::npos);
        CHECK(r(i).find("Content-Type") == std::string::npos);
        CHECK(r(i).find("Content-Length") == std::string::npos);
        CHECK(r(i).find(R"("body": "")") != std::string::npos);
        CHECK(r(i).find(R"(["User-Agent", "sluiced/)") != std::string::npos);
        CHECK(r(i).find(R"("Accept-Encoding", ")") != std::string::npos);
        CHECK(r(i).find("Expect") == std::string::npos);
    }
    CHECK(r(8).find(R"(["Accept", "application/json"])") != std::string::npos);
    CHECK(r(2).find(R"(["Accept", "*/*"])") != std::string::npos);

    CHECK(r(3).find(R"("method": "PUT")") != std::string::npos);
    CHECK(r(3).find(R"(["Authorization", "Basic YWxpY2U6czNjcmV0"])") != std::string::npos);
    CHECK(r(3).find(R"(["X-Three", "3"])") != std::string::npos);
    CHECK(r(3).find("X-One") == std::string::npos);
    CHECK(r(3).find("Bearer") == std::string::npos);
    CHECK(r(3).find(R"("body": "third")") != std::string::npos);

    CHECK(r(5).find(R"("method": "HEAD")") != std::string::npos);
    CHECK(r(5).find("Authorization") == std::string::npos);

    CHECK(r(7).find(R"("method": "DELETE")") != std::string::npos);
    CHECK(r(7).find(R"(["X-Seven", ""])") != std::string::npos);
    CHECK(r(7).find("Authorization") == std::string::npos);
    CHECK(r(7).find(R"("body": "")") != std::string::npos);
}
