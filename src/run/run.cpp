// One run: evaluate request parameters, fetch (with retries), decode every
// page, apply the stage chain, write the batch and dead letters, log the
// run_finished / run_failed event (spec §4, §5, §7, §10).
#include "run/run.h"

#include <chrono>
#include <deque>
#include <string_view>
#include <vector>

#include "expr/expr.h"
#include "json/json.h"
#include "log/log.h"
#include "run/decode.h"
#include "sink/sink.h"
#include "source/fetch.h"
#include "source/request_builder.h"
#include "source/transport.h"
#include "stage/stage.h"
#include "util/arena.h"

namespace sluiced::run {

namespace {

double wall_now() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1e6;
}

// Evaluates `{ expr: ... }` parameter values against null (spec §4).
// Strings give their text, null omits the parameter, other values their
// compact JSON text.
bool eval_params(const std::vector<config::ParamValue>& params, expr::Context& ctx, source::HeaderList& out,
                 std::string& error) {
    for (const auto& p : params) {
        if (!p.expr) {
            out.emplace_back(p.name, p.literal);
            continue;
        }
        expr::Result r = expr::eval(*p.expr->program, json::Value::null(), ctx);
        if (!r.ok()) {
            error = "`" + p.name + "`: " + std::string(r.error);
            return false;
        }
        if (r.value.is_null()) continue;
        if (r.value.is_string()) {
            out.emplace_back(p.name, std::string(json::string_text(r.value, ctx.arena)));
        } else {
            std::string text;
            json::encode(r.value, text);
            out.emplace_back(p.name, text);
        }
    }
    return true;
}

constexpr int kRecordFailedLogLimit = 5;  // per run; the rest are counted

}  // namespace

class Run : public std::enable_shared_from_this<Run> {
public:
    Run(PipelineRuntime& rt, source::Transport& tr, const Options& opt, std::function<void(Report)> done)
        : rt_(rt), cfg_(*rt.cfg_), transport_(tr), opt_(opt), done_(std::move(done)), arena_(1 << 20),
          ctx_{arena_, opt.now ? opt.now : wall_now()} {}

    void start() {
        t0_ = std::chrono::steady_clock::now();
        source::HeaderList query, headers;
        std::string err;
        if (!eval_params(cfg_.source.query, ctx_, query, err) || !eval_params(cfg_.source.headers, ctx_, headers, err))
            return fail("query/header expression failed: " + err);
        request_ = source::build_request(cfg_.source, headers, query, err);
        if (!err.empty()) return fail(err);
        fetch();
    }

private:
    void fetch() {
        auto self = shared_from_this();
        source::fetch_with_retry(transport_, request_, cfg_.source.retry, cfg_.name,
                                 [self](source::FetchOutcome o) { self->on_page(std::move(o)); });
    }

    void on_page(source::FetchOutcome o) {
        report_.requests += o.attempts;
        report_.retries += o.retries;
        source::Response& resp = o.response;
        report_.http_status = resp.status;
        if (!resp.error.empty()) return fail(resp.error);
        if (resp.status < 200 || resp.status > 299) return fail("HTTP status " + std::to_string(resp.status));
        ++report_.pages;
        report_.bytes += resp.body.size();
        bodies_.push_back(std::move(resp.body));
        DecodeOutcome d = decode_body(bodies_.back(), cfg_.source, arena_, items_);
        if (!d.ok) return fail(d.error);
        if (d.records_missing && opt_.log_events)
            log::Event(log::Level::Warn, "records_missing", "the records path is missing or null: zero records")
                .pipeline(cfg_.name)
                .str("records", cfg_.source.records ? cfg_.source.records->text : ".")
                .emit();
        finish_batch();
    }

    void record_failed(std::size_t index_or_line, bool is_line, std::string_view error) {
        ++report_.records_failed;
        if (opt_.log_events && ++logged_failures_ <= kRecordFailedLogLimit) {
            log::Event ev(log::Level::Warn, "record_failed", "a record failed a stage");
            ev.pipeline(cfg_.name);
            if (is_line) ev.null("stage").num("line", std::int64_t(index_or_line));
            else ev.num("stage", std::int64_t(index_or_line));
            ev.str("error", log::redact_text(error));
            ev.emit();
        }
    }

    void dead_letter(const json::Value* stage_index_null_if_line, std::size_t stage, std::size_t line,
                     std::string_view error, const json::Value& record, bool record_is_text, std::string_view text) {
        if (!cfg_.dead_letter && !opt_.capture) return;
        std::string& out = dl_buffer_;
        out += "{\"pipeline\":";
        json::encode_string(cfg_.name, out);
        out += ",\"stage\":";
        if (stage_index_null_if_line) out += "null";
        else out += std::to_string(stage);
        if (line) {
            out += ",\"line\":";
            out += std::to_string(line);
        }
        out += ",\"error\":";
        json::encode_string(error, out);
        out += ",\"record\":";
        if (record_is_text) {
            json::encode_string(text, out);
        } else {
            std::size_t mark = out.size();
            if (!json::encode(record, out)) {
                out.resize(mark);
                out += "null";
            }
        }
        out += "}\n";
        ++report_.dead_lettered;
    }

