// One run of one pipeline (architecture: tick -> source -> decode -> stages
// -> batch -> sink -> event). A PipelineRuntime is built once per pipeline
// definition; each start_run() fetches, transforms and writes one batch.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/pipeline_config.h"

namespace sluiced::source {
class Transport;
}
namespace sluiced::sink {
class Sink;
}
namespace sluiced::stage {
class Chain;
}
namespace sluiced::source {
class TokenBucket;
struct TokenCache;
}

namespace sluiced::run {

// The outcome of a run: the fields of run_finished / run_failed (spec §10).
struct Report {
    bool ok = false;
    std::string error;               // run error (redacted), when !ok
    int http_status = 0;             // status of the last response, 0 if none
    int pages = 0;
    std::uint64_t bytes = 0;         // decoded body bytes over all pages
    std::uint64_t records_in = 0;    // decoded records incl. failed NDJSON lines
    std::uint64_t records_out = 0;
    std::uint64_t records_failed = 0;
    std::uint64_t dead_lettered = 0;
    std::int64_t duration_ms = 0;
    int requests = 0;                // requests made, retries included
    int retries = 0;                 // requests that were retries
    std::vector<std::pair<int, int>> responses_by_code;  // (HTTP status, count) of every response
    std::optional<std::string> cursor;  // incremental: the cursor after the run (JSON text), if any
    std::uint64_t sink_bytes = 0;       // bytes the sink wrote for this batch
    std::string output;              // with Options::capture: the batch (NDJSON)
    std::string dead_letters;        // with Options::capture: dead letters (NDJSON)
};

struct Options {
    bool write_sinks = true;   // false for `test` and `tap`
    bool capture = false;      // keep the batch and dead letters in the Report
    bool log_events = true;    // run_finished/run_failed and warnings
    double now = 0;            // now() for the run, epoch seconds; 0 = the clock
    // Incremental sync (spec §4.2): the state directory to read the cursor
    // from ("" = none), and whether to write the new cursor there after the
    // sink made the batch durable.
    std::string state_dir;
    bool write_state = true;
    // `sluiced test`: the cursor before the run (JSON text), instead of the
    // state directory; and a fixed OAuth2 token (no token request).
    std::optional<std::string> cursor_override;
    std::optional<std::string> oauth2_token_override;
    // Called with each record error as it happens (for `tap`): stage index
    // (or -1 for an NDJSON line), line, error text.
    std::function<void(int stage, std::size_t line, std::string_view error)> on_record_error;
};

class PipelineRuntime {
public:
    // Compiles stages and creates (unopened) sinks. Throws std::runtime_error
    // on an invalid literal (the loader prevents it).
    explicit PipelineRuntime(std::shared_ptr<const config::Pipeline> cfg);
    ~PipelineRuntime();

    const config::Pipeline& config() const { return *cfg_; }
    // Opens the sinks (repairs partial lines, removes stale temp files).
    // Returns false with `error` ("PATH: errno text").
    bool open_sinks(std::string& error);
    // Starts one run on `transport`; `done` is called exactly once, on the
    // loop thread. The runtime and transport must outlive the run.
    void start_run(source::Transport& transport, const Options& options, std::function<void(Report)> done);
    bool running() const { return running_; }

private:
    friend class Run;
    std::shared_ptr<const config::Pipeline> cfg_;
    std::unique_ptr<stage::Chain> chain_;
    std::unique_ptr<sink::Sink> sink_;
    std::unique_ptr<sink::Sink> dead_letter_;
    std::unique_ptr<source::TokenBucket> bucket_;   // rate_limit, per pipeline
    std::unique_ptr<source::TokenCache> token_;     // oauth2, per pipeline
    bool running_ = false;
    std::string batch_buffer_;  // the output buffer, kept between runs (at most 1 MiB)
};

}  // namespace sluiced::run
