#include "daemon/pipeline_metrics.h"

#include <chrono>

#include "run/run.h"

namespace sluiced::daemon {

namespace {

// Report::sink_bytes is filled by run/ once sinks report their bytes; until
// the field exists the counter stays at 0.
template <class R>
std::uint64_t sink_bytes_of(const R& r) {
    if constexpr (requires { r.sink_bytes; }) return std::uint64_t(r.sink_bytes);
    else return 0;
}

constexpr const char* kPipelineCounters[][2] = {
    {"sluiced_runs_skipped_total", "Ticks skipped because the pipeline's previous run was still going."},
    {"sluiced_http_client_retries_total", "HTTP requests that were retries."},
    {"sluiced_source_received_bytes_total", "Decoded HTTP body bytes received, over all pages."},
    {"sluiced_source_pages_total", "Pages fetched."},
    {"sluiced_records_received_total", "Records decoded, NDJSON lines that failed to parse included."},
    {"sluiced_records_sent_total", "Records durably written to the sink."},
    {"sluiced_records_failed_total", "Records that failed a stage or could not be decoded."},
    {"sluiced_records_dead_lettered_total", "Records sent to the dead letter sink."},
    {"sluiced_sink_written_bytes_total", "Bytes written to the sink."},
};

double wall_now() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1e6;
}

}  // namespace

PipelineMetrics::PipelineMetrics() {
    Registry& r = registry_;
    r.declare("sluiced_build_info", MetricType::Gauge, "Build information; the value is 1.", {"version"});
    r.set("sluiced_build_info", {SLUICED_VERSION}, 1);
    r.declare("process_start_time_seconds", MetricType::Gauge, "Start time of the process since the Unix epoch in seconds.");
    r.set("process_start_time_seconds", {}, double(std::int64_t(wall_now())));
    r.declare("sluiced_pipelines", MetricType::Gauge, "Pipelines in the running configuration.");
    r.touch("sluiced_pipelines");
    r.declare("sluiced_config_last_reload_successful", MetricType::Gauge,
              "Whether the last configuration load or reload succeeded (1) or failed (0).");
    r.declare("sluiced_config_last_reload_success_timestamp_seconds", MetricType::Gauge,
              "Time of the last successful configuration load or reload, Unix epoch seconds.");
    r.declare("sluiced_runs_total", MetricType::Counter, "Runs ended, by result.", {"pipeline", "result"});
    r.declare("sluiced_runs_in_progress", MetricType::Gauge, "Runs going on now (0 or 1).", {"pipeline"});
    r.declare("sluiced_run_duration_seconds", MetricType::Histogram, "Duration of runs in seconds.", {"pipeline"},
              {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300});
    r.declare("sluiced_last_success_timestamp_seconds", MetricType::Gauge,
              "End of the pipeline's last successful run, Unix epoch seconds (0: none yet).", {"pipeline"});
    r.declare("sluiced_next_run_timestamp_seconds", MetricType::Gauge,
              "Planned start of the pipeline's next run, jitter included, Unix epoch seconds.", {"pipeline"});
    r.declare("sluiced_http_client_responses_total", MetricType::Counter, "HTTP responses received, by status code.",
              {"pipeline", "code"});
    for (const auto& c : kPipelineCounters) r.declare(c[0], MetricType::Counter, c[1], {"pipeline"});
}

void PipelineMetrics::set_pipelines(std::size_t n) { registry_.set("sluiced_pipelines", {}, double(n)); }

void PipelineMetrics::config_loaded(bool ok, double now) {
    registry_.set("sluiced_config_last_reload_successful", {}, ok ? 1 : 0);
    if (ok) registry_.set("sluiced_config_last_reload_success_timestamp_seconds", {}, double(std::int64_t(now)));
    else registry_.touch("sluiced_config_last_reload_success_timestamp_seconds");
}

