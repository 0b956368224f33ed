// run::stream_page (issue 6): a page split over two threads gives exactly
// what one thread gives (records, output, dead letters, record errors,
// verdict and error text), whatever the guessed separator hits: a real
// separator, a "},{" inside a string, or an invalid tail.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <thread>

#include "config_helpers.h"
#include "run/batch_builder.h"
#include "run/page_stream.h"
#include "stage/stage.h"

using namespace sluiced;

namespace {

struct Fixture {
    config::Pipeline pipeline;
    std::unique_ptr<stage::Chain> chain;
    explicit Fixture(const std::string& on_error, const std::string& format = "json") {
        auto r = cfgtest::load_text(
            "pipelines:\n"
            "  p:\n"
            "    source:\n"
            "      http:\n"
            "        url: https://api.example.com/x\n"
            "        format: " + format + "\n"
            "    schedule: { every: 1m }\n"
            "    on_error: " + on_error + "\n"
            "    stages:\n"
            "      - filter: '.keep != false'\n"
            "      - map: { id: .id, n: to_number(.a), s: .s }\n"
            "    sink: { stdout: {} }\n"
            "    dead_letter: { stdout: {} }\n");
        REQUIRE_MESSAGE(r.ok, r.all());
        pipeline = r.cfg.pipelines.at(0);
        chain = std::make_unique<stage::Chain>(pipeline.stages);
    }
};

struct Snapshot {
    run::PageOutcome o;
    std::string batch, dead_letters, errors, stop_error;
    std::uint64_t out = 0, failed = 0, dead_lettered = 0;
    bool stopped = false;
};

Snapshot stream(const Fixture& f, const std::string& body, std::size_t split_bytes, bool stop_first = false) {
    run::BatchBuilder b(*f.chain, f.pipeline, 1e9, true, true);
    if (stop_first) b.take(json::Value::null());  // `null` fails to_number: with on_error fail, stops
    Snapshot s;
    s.o = run::stream_page(body, f.pipeline.source, b, split_bytes);
    s.batch = b.take_output();
    s.dead_letters = b.dead_letters;
    for (const auto& e : b.errors) s.errors += std::to_string(e.index_or_line) + (e.is_line ? "L " : " ") + e.error + "\n";
    s.out = b.out;
    s.failed = b.failed;
    s.dead_lettered = b.dead_lettered;
    s.stopped = b.stopped;
    s.stop_error = b.stop_error;
    return s;
}

void same(const Fixture& f, const std::string& body, bool stop_first = false) {
    Snapshot one = stream(f, body, 0, stop_first);
    Snapshot two = stream(f, body, 1, stop_first);  // split whenever the page is not empty
    CAPTURE(body);
    CHECK(two.o.ok == one.o.ok);
    CHECK(two.o.error == one.o.error);
    CHECK(two.o.records == one.o.records);
    CHECK(two.stopped == one.stopped);
    CHECK(two.stop_error == one.stop_error);
    CHECK(two.failed == one.failed);
    // Also for a stopped or failed page (whose batch the run then drops).
    CHECK(two.batch == one.batch);
    CHECK(two.dead_letters == one.dead_letters);
    CHECK(two.errors == one.errors);
    CHECK(two.out == one.out);
    CHECK(two.dead_lettered == one.dead_lettered);
}

// A JSON array of n records; every 7th fails to_number, every 5th is
// filtered out, and strings hold "},{" to mislead the separator guess.
std::string records(int n, const char* ws = "", bool tricky = true) {
    std::string s = "[";
    for (int i = 0; i < n; ++i) {
        if (i) s += std::string(ws) + "," + ws;
        s += "{\"id\":" + std::to_string(i) + ",\"a\":" + (i % 7 == 3 ? "\"x\"" : "\"" + std::to_string(i) + "\"") +
             (tricky ? ",\"s\":\"q},{\\\"r\\\":1}\"" : ",\"s\":\"q\"") + (i % 5 == 4 ? ",\"keep\":false" : "") + ",\"o\":{\"k\":[1,{\"z\":2}]}}";
    }
    return s + "]";
}

}  // namespace

TEST_CASE("a split JSON page gives what one thread gives") {
    Fixture drop("drop"), fail("fail");
    for (const char* ws : {"", " ", "\n  "}) {
        for (bool tricky : {true, false}) {
            std::string body = records(300, ws, tricky);
            same(drop, body);
            same(fail, body);
            same(drop, body, true);
            same(fail, body, true);
        }
        Snapshot s = stream(drop, records(300, ws, false), 1);
        CHECK(s.o.ok);
        CHECK(s.o.records == 300);
        CHECK(s.failed == 35);  // i % 7 == 3 and not filtered out (i % 5 != 4), i < 300
        if (std::thread::hardware_concurrency() > 1) CHECK(s.o.threads == 2);
    }
    same(drop, "[]");
    same(drop, "[{\"id\":1,\"a\":\"1\"}]");
    same(drop, "[{},{}]");
    same(drop, "[1,2,3,4]");  // no "},{": not split
    same(drop, "{\"id\":1,\"a\":\"2\"}");
}

TEST_CASE("a split JSON page finds the same first error") {
    Fixture drop("drop"), fail("fail");
    std::string good = records(200);
    std::mt19937 rng(42);
    for (int k = 0; k < 150; ++k) {
        std::string body = good;
        std::size_t at = rng() % body.size();
        switch (k % 5) {
            case 0: body.resize(at); break;                    // truncated
            case 1: body[at] = ','; break;                     // stray comma
            case 2: body[at] = '\x01'; break;                  // control character
            case 3: body.insert(at, "\xFF"); break;            // invalid UTF-8
            case 4: body.insert(body.size() - 1, ",]"); break;  // invalid tail
        }
        same(drop, body);
        same(fail, body);
    }
    Snapshot s = stream(drop, good.substr(0, good.size() - 1) + " x", 1);
    CHECK(!s.o.ok);
    CHECK(s.o.error == "response is not valid JSON: invalid JSON at byte " + std::to_string(good.size()) +
                           ": expected ',' or ']'");
}

TEST_CASE("a split NDJSON page numbers its lines on") {
    Fixture drop("drop", "ndjson"), fail("fail", "ndjson");
    std::string body;
    for (int i = 0; i < 400; ++i) {
        if (i % 11 == 5) body += "not json\n";
        else if (i % 13 == 0) body += "  \r\n";
        else body += "{\"id\":" + std::to_string(i) + ",\"a\":\"" + (i % 9 == 2 ? "x" : std::to_string(i)) + "\"}\r\n";
    }
    same(drop, body);
    same(fail, body);
    same(drop, body, true);
    Snapshot s = stream(drop, body, 1);
    CHECK(s.dead_letters.find("\"line\":391,") != std::string::npos);  // i = 390: 390 % 11 == 5
    if (std::thread::hardware_concurrency() > 1) CHECK(s.o.threads == 2);
    same(drop, "{\"a\":\"1\"}");  // no newline: not split
    same(drop, "{\"a\":\"1\"}\n{\"a\":\"2\"}");
}
