// One run: evaluate request parameters, fetch (with retries), decode every
// page, apply the stage chain, write the batch and dead letters, log the
// run_finished / run_failed event (spec §4, §5, §7, §10).
#include "run/run.h"

#include <strings.h>

#include <chrono>
#include <set>
#include <string_view>
#include <vector>

#include "expr/expr.h"
#include "json/json.h"
#include "log/log.h"
#include "run/cursor.h"
#include "run/cursor_store.h"
#include "run/batch_builder.h"
#include "run/decode.h"
#include "run/page_stream.h"
#include "sink/sink.h"
#include "source/fetch.h"
#include "source/link_header.h"
#include "source/oauth2.h"
#include "source/rate_limit.h"
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

// record_failed events per run; the rest are counted (spec §5.4). The
// batch keeps the text of that many errors.
constexpr int kRecordFailedLogLimit = int(BatchBuilder::kKeptErrors);

// Whether a run decodes and transforms each page in one pass as it arrives
// (run/page_stream.h): when nothing needs the decoded document or all the
// records before the stages: NDJSON, or JSON without `records`, without
// `next_url` / `cursor` pagination (they read the document) and, for both,
// without `incremental` (its cursor reads every record).
bool streams(const config::HttpSource& source) {
    using K = config::Paginate::Kind;
    if (source.incremental.enabled) return false;
    if (source.format == config::HttpSource::Format::Ndjson) return true;
    return !source.records && source.paginate.kind != K::NextUrl && source.paginate.kind != K::Cursor;
}

}  // namespace

class Run : public std::enable_shared_from_this<Run> {
public:
    Run(PipelineRuntime& rt, source::Transport& tr, const Options& opt, std::function<void(Report)> done)
        : rt_(rt), cfg_(*rt.cfg_), transport_(tr), opt_(opt), done_(std::move(done)), arena_(64 * 1024),
          ctx_{arena_, opt.now ? opt.now : wall_now()}, stream_(streams(cfg_.source)),
          batch_(*rt.chain_, cfg_, ctx_.now, bool(opt.on_record_error), cfg_.dead_letter || opt.capture) {
        batch_.batch.swap(rt.batch_buffer_);  // the last run's capacity: no regrowth per run
        batch_.batch.clear();
    }

    void start() {
        t0_ = std::chrono::steady_clock::now();
        if (cfg_.source.rate_limit.enabled && rt_.bucket_) {
            limited_ = std::make_unique<source::RateLimitedTransport>(transport_, *rt_.bucket_);
            tr_ = limited_.get();
        }
        std::string err;
        if (!eval_params(cfg_.source.query, ctx_, query_, err) || !eval_params(cfg_.source.headers, ctx_, headers_, err))
            return fail("query/header expression failed: " + err);
        if (cfg_.source.incremental.enabled && !load_cursor()) return;
        if (cfg_.source.auth.kind == config::Auth::Kind::OAuth2) {
            if (opt_.oauth2_token_override) {
                token_ = *opt_.oauth2_token_override;
            } else if (rt_.token_->valid(source::monotonic_ms())) {
                token_ = rt_.token_->token;
            } else {
                return refresh_token([this] { first_request(); });
            }
        }
        first_request();
    }

private:
    // ---- incremental cursor (spec §4.2) ----
    bool load_cursor() {
        if (opt_.cursor_override) {
            old_cursor_ = *opt_.cursor_override;
        } else if (!opt_.state_dir.empty()) {
            std::string err;
            if (!read_cursor(opt_.state_dir, cfg_.name, old_cursor_, err)) {
                fail("state: " + err);
                return false;
            }
        }
        const auto& inc = cfg_.source.incremental;
        if (old_cursor_) {
            std::string text;
            if (!cursor_param_text(*old_cursor_, text)) {
                fail("state: the stored cursor of " + cfg_.name + " is not valid JSON: " + *old_cursor_);
                return false;
            }
            cursor_param_ = text;
        } else if (inc.initial) {
            cursor_param_ = *inc.initial;
        }
        return true;
    }

    // ---- oauth2 (spec §4.4) ----
    template <class F>
    void refresh_token(F then) {
        auto self = shared_from_this();
        rt_.token_->clear();
        source::fetch_token(*tr_, cfg_.source, cfg_.name, *rt_.token_, [self, then](std::string error) {
            if (!error.empty()) return self->fail(error);
            self->token_ = self->rt_.token_->token;
            then();
        });
    }

