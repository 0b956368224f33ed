// CurlMulti on a real uv loop against the loopback test server.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "net/curl_multi.h"
#include "net_test_server.h"

using sluiced::net::CurlMulti;
using sluiced::testing::PyHttpServer;

namespace {

size_t append_body(char* d, size_t s, size_t n, void* p) {
    static_cast<std::string*>(p)->append(d, s * n);
    return s * n;
}

CURL* make_easy(const std::string& url, std::string* body) {
    CURL* e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &append_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    return e;
}

void close_and_check(uv_loop_t* loop, CurlMulti& multi) {
    bool closed = false;
    multi.close([&] { closed = true; });
    uv_run(loop, UV_RUN_DEFAULT);
    CHECK(closed);
    CHECK(uv_loop_close(loop) == 0);
}

}  // namespace

TEST_CASE("CurlMulti runs concurrent transfers and closes every uv handle") {
    PyHttpServer srv(R"({"/a": [{"body": "alpha"}], "/b": [{"body": "beta", "delay": 0.1}],
                         "/c": [{"status": 500, "body": "gamma"}]})");
    uv_loop_t loop;
    REQUIRE(uv_loop_init(&loop) == 0);
    {
        CurlMulti multi(&loop);
        std::map<std::string, std::string> bodies;
        std::map<std::string, int> calls;
        std::vector<CURL*> easies;
        for (std::string p : {"/a", "/b", "/c", "/a", "/b"}) {
            std::string key = p + std::to_string(easies.size());
            CURL* e = make_easy(srv.url(p), &bodies[key]);
            easies.push_back(e);
            CHECK(multi.add(e, [&, key](CURLcode rc) {
                CHECK(rc == CURLE_OK);
                ++calls[key];
            }));
        }
        CHECK(multi.active() == 5);
        // The same handle twice is refused.
        CHECK_FALSE(multi.add(easies[0], [](CURLcode) {}));
        uv_run(&loop, UV_RUN_DEFAULT);  // returns when nothing is pending
        CHECK(multi.active() == 0);
        CHECK(calls.size() == 5);
        for (auto& [k, n] : calls) CHECK(n == 1);
        CHECK(bodies["/a0"] == "alpha");
        CHECK(bodies["/b1"] == "beta");
        CHECK(bodies["/c2"] == "gamma");
        CHECK(bodies["/b4"] == "beta");
        for (CURL* e : easies) curl_easy_cleanup(e);
        close_and_check(&loop, multi);
    }
}

TEST_CASE("CurlMulti done may re-add the same easy handle") {
    PyHttpServer srv(R"({"/a": [{"body": "one"}, {"body": "two"}]})");
    uv_loop_t loop;
    REQUIRE(uv_loop_init(&loop) == 0);
    CurlMulti multi(&loop);
    std::string body;
    CURL* e = make_easy(srv.url("/a"), &body);
    int rounds = 0;
    std::function<void(CURLcode)> again = [&](CURLcode rc) {
        CHECK(rc == CURLE_OK);
        if (++rounds < 2) CHECK(multi.add(e, again));
    };
    CHECK(multi.add(e, again));
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK(rounds == 2);
    CHECK(body == "onetwo");
    curl_easy_cleanup(e);
    close_and_check(&loop, multi);
}

TEST_CASE("CurlMulti cancel drops the transfer without calling done") {
    PyHttpServer srv(R"({"/slow": [{"body": "late", "header_delay": 2}]})");
    uv_loop_t loop;
    REQUIRE(uv_loop_init(&loop) == 0);
    CurlMulti multi(&loop);
    std::string body;
    CURL* e = make_easy(srv.url("/slow"), &body);
    bool called = false;
    CHECK(multi.add(e, [&](CURLcode) { called = true; }));
    uv_timer_t t;
    uv_timer_init(&loop, &t);
    struct Ctx {
        CurlMulti* m;
        CURL* e;
    } ctx{&multi, e};
    t.data = &ctx;
    auto start = sluiced::testing::now_ms();
    uv_timer_start(
        &t,
        [](uv_timer_t* h) {
            auto* c = static_cast<Ctx*>(h->data);
            c->m->cancel(c->e);
            uv_close(reinterpret_cast<uv_handle_t*>(h), nullptr);
        },
        100, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_FALSE(called);
    CHECK(multi.active() == 0);
    CHECK(sluiced::testing::now_ms() - start < 1500);
    multi.cancel(e);  // unknown now: ignored
    curl_easy_cleanup(e);
    close_and_check(&loop, multi);
}

TEST_CASE("CurlMulti close with a transfer in flight") {
    PyHttpServer srv(R"({"/slow": [{"body": "late", "header_delay": 2}]})");
    uv_loop_t loop;
    REQUIRE(uv_loop_init(&loop) == 0);
    CurlMulti multi(&loop);
    std::string body;
    CURL* e = make_easy(srv.url("/slow"), &body);
    bool called = false;
    CHECK(multi.add(e, [&](CURLcode) { called = true; }));
    // Let the connection open and the request go out.
    for (int i = 0; i < 20; ++i) uv_run(&loop, UV_RUN_NOWAIT);
    bool closed = false;
    multi.close([&] { closed = true; });
    CHECK_FALSE(multi.add(e, [](CURLcode) {}));  // closing: refused
    multi.close([] { FAIL("second on_closed"); });  // no-op
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK(closed);
    CHECK_FALSE(called);
    curl_easy_cleanup(e);
    CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("CurlMulti close on an idle multi") {
    uv_loop_t loop;
    REQUIRE(uv_loop_init(&loop) == 0);
    CurlMulti multi(&loop);
    close_and_check(&loop, multi);
}
