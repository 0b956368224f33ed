#include <doctest/doctest.h>

#include "daemon/metrics.h"
#include "daemon/metrics_server.h"
#include "daemon/pipeline_metrics.h"
#include "run/run.h"

using namespace sluiced::daemon;

TEST_CASE("registry renders HELP, TYPE and series in the text format") {
    Registry r;
    r.declare("x_total", MetricType::Counter, "Things.\nMore", {"pipeline"});
    r.declare("g", MetricType::Gauge, "A gauge.");
    r.add("x_total", {"b"}, 2);
    r.add("x_total", {"a\"q"}, 1.5);
    r.set("g", {}, 3);
    CHECK(r.render() ==
          "# HELP x_total Things.\\nMore\n# TYPE x_total counter\n"
          "x_total{pipeline=\"a\\\"q\"} 1.5\nx_total{pipeline=\"b\"} 2\n"
          "# HELP g A gauge.\n# TYPE g gauge\ng 3\n");
}

TEST_CASE("histograms are cumulative with _sum and _count") {
    Registry r;
    r.declare("d_seconds", MetricType::Histogram, "Durations.", {"pipeline"}, {0.1, 1});
    r.touch("d_seconds", {"p"});
    CHECK(r.render().find("d_seconds_bucket{pipeline=\"p\",le=\"+Inf\"} 0\n") != std::string::npos);
    r.observe("d_seconds", {"p"}, 0.05);
    r.observe("d_seconds", {"p"}, 0.5);
    r.observe("d_seconds", {"p"}, 7);
    std::string t = r.render();
    CHECK(t.find("d_seconds_bucket{pipeline=\"p\",le=\"0.1\"} 1\n") != std::string::npos);
    CHECK(t.find("d_seconds_bucket{pipeline=\"p\",le=\"1\"} 2\n") != std::string::npos);
    CHECK(t.find("d_seconds_bucket{pipeline=\"p\",le=\"+Inf\"} 3\n") != std::string::npos);
    CHECK(t.find("d_seconds_sum{pipeline=\"p\"} 7.55\n") != std::string::npos);
    CHECK(t.find("d_seconds_count{pipeline=\"p\"} 3\n") != std::string::npos);
}

TEST_CASE("format_value") {
    CHECK(format_value(0) == "0");
    CHECK(format_value(12) == "12");
    CHECK(format_value(0.25) == "0.25");
    CHECK(format_value(1.0 / 0.0) == "+Inf");
    CHECK(format_value(1714564803.412) == "1714564803.412");
}

TEST_CASE("pipeline series are created at 0 and dropped on removal") {
    PipelineMetrics m;
    m.add_pipeline("orders");
    m.add_pipeline("users");
    const Registry& r = m.registry();
    CHECK(r.has("sluiced_runs_total", {"orders", "success"}));
    CHECK(r.has("sluiced_runs_total", {"orders", "failure"}));
    CHECK(r.has("sluiced_sink_written_bytes_total", {"orders"}));
    CHECK(r.has("sluiced_run_duration_seconds", {"orders"}));
    sluiced::run::Report rep;
    rep.ok = true;
    rep.records_in = 5;
    rep.records_out = 4;
    rep.records_failed = 1;
    rep.bytes = 100;
    rep.pages = 2;
    rep.retries = 1;
    rep.duration_ms = 250;
    rep.responses_by_code = {{503, 1}, {200, 2}};
    m.run_started("orders");
    CHECK(r.value("sluiced_runs_in_progress", {"orders"}) == 1);
    m.run_finished("orders", rep, 1000);
    CHECK(r.value("sluiced_runs_in_progress", {"orders"}) == 0);
    CHECK(r.value("sluiced_runs_total", {"orders", "success"}) == 1);
    CHECK(r.value("sluiced_records_received_total", {"orders"}) == 5);
    CHECK(r.value("sluiced_records_sent_total", {"orders"}) == 4);
    CHECK(r.value("sluiced_records_failed_total", {"orders"}) == 1);
    CHECK(r.value("sluiced_source_received_bytes_total", {"orders"}) == 100);
    CHECK(r.value("sluiced_source_pages_total", {"orders"}) == 2);
    CHECK(r.value("sluiced_http_client_retries_total", {"orders"}) == 1);
    CHECK(r.value("sluiced_http_client_responses_total", {"orders", "503"}) == 1);
    CHECK(r.value("sluiced_http_client_responses_total", {"orders", "200"}) == 2);
    CHECK(r.value("sluiced_last_success_timestamp_seconds", {"orders"}) == 1000);
    CHECK(r.value("sluiced_run_duration_seconds", {"orders"}) == 1);  // count
    rep.ok = false;
    m.run_finished("orders", rep, 2000);
    CHECK(r.value("sluiced_runs_total", {"orders", "failure"}) == 1);
    CHECK(r.value("sluiced_last_success_timestamp_seconds", {"orders"}) == 1000);
    m.remove_pipeline("orders");
    CHECK_FALSE(r.has("sluiced_runs_total", {"orders", "success"}));
    CHECK_FALSE(r.has("sluiced_http_client_responses_total", {"orders", "200"}));
    CHECK(r.has("sluiced_runs_total", {"users", "success"}));
    CHECK(m.render().find("orders") == std::string::npos);
}