    // ---- pagination (spec §4.1) ----
    void first_request() {
        std::string err;
        request_ = source::build_request(cfg_.source, headers_, query_, err, token_);
        if (!err.empty()) return fail(err);
        const auto& pg = cfg_.source.paginate;
        first_url_ = request_.url;
        // The incremental parameter replaces one the URL or `query` has.
        if (cursor_param_)
            first_url_ = source::set_query_param(first_url_, cfg_.source.incremental.param, *cursor_param_);
        if (pg.kind == config::Paginate::Kind::Page) {
            page_no_ = pg.page_start;
            first_url_ = source::set_query_param(first_url_, pg.param, std::to_string(page_no_));
        } else if (pg.kind == config::Paginate::Kind::Offset) {
            first_url_ = source::set_query_param(first_url_, pg.param, "0");
            if (!pg.limit_param.empty())
                first_url_ = source::set_query_param(first_url_, pg.limit_param, std::to_string(pg.limit));
        }
        request_.url = first_url_;
        if (paginates()) seen_urls_.insert(request_.url);
        fetch();
    }

    void fetch() {
        auto self = shared_from_this();
        source::fetch_with_retry(*tr_, request_, cfg_.source.retry, cfg_.name,
                                 [self](source::FetchOutcome o) { self->on_page(std::move(o)); });
    }

    void on_page(source::FetchOutcome o) {
        report_.requests += o.attempts;
        report_.retries += o.retries;
        source::Response& resp = o.response;
        if (resp.status) add_status(resp.status);
        report_.http_status = resp.status;
        if (resp.status == 401 && !resp.error.size() && cfg_.source.auth.kind == config::Auth::Kind::OAuth2 &&
            !refreshed_for_page_ && !opt_.oauth2_token_override) {
            // One token refresh and one repeat, outside `attempts` (spec §4.4).
            refreshed_for_page_ = true;
            return refresh_token([this] {
                set_auth_header();
                fetch();
            });
        }
        refreshed_for_page_ = false;
        if (!resp.error.empty()) return fail(resp.error);
        if (resp.status < 200 || resp.status > 299) return fail("HTTP status " + std::to_string(resp.status));
        ++report_.pages;
        report_.bytes += resp.body.size();
        json::Value doc;
        std::size_t page_records = 0;
        if (stream_) {
            // One pass: each record is checked, decoded and put through the
            // stages as it is read; nothing of it escapes the run (batch,
            // dead letters, pending record errors) unless the page is valid.
            PageOutcome po = stream_page(resp.body, cfg_.source, batch_);
            if (!po.ok) return fail(po.error);
            page_records = po.records;
            records_in_ += po.records;
            std::string().swap(resp.body);  // no record refers to it any more
        } else {
            bodies_.push_back(std::make_unique<std::string>(std::move(resp.body)));
            std::size_t before = items_.size();
            DecodeOutcome d = decode_body(*bodies_.back(), cfg_.source, arena_, items_, doc);
            if (!d.ok) return fail(d.error);
            if (d.records_missing && opt_.log_events)
                log::Event(log::Level::Warn, "records_missing", "the records path is missing or null: zero records")
                    .pipeline(cfg_.name)
                    .str("records", cfg_.source.records ? cfg_.source.records->text : ".")
                    .num("page", report_.pages)
                    .emit();
            page_records = items_.size() - before;
        }
        if (paginates() && !resp.effective_url.empty()) seen_urls_.insert(resp.effective_url);
        std::string next_url;
        if (!next_page(doc, resp, page_records, next_url)) return;  // failed
        if (next_url.empty()) return finish_batch();
        // A next URL (or cursor: it makes the URL) already requested in this
        // run, also as a redirect target, ends the pagination (spec §4.1).
        if (seen_urls_.count(next_url)) {
            pagination_loop(log::redact_url(next_url));
            return finish_batch();
        }
        if (report_.pages >= cfg_.source.paginate.max_pages) {
            if (opt_.log_events)
                log::Event(log::Level::Warn, "max_pages_reached", "max_pages reached: the pages fetched so far are the batch")
                    .pipeline(cfg_.name)
                    .num("max_pages", cfg_.source.paginate.max_pages)
                    .str("next", log::redact_url(next_url))
                    .emit();
            return finish_batch();
        }
        request_.url = next_url;
        seen_urls_.insert(next_url);
        fetch();
    }

    bool paginates() const { return cfg_.source.paginate.kind != config::Paginate::Kind::None; }