    void finish_batch() {
        std::string& batch = batch_;
        std::size_t n_out = 0;
        static const json::Value null_marker;
        for (const Item& it : items_) {
            ++report_.records_in;
            if (it.line) {
                record_failed(it.line, true, it.error);
                if (cfg_.on_error == config::Pipeline::OnError::Fail)
                    return fail("record error: " + std::string(it.error));
                dead_letter(&null_marker, 0, it.line, it.error, {}, true, it.text);
                continue;
            }
            json::Value out, failed_input;
            std::string_view err;
            std::size_t stage_index = 0;
            stage::Outcome oc = rt_.chain_->apply(it.record, ctx_, out, err, stage_index, failed_input);
            if (oc == stage::Outcome::Keep) {
                std::size_t mark = batch.size();
                if (json::encode(out, batch)) {
                    batch.push_back('\n');
                    ++n_out;
                    continue;
                }
                batch.resize(mark);
                err = "a computed number is not finite";
                stage_index = rt_.chain_->size() ? rt_.chain_->size() - 1 : 0;
                failed_input = it.record;
                oc = stage::Outcome::Error;
            }
            if (oc == stage::Outcome::Drop) continue;
            record_failed(stage_index, false, err);
            if (cfg_.on_error == config::Pipeline::OnError::Fail)
                return fail("record error at stage " + std::to_string(stage_index) + ": " + std::string(err));
            dead_letter(nullptr, stage_index, 0, err, failed_input, false, {});
        }
        report_.records_out = n_out;
        if (opt_.log_events && logged_failures_ > kRecordFailedLogLimit)
            log::Event(log::Level::Warn, "record_failed", "more records failed; their individual events were suppressed")
                .pipeline(cfg_.name)
                .num("suppressed", std::int64_t(logged_failures_ - kRecordFailedLogLimit))
                .emit();
        if (opt_.write_sinks) {
            std::string err;
            if (!rt_.sink_->write_batch(batch, n_out, err)) return fail(err);
            if (rt_.dead_letter_ && !rt_.dead_letter_->write_batch(dl_buffer_, report_.dead_lettered, err))
                return fail("dead letter: " + err);
        }
        succeed();
    }

    std::int64_t elapsed_ms() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0_).count();
    }

    void log_run(log::Level level, const char* event, const char* msg) {
        if (!opt_.log_events) return;
        log::Event ev(level, event, msg);
        ev.pipeline(cfg_.name)
            .num("duration_ms", report_.duration_ms)
            .num("http_status", report_.http_status)
            .num("pages", report_.pages)
            .num("bytes", std::int64_t(report_.bytes))
            .num("records_in", std::int64_t(report_.records_in))
            .num("records_out", std::int64_t(report_.records_out))
            .num("records_failed", std::int64_t(report_.records_failed));
        if (!report_.ok) ev.str("error", report_.error);
        ev.emit();
    }

    void succeed() {
        report_.ok = true;
        report_.duration_ms = elapsed_ms();
        if (opt_.capture) {
            report_.output = std::move(batch_);
            report_.dead_letters = std::move(dl_buffer_);
        }
        log_run(log::Level::Info, "run_finished", "run finished");
        complete();
    }

    void fail(const std::string& error) {
        report_.ok = false;
        report_.error = log::redact_text(error);
        report_.records_out = 0;
        report_.duration_ms = elapsed_ms();
        if (opt_.capture) report_.dead_letters = std::move(dl_buffer_);
        log_run(log::Level::Error, "run_failed", "run failed");
        complete();
    }

    void complete() {
        rt_.running_ = false;
        auto done = std::move(done_);
        done(std::move(report_));
    }

    PipelineRuntime& rt_;
    const config::Pipeline& cfg_;
    source::Transport& transport_;
    Options opt_;
    std::function<void(Report)> done_;
    Arena arena_;
    expr::Context ctx_;
    std::chrono::steady_clock::time_point t0_;
    source::Request request_;
    std::deque<std::string> bodies_;
    std::vector<Item> items_;
    std::string batch_, dl_buffer_;
    Report report_;
    int logged_failures_ = 0;
};

PipelineRuntime::PipelineRuntime(std::shared_ptr<const config::Pipeline> cfg)
    : cfg_(std::move(cfg)), chain_(std::make_unique<stage::Chain>(cfg_->stages)) {
    sink_ = sink::make_sink(cfg_->sink, cfg_->name);
    if (cfg_->dead_letter) dead_letter_ = sink::make_sink(*cfg_->dead_letter, cfg_->name);
}

PipelineRuntime::~PipelineRuntime() = default;

bool PipelineRuntime::open_sinks(std::string& error) {
    if (!sink_->open(error)) return false;
    if (dead_letter_ && !dead_letter_->open(error)) return false;
    return true;
}

void PipelineRuntime::start_run(source::Transport& transport, const Options& options, std::function<void(Report)> done) {
    running_ = true;
    auto run = std::make_shared<Run>(*this, transport, options, std::move(done));
    run->start();
}

}  // namespace sluiced::run