TEST_CASE("pipeline series after removal and re-adding; skips, next run, histogram buckets") {
    PipelineMetrics m;
    const Registry& r = m.registry();
    sluiced::run::Report rep;
    rep.ok = true;
    rep.records_out = 3;
    rep.duration_ms = 300;  // bucket le=0.5
    m.add_pipeline("a");
    m.add_pipeline("b");
    m.run_finished("a", rep, 10);
    m.run_skipped("a");
    m.next_run("a", 42);
    CHECK(r.value("sluiced_records_sent_total", {"a"}) == 3);
    CHECK(r.value("sluiced_runs_skipped_total", {"a"}) == 1);
    CHECK(r.value("sluiced_next_run_timestamp_seconds", {"a"}) == 42);
    std::string text = m.render();
    CHECK(text.find("sluiced_run_duration_seconds_bucket{pipeline=\"a\",le=\"0.25\"} 0\n") != std::string::npos);
    CHECK(text.find("sluiced_run_duration_seconds_bucket{pipeline=\"a\",le=\"0.5\"} 1\n") != std::string::npos);
    CHECK(text.find("sluiced_run_duration_seconds_sum{pipeline=\"a\"} 0.3\n") != std::string::npos);
    m.remove_pipeline("a");
    m.add_pipeline("a");  // fresh series at 0, updated again by later runs
    CHECK(r.value("sluiced_records_sent_total", {"a"}) == 0);
    CHECK(r.value("sluiced_runs_skipped_total", {"a"}) == 0);
    m.run_started("a");
    CHECK(r.value("sluiced_runs_in_progress", {"a"}) == 1);
    m.run_finished("a", rep, 20);
    CHECK(r.value("sluiced_records_sent_total", {"a"}) == 3);
    CHECK(r.value("sluiced_runs_total", {"a", "success"}) == 1);
    CHECK(r.value("sluiced_runs_in_progress", {"a"}) == 0);
    CHECK(r.value("sluiced_last_success_timestamp_seconds", {"a"}) == 20);
    CHECK(r.value("sluiced_records_sent_total", {"b"}) == 0);  // untouched
    // A pipeline never added still counts (series created on use).
    m.run_finished("c", rep, 30);
    CHECK(r.value("sluiced_records_sent_total", {"c"}) == 3);
}

TEST_CASE("metrics server responses") {
    MetricsServer s(nullptr, [] { return std::string("m 1\n"); });
    std::string r = s.respond("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(r.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(r.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n") != std::string::npos);
    CHECK(r.find("Connection: close\r\n") != std::string::npos);
    CHECK(r.substr(r.size() - 4) == "m 1\n");
    CHECK(s.respond("GET /healthz HTTP/1.0\r\n\r\n").find("\r\n\r\nok\n") != std::string::npos);
    CHECK(s.respond("GET /metrics?x=1 HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200", 0) == 0);
    CHECK(s.respond("GET / HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404", 0) == 0);
    CHECK(s.respond("POST /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 405", 0) == 0);
    std::string head = s.respond("HEAD /metrics HTTP/1.1\r\n\r\n");
    CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(head.substr(head.size() - 4) == "\r\n\r\n");
    CHECK(s.respond("garbage\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
}

TEST_CASE("parse_listen_address") {
    sockaddr_storage a{};
    std::string err;
    CHECK(parse_listen_address("127.0.0.1:9850", a, err));
    CHECK(a.ss_family == AF_INET);
    CHECK(parse_listen_address("[::1]:9850", a, err));
    CHECK(a.ss_family == AF_INET6);
    CHECK(parse_listen_address(":9850", a, err));
    CHECK(parse_listen_address("localhost:1", a, err));
    CHECK_FALSE(parse_listen_address("127.0.0.1", a, err));
    CHECK_FALSE(parse_listen_address("127.0.0.1:0", a, err));
    CHECK_FALSE(parse_listen_address("127.0.0.1:65536", a, err));
    CHECK_FALSE(parse_listen_address("example.com:80", a, err));
    CHECK_FALSE(parse_listen_address("::1:80", a, err));
    CHECK_FALSE(parse_listen_address("[::1]80", a, err));
}