    void set_auth_header() {
        for (auto& [n, v] : request_.headers) {
            if (n.size() == 13 && strncasecmp(n.c_str(), "authorization", 13) == 0) v = "Bearer " + token_;
        }
    }

    void pagination_loop(const std::string& what) {
        if (opt_.log_events)
            log::Event(log::Level::Warn, "pagination_loop",
                       "a next page was already requested in this run: the pages fetched so far are the batch")
                .pipeline(cfg_.name)
                .str("next", what)
                .emit();
    }

    // Computes the next page's URL ("" = no more pages). Returns false when
    // the run failed.
    bool next_page(const json::Value& doc, const source::Response& resp, std::size_t page_records, std::string& next) {
        const auto& pg = cfg_.source.paginate;
        using K = config::Paginate::Kind;
        auto follow = [&](std::string target) -> bool {
            std::string base = resp.effective_url.empty() ? request_.url : resp.effective_url;
            std::string url = source::resolve_url(base, target);
            if (url.empty()) return fail("next page URL is not valid: " + log::redact_url(target)), false;
            std::string scheme = source::url_scheme(url);
            if (scheme != "http" && scheme != "https")
                return fail("next page URL is not http(s): " + log::redact_url(url)), false;
            next = url;
            return true;
        };
        switch (pg.kind) {
            case K::None: return true;
            case K::NextUrl: {
                expr::PathLookup l = expr::lookup(*pg.next_url->program, doc, arena_);
                if (!l.present || l.value.is_null()) return true;
                if (!l.value.is_string()) return fail("next_url " + pg.next_url->text + " is not a string"), false;
                std::string_view t = json::string_text(l.value, arena_);
                if (t.empty()) return true;
                return follow(std::string(t));
            }
            case K::LinkHeader: {
                auto t = source::find_link(resp.headers, pg.link_rel);
                if (!t || t->empty()) return true;
                return follow(*t);
            }
            case K::Cursor: {
                expr::PathLookup l = expr::lookup(*pg.cursor_from->program, doc, arena_);
                if (!l.present || l.value.is_null()) return true;
                std::string text;
                if (l.value.is_string()) text = std::string(json::string_text(l.value, arena_));
                else if (l.value.is_number()) json::encode(l.value, text);
                else return fail("cursor " + pg.cursor_from->text + " is not a string or number"), false;
                if (text.empty()) return true;
                next = source::set_query_param(first_url_, pg.param, text);
                return true;
            }
            case K::Page:
                if (page_records == 0) return true;
                ++page_no_;
                next = source::set_query_param(first_url_, pg.param, std::to_string(page_no_));
                return true;
            case K::Offset: {
                if (std::int64_t(page_records) < pg.limit) return true;
                offset_ += pg.limit;
                next = source::set_query_param(first_url_, pg.param, std::to_string(offset_));
                return true;
            }
        }
        return true;
    }

    void add_status(int code) {
        for (auto& [c, n] : report_.responses_by_code)
            if (c == code) {
                ++n;
                return;
            }
        report_.responses_by_code.emplace_back(code, 1);
    }

    // ---- records (spec §5.4) ----

    // The record_failed events (rate-limited) and `tap`'s callback for the
    // batch's record errors, once the batch is known good: a response found
    // invalid later, or a run that fails before its batch, reports none
    // (its records were never "used", spec §4).
    void flush_record_errors() {
        int logged = 0;
        for (const RecordError& e : batch_.errors) {
            if (opt_.on_record_error)
                opt_.on_record_error(e.is_line ? -1 : int(e.index_or_line), e.is_line ? e.index_or_line : 0, e.error);
            if (!opt_.log_events || ++logged > kRecordFailedLogLimit) continue;
            log::Event ev(log::Level::Warn, "record_failed", "a record failed a stage");
            ev.pipeline(cfg_.name);
            if (e.is_line) ev.null("stage").num("line", std::int64_t(e.index_or_line));
            else ev.num("stage", std::int64_t(e.index_or_line));
            ev.str("error", log::redact_text(e.error));
            ev.emit();
        }
        if (opt_.log_events && batch_.failed > std::uint64_t(kRecordFailedLogLimit))
            log::Event(log::Level::Warn, "record_failed", "more records failed; their individual events were suppressed")
                .pipeline(cfg_.name)
                .num("suppressed", std::int64_t(batch_.failed - kRecordFailedLogLimit))
                .emit();
    }