void PipelineMetrics::add_pipeline(const std::string& name) {
    Registry& r = registry_;
    r.touch("sluiced_runs_total", {name, "success"});
    r.touch("sluiced_runs_total", {name, "failure"});
    r.touch("sluiced_runs_in_progress", {name});
    r.touch("sluiced_run_duration_seconds", {name});
    r.touch("sluiced_last_success_timestamp_seconds", {name});
    r.touch("sluiced_next_run_timestamp_seconds", {name});
    for (const auto& c : kPipelineCounters) r.touch(c[0], {name});
    Refs refs;
    static_assert(std::size(kPipelineCounters) == std::size(Refs{}.counters));
    refs.in_progress = r.ref("sluiced_runs_in_progress", {name});
    refs.success = r.ref("sluiced_runs_total", {name, "success"});
    refs.failure = r.ref("sluiced_runs_total", {name, "failure"});
    refs.duration = r.ref("sluiced_run_duration_seconds", {name});
    refs.last_success = r.ref("sluiced_last_success_timestamp_seconds", {name});
    refs.next_run = r.ref("sluiced_next_run_timestamp_seconds", {name});
    for (std::size_t i = 0; i < std::size(kPipelineCounters); ++i)
        refs.counters[i] = r.ref(kPipelineCounters[i][0], {name});
    refs_[name] = refs;
}

void PipelineMetrics::remove_pipeline(const std::string& name) {
    refs_.erase(name);
    registry_.remove_where("pipeline", name);
}

const PipelineMetrics::Refs* PipelineMetrics::refs(const std::string& name) const {
    auto it = refs_.find(name);
    return it == refs_.end() ? nullptr : &it->second;
}

void PipelineMetrics::run_started(const std::string& name) {
    if (const Refs* p = refs(name)) registry_.set(p->in_progress, 1);
    else registry_.set("sluiced_runs_in_progress", {name}, 1);
}

void PipelineMetrics::run_finished(const std::string& name, const run::Report& rep, double finished_at) {
    Registry& r = registry_;
    if (const Refs* p = refs(name)) {
        r.set(p->in_progress, 0);
        r.add(rep.ok ? p->success : p->failure, 1);
        r.observe(p->duration, double(rep.duration_ms) / 1000.0);
        if (rep.ok) r.set(p->last_success, finished_at);
        for (const auto& [code, count] : rep.responses_by_code)
            r.add("sluiced_http_client_responses_total", {name, std::to_string(code)}, count);
        if (rep.responses_by_code.empty() && rep.http_status > 0)
            r.add("sluiced_http_client_responses_total", {name, std::to_string(rep.http_status)}, 1);
        const double values[] = {
            0,  // runs_skipped: not a run's
            double(rep.retries),
            double(rep.bytes),
            double(rep.pages),
            double(rep.records_in),
            rep.ok ? double(rep.records_out) : 0,
            double(rep.records_failed),
            rep.ok ? double(rep.dead_lettered) : 0,
            double(sink_bytes_of(rep)),
        };
        for (std::size_t i = 1; i < std::size(values); ++i) r.add(p->counters[i], values[i]);
        return;
    }
    r.set("sluiced_runs_in_progress", {name}, 0);
    r.add("sluiced_runs_total", {name, rep.ok ? "success" : "failure"}, 1);
    r.observe("sluiced_run_duration_seconds", {name}, double(rep.duration_ms) / 1000.0);
    if (rep.ok) r.set("sluiced_last_success_timestamp_seconds", {name}, finished_at);
    for (const auto& [code, count] : rep.responses_by_code)
        r.add("sluiced_http_client_responses_total", {name, std::to_string(code)}, count);
    // Until run/ fills responses_by_code, count at least the last response.
    if (rep.responses_by_code.empty() && rep.http_status > 0)
        r.add("sluiced_http_client_responses_total", {name, std::to_string(rep.http_status)}, 1);
    r.add("sluiced_http_client_retries_total", {name}, rep.retries);
    r.add("sluiced_source_received_bytes_total", {name}, double(rep.bytes));
    r.add("sluiced_source_pages_total", {name}, rep.pages);
    r.add("sluiced_records_received_total", {name}, double(rep.records_in));
    r.add("sluiced_records_sent_total", {name}, rep.ok ? double(rep.records_out) : 0);
    r.add("sluiced_records_failed_total", {name}, double(rep.records_failed));
    r.add("sluiced_records_dead_lettered_total", {name}, rep.ok ? double(rep.dead_lettered) : 0);
    r.add("sluiced_sink_written_bytes_total", {name}, double(sink_bytes_of(rep)));
}

void PipelineMetrics::run_skipped(const std::string& name) {
    if (const Refs* p = refs(name)) registry_.add(p->counters[0], 1);
    else registry_.add("sluiced_runs_skipped_total", {name}, 1);
}

void PipelineMetrics::next_run(const std::string& name, double at) {
    if (const Refs* p = refs(name)) registry_.set(p->next_run, at);
    else registry_.set("sluiced_next_run_timestamp_seconds", {name}, at);
}

}  // namespace sluiced::daemon