    void finish_batch() {
        finishing_ = true;
        if (!stream_) {
            // records_in counts every decoded record, also when a record
            // error with `on_error: fail` ends the run early (spec §10).
            records_in_ = items_.size();
            for (const Item& it : items_) {
                if (batch_.stopped) break;
                if (it.line) {
                    batch_.line_failed(it.line, it.error, it.text);
                    continue;
                }
                batch_.record_arena().reset();
                batch_.take(it.record);
            }
        }
        report_.records_in = records_in_;
        report_.records_failed = batch_.failed;
        report_.dead_lettered = batch_.dead_lettered;
        flush_record_errors();
        if (batch_.stopped) return fail(batch_.stop_error);
        report_.records_out = batch_.out;
        std::size_t n_out = batch_.out;
        std::optional<std::string> new_cursor = old_cursor_;
        if (cfg_.source.incremental.enabled) {
            std::string err;
            if (!compute_cursor(cfg_.source.incremental, items_, ctx_, new_cursor, err)) return fail(err);
        }
        if (opt_.write_sinks) {
            std::string err;
            std::vector<std::string_view> parts = batch_.output_parts();
            if (!rt_.sink_->write_batch_parts(parts.data(), parts.size(), n_out, err)) return fail(err);
            report_.sink_bytes = rt_.sink_->bytes_written();
            if (rt_.dead_letter_ && !rt_.dead_letter_->write_batch(batch_.dead_letters, report_.dead_lettered, err))
                return fail("dead letter: " + err);
        }
        // The cursor moves only after the sink made the batch durable.
        if (new_cursor && new_cursor != old_cursor_ && opt_.write_state && !opt_.state_dir.empty()) {
            std::string err;
            if (!write_cursor(opt_.state_dir, cfg_.name, *new_cursor, err)) return fail("state: " + err);
        }
        report_.cursor = new_cursor;
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
            report_.output = batch_.take_output();
            report_.dead_letters = std::move(batch_.dead_letters);
        }
        log_run(log::Level::Info, "run_finished", "run finished");
        complete();
    }

    void fail(const std::string& error) {
        report_.ok = false;
        report_.error = log::redact_text(error);
        report_.records_out = 0;
        report_.duration_ms = elapsed_ms();
        // Dead letters of records taken before the batch was known good
        // (stream_) are not reported: those records were never used.
        if (opt_.capture && finishing_) report_.dead_letters = std::move(batch_.dead_letters);
        log_run(log::Level::Error, "run_failed", "run failed");
        complete();
    }

    void complete() {
        rt_.running_ = false;
        // Keep the batch buffer's memory for the next run, unless it is big
        // (a one-off large response should not stay resident).
        constexpr std::size_t kKeepBatchBytes = 1u << 20;
        if (batch_.batch.capacity() <= kKeepBatchBytes && batch_.batch.capacity() > rt_.batch_buffer_.capacity()) {
            batch_.batch.clear();
            rt_.batch_buffer_.swap(batch_.batch);
        }
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
    source::Transport* tr_ = &transport_;
    std::unique_ptr<source::RateLimitedTransport> limited_;
    source::HeaderList query_, headers_;
    std::string token_;
    bool refreshed_for_page_ = false;
    std::optional<std::string> old_cursor_;
    std::optional<std::string> cursor_param_;  // incremental parameter value to send
    std::string first_url_;
    std::set<std::string> seen_urls_;  // paginates(): requested in this run, redirect targets included
    std::int64_t page_no_ = 1, offset_ = 0;
    source::Request request_;
    // !stream_: the pages, which items_ refer to (heap strings: a short
    // body's bytes would move with its std::string)
    std::vector<std::unique_ptr<std::string>> bodies_;
    std::vector<Item> items_;         // !stream_: every page's records
    const bool stream_;
    BatchBuilder batch_;
    std::uint64_t records_in_ = 0;
    bool finishing_ = false;   // every page is in: the records are used now
    Report report_;
};

PipelineRuntime::PipelineRuntime(std::shared_ptr<const config::Pipeline> cfg)
    : cfg_(std::move(cfg)), chain_(std::make_unique<stage::Chain>(cfg_->stages)) {
    sink_ = sink::make_sink(cfg_->sink, cfg_->name);
    token_ = std::make_unique<source::TokenCache>();
    if (cfg_->source.rate_limit.enabled)
        bucket_ = std::make_unique<source::TokenBucket>(cfg_->source.rate_limit.requests, cfg_->source.rate_limit.per_ms);
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
