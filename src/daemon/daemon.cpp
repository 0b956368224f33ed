#include "daemon/daemon.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "config/loader.h"
#include "daemon/metrics_server.h"
#include "daemon/notify.h"
#include "daemon/pipeline_metrics.h"
#include "daemon/reload.h"
#include "daemon/scheduler.h"
#include "log/log.h"
#include "net/curl_multi.h"
#include "run/cursor_store.h"
#include "run/run.h"
#include "source/curl_transport.h"

namespace sluiced::daemon {

namespace {

using log::Level;

// operations.md §1: no LimitNOFILE= in the unit; we raise the soft limit.
void raise_nofile_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == rl.rlim_max) return;
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
}

double wall_now_s() { return double(wall_now_ms()) / 1000.0; }

const char* signal_name(int signum) {
    switch (signum) {
    case SIGHUP: return "SIGHUP";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    default: return "signal";
    }
}

// mkdir -p DIR (mode 0700) and a write check. Returns "" or the error.
std::string prepare_state_dir(const std::string& dir) {
    std::string partial;
    for (std::size_t i = 0; i <= dir.size(); ++i) {
        if (i == dir.size() || (dir[i] == '/' && i > 0)) {
            partial = dir.substr(0, i);
            if (mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
                return "mkdir " + partial + ": " + std::strerror(errno);
        }
    }
    struct stat st{};
    if (stat(dir.c_str(), &st) != 0) return dir + ": " + std::strerror(errno);
    if (!S_ISDIR(st.st_mode)) return dir + ": not a directory";
    if (access(dir.c_str(), W_OK | X_OK) != 0) return dir + ": " + std::strerror(errno);
    return "";
}

class Daemon {
public:
    Daemon(const std::vector<std::string>& paths, const DaemonOptions& opts) : paths_(paths), opts_(opts) {}

    int run();

private:
    struct Pipe {
        std::shared_ptr<run::PipelineRuntime> rt;
        bool last_failed = false;
        bool delayed = false;  // a tick waits for the old runtime's run (reload)
    };
    enum class State { Starting, Running, Draining, Done };

    // Start-up and teardown.
    bool load(config::Configuration& cfg, std::vector<std::string>& errors);
    void start_signals();
    void teardown();

    // Pipelines.
    std::shared_ptr<run::PipelineRuntime> build(const config::Pipeline& p, std::string& error);
    void add_pipeline(const std::string& name, std::shared_ptr<run::PipelineRuntime> rt);
    void retire(const std::string& name);
    bool busy(const std::string& name) const;
    void on_tick(const std::string& name);
    std::int64_t tick_late_ms_ = -1;  // lateness of the tick being handled
    void start_run(run::PipelineRuntime* rt);
    void on_run_done(run::PipelineRuntime* rt, const run::Report& report);
    void arm(const std::string& name, const config::Schedule& s);

    // Signals.
    static void on_signal(uv_signal_t* h, int signum);
    void reload();
    void shutdown(int signum);
    void finish_shutdown(bool timed_out);

    // One run_failed line per run abandoned at shutdown (spec §10: every
    // run ends in exactly one run_finished or run_failed line).
    void log_abandoned(const std::string& why);

    // Deferred housekeeping (never from inside a run's callback).
    void defer();
    void housekeeping();

    // Room in curl's connection cache for every pipeline's connection to
    // stay open between runs (a run has one request in flight at a time;
    // twice that for token endpoints and redirects, plus a margin).
    void size_connection_cache() {
        if (multi_) multi_->set_max_connects(long(2 * pipes_.size() + 16));
    }

    std::string status_line() const;
    void update_status();

    std::vector<std::string> paths_;
    DaemonOptions opts_;
    State state_ = State::Starting;
    int exit_code_ = 0;

    uv_loop_t loop_{};
    uv_signal_t sig_hup_{}, sig_term_{}, sig_int_{};
    uv_timer_t defer_timer_{}, shutdown_timer_{};
    bool handles_open_ = false;

    std::unique_ptr<net::CurlMulti> multi_;
    std::unique_ptr<source::CurlTransport> transport_;
    std::unique_ptr<Notifier> notifier_;
    std::unique_ptr<Scheduler> scheduler_;
    std::unique_ptr<MetricsServer> server_;
    PipelineMetrics metrics_;

    std::map<std::string, Pipe> pipes_;
    std::vector<std::shared_ptr<run::PipelineRuntime>> retiring_;  // removed, run still going
    std::map<run::PipelineRuntime*, std::chrono::steady_clock::time_point> in_flight_;  // -> start
    // Bookkeeping kept beside pipes_ / in_flight_ so that a tick and a run's
    // end cost O(1) instead of a walk over every pipeline (benchmark W3):
    std::unordered_map<std::string, int> running_;  // pipeline name -> runs in in_flight_
    std::set<std::string> failing_;                 // names in pipes_ with last_failed, sorted
    std::size_t delayed_ = 0;                       // pipes_ entries with delayed set

    void run_begins(run::PipelineRuntime* rt);
    bool run_ends(run::PipelineRuntime* rt);  // false: not in flight
    void set_failed(const std::string& name, bool failed);
};

bool Daemon::load(config::Configuration& cfg, std::vector<std::string>& errors) {
    config::LoadOptions lo;
    lo.require_schedule = true;
    std::vector<config::Diagnostic> diags;
    bool ok = config::load(paths_, lo, cfg, diags);
    for (const auto& d : diags) errors.push_back(config::format(d));
    if (!ok && errors.empty()) errors.push_back("sluiced: error: the configuration could not be loaded");
    if (!errors.empty()) return false;
    std::vector<std::string> missing;
    cfg.pipelines = select_pipelines(std::move(cfg.pipelines), opts_.pipelines, missing);
    for (const auto& m : missing) errors.push_back("sluiced: error: --pipeline `" + m + "`: no such pipeline");
    return errors.empty();
}

std::shared_ptr<run::PipelineRuntime> Daemon::build(const config::Pipeline& p, std::string& error) {
    try {
        auto rt = std::make_shared<run::PipelineRuntime>(std::make_shared<const config::Pipeline>(p));
        std::string err;
        if (!rt->open_sinks(err)) {
            error = p.name + ": " + err;
            return nullptr;
        }
        return rt;
    } catch (const std::exception& e) {
        error = p.name + ": " + e.what();
        return nullptr;
    }
}

void Daemon::start_signals() {
    uv_signal_t* sigs[] = {&sig_hup_, &sig_term_, &sig_int_};
    int nums[] = {SIGHUP, SIGTERM, SIGINT};
    for (int i = 0; i < 3; ++i) {
        uv_signal_init(&loop_, sigs[i]);
        sigs[i]->data = this;
        uv_signal_start(sigs[i], &Daemon::on_signal, nums[i]);
    }
    uv_timer_init(&loop_, &defer_timer_);
    defer_timer_.data = this;
    uv_timer_init(&loop_, &shutdown_timer_);
    shutdown_timer_.data = this;
    handles_open_ = true;
}

int Daemon::run() {
    raise_nofile_limit();
    // A metrics client closing early must give EPIPE, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    uv_loop_init(&loop_);
    start_signals();
    notifier_ = std::make_unique<Notifier>(&loop_);
    scheduler_ = std::make_unique<Scheduler>(
        &loop_, [this](const std::string& name) { on_tick(name); },
        [this](const std::string& name, std::int64_t wall_ms) { metrics_.next_run(name, double(wall_ms) / 1000.0); });
    multi_ = std::make_unique<net::CurlMulti>(&loop_);
    transport_ = std::make_unique<source::CurlTransport>(*multi_);

    auto fail_start = [this](int code) {
        exit_code_ = code;
        teardown();
        return code;
    };

    // Load and validate: configuration errors exit 2 before READY.
    config::Configuration cfg;
    std::vector<std::string> errors;
    if (!load(cfg, errors)) {
        for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
        std::fflush(stderr);
        return fail_start(2);
    }
    if (!opts_.state_dir.empty()) {
        std::string err = prepare_state_dir(opts_.state_dir);
        if (!err.empty()) {
            log::Event(Level::Error, "startup_failed", "The state directory is not writable.")
                .str("state_dir", opts_.state_dir).str("error", err).emit();
            return fail_start(1);
        }
    }
    // Open sinks (repairs partial lines left by a crash).
    std::vector<std::pair<std::string, std::shared_ptr<run::PipelineRuntime>>> built;
    for (const auto& p : cfg.pipelines) {
        std::string err;
        auto rt = build(p, err);
        if (!rt) {
            log::Event(Level::Error, "startup_failed", "A sink could not be opened.")
                .pipeline(p.name).str("error", log::redact_text(err)).emit();
            return fail_start(1);
        }
        built.emplace_back(p.name, std::move(rt));
    }
    // Bind metrics.
    if (!opts_.metrics_listen.empty()) {
        sockaddr_storage addr{};
        std::string err;
        server_ = std::make_unique<MetricsServer>(&loop_, [this] { return metrics_.render(); });
        if (!parse_listen_address(opts_.metrics_listen, addr, err) || !server_->listen(addr, err)) {
            log::Event(Level::Error, "startup_failed",
                       "Cannot listen on " + opts_.metrics_listen + " for metrics: " + err + ".")
                .str("listen", opts_.metrics_listen).str("error", err).emit();
            return fail_start(1);
        }
    }
    // Arm the scheduler.
    state_ = State::Running;
    metrics_.config_loaded(true, wall_now_s());
    for (auto& [name, rt] : built) add_pipeline(name, std::move(rt));
    metrics_.set_pipelines(pipes_.size());
    size_connection_cache();
    if (pipes_.empty())
        log::write(Level::Warn, "no_pipelines", "The configuration has no pipelines; idling until a reload brings some.");
    notifier_->start_watchdog();
    notifier_->ready(status_line());
    log::Event(Level::Info, "daemon_started", "Sluiced started.")
        .num("pipelines", std::int64_t(pipes_.size()))
        .str("version", SLUICED_VERSION)
        .emit();

    uv_run(&loop_, UV_RUN_DEFAULT);
    // Every handle is closed: runtimes may go (their sinks close here).
    pipes_.clear();
    retiring_.clear();
    int rc = uv_loop_close(&loop_);
    (void)rc;
    return exit_code_;
}

// Closes every handle we own; the loop then runs out.
void Daemon::teardown() {
    if (transport_) transport_->cancel_all();
    if (multi_) multi_->close([] {});
    if (scheduler_) scheduler_->close([] {});
    if (server_) server_->close([] {});
    if (notifier_) notifier_->close([] {});
    if (handles_open_) {
        handles_open_ = false;
        for (auto* h : {reinterpret_cast<uv_handle_t*>(&sig_hup_), reinterpret_cast<uv_handle_t*>(&sig_term_),
                        reinterpret_cast<uv_handle_t*>(&sig_int_), reinterpret_cast<uv_handle_t*>(&defer_timer_),
                        reinterpret_cast<uv_handle_t*>(&shutdown_timer_)})
            uv_close(h, nullptr);
    }
    if (state_ == State::Starting) {
        // Not running yet: drain the closes here.
        uv_run(&loop_, UV_RUN_DEFAULT);
        transport_.reset();
        multi_.reset();
        uv_loop_close(&loop_);
    }
    state_ = State::Done;
}

void Daemon::add_pipeline(const std::string& name, std::shared_ptr<run::PipelineRuntime> rt) {
    const config::Schedule& schedule = rt->config().schedule;
    if (auto old = pipes_.find(name); old != pipes_.end() && old->second.delayed) --delayed_;
    failing_.erase(name);
    pipes_[name] = Pipe{std::move(rt), false};
    metrics_.add_pipeline(name);
    arm(name, schedule);
}

void Daemon::arm(const std::string& name, const config::Schedule& s) {
    std::string err;
    if (!scheduler_->add(name, s, err))
        log::Event(Level::Error, "schedule_failed", "The pipeline's schedule cannot be computed; it will not run.")
            .pipeline(name).str("error", err).emit();
}

// Stops `name`'s ticks; its runtime lives on until its in-flight run ends.
void Daemon::retire(const std::string& name) {
    auto it = pipes_.find(name);
    if (it == pipes_.end()) return;
    scheduler_->remove(name);
    if (in_flight_.count(it->second.rt.get())) retiring_.push_back(std::move(it->second.rt));
    if (it->second.delayed) --delayed_;
    failing_.erase(name);
    pipes_.erase(it);
}

void Daemon::run_begins(run::PipelineRuntime* rt) {
    in_flight_[rt] = std::chrono::steady_clock::now();
    ++running_[rt->config().name];
}

bool Daemon::run_ends(run::PipelineRuntime* rt) {
    if (!in_flight_.erase(rt)) return false;
    auto it = running_.find(rt->config().name);
    if (it != running_.end() && --it->second <= 0) running_.erase(it);
    return true;
}

void Daemon::set_failed(const std::string& name, bool failed) {
    if (failed) failing_.insert(name);
    else failing_.erase(name);
}

// Runs of one pipeline never overlap, across a reload too: the old runtime
// of a changed pipeline still running makes the new one's ticks skip.
bool Daemon::busy(const std::string& name) const { return running_.count(name) != 0; }

void Daemon::on_tick(const std::string& name) {
    if (state_ != State::Running) return;
    auto it = pipes_.find(name);
    if (it == pipes_.end()) return;
    if (busy(name) && !in_flight_.count(it->second.rt.get())) {
        // Only the replaced runtime of a changed pipeline is running: the
        // fresh schedule's tick waits for it instead of being lost.
        if (!it->second.delayed) ++delayed_;
        it->second.delayed = true;
        log::Event(Level::Debug, "run_delayed", "The replaced pipeline's run is still going; the run waits for it.")
            .pipeline(name).emit();
        return;
    }
    if (busy(name)) {
        log::Event(Level::Warn, "run_skipped", "The previous run is still going; tick skipped.").pipeline(name).emit();
        metrics_.run_skipped(name);
        return;
    }
    tick_late_ms_ = scheduler_->last_tick_lateness_ms();
    start_run(it->second.rt.get());
    tick_late_ms_ = -1;
}

void Daemon::start_run(run::PipelineRuntime* rt) {
    const std::string& name = rt->config().name;
    run_begins(rt);
    metrics_.run_started(name);
    update_status();
    {
        log::Event ev(Level::Debug, "run_started", "Run started.");
        ev.pipeline(name);
        if (tick_late_ms_ >= 0) ev.num("late_ms", tick_late_ms_);  // against the planned tick
        ev.emit();
    }
    // `done` may be called from inside start_run (a run failing before any
    // request): everything it touches is already in place.
    run::Options ro;
    ro.state_dir = run::resolve_state_dir(opts_.state_dir);
    rt->start_run(*transport_, ro, [this, rt](run::Report report) { on_run_done(rt, report); });
}

void Daemon::on_run_done(run::PipelineRuntime* rt, const run::Report& report) {
    if (!run_ends(rt)) return;  // abandoned at shutdown
    const std::string name = rt->config().name;
    auto it = pipes_.find(name);
    // A removed pipeline's series are gone; a changed one's old run still counts.
    if (it != pipes_.end()) {
        metrics_.run_finished(name, report, wall_now_s());
        if (it->second.rt.get() == rt) {
            it->second.last_failed = !report.ok;
            set_failed(name, !report.ok);
        }
    }
    update_status();
    defer();  // free a retired runtime, finish a drain: not from inside the run
}

void Daemon::defer() {
    if (!handles_open_) return;
    uv_timer_start(&defer_timer_, [](uv_timer_t* t) { static_cast<Daemon*>(t->data)->housekeeping(); }, 0, 0);
}

void Daemon::housekeeping() {
    std::erase_if(retiring_, [this](const auto& rt) { return !in_flight_.count(rt.get()); });
    if (state_ == State::Running && delayed_ > 0) {
        for (auto& [name, pipe] : pipes_) {
            if (!pipe.delayed || busy(name)) continue;
            pipe.delayed = false;
            --delayed_;
            start_run(pipe.rt.get());
        }
    }
    if (state_ == State::Draining && in_flight_.empty()) finish_shutdown(false);
}

void Daemon::log_abandoned(const std::string& why) {
    auto now = std::chrono::steady_clock::now();
    for (const auto& [rt, started] : in_flight_) {
        std::int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - started).count();
        log::Event(Level::Error, "run_failed", "Run failed.")
            .pipeline(rt->config().name)
            .num("duration_ms", ms).num("http_status", 0).num("pages", 0).num("bytes", 0)
            .num("records_in", 0).num("records_out", 0).num("records_failed", 0)
            .str("error", why)
            .emit();
    }
}

void Daemon::on_signal(uv_signal_t* h, int signum) {
    auto* self = static_cast<Daemon*>(h->data);
    if (signum == SIGHUP) self->reload();
    else self->shutdown(signum);
}

void Daemon::reload() {
    if (state_ != State::Running) {
        log::write(Level::Debug, "reload_ignored", "SIGHUP during shutdown ignored.");
        return;
    }
    notifier_->reloading();
    config::Configuration cfg;
    std::vector<std::string> errors;
    bool ok = load(cfg, errors);

    std::map<std::string, std::string> old;
    for (const auto& [name, pipe] : pipes_) old[name] = pipe.rt->config().fingerprint;
    ReloadPlan plan = plan_reload(old, cfg.pipelines);

    // Build (and open sinks of) every added or changed pipeline before
    // touching the running set: a failure leaves it untouched.
    std::map<std::string, std::shared_ptr<run::PipelineRuntime>> fresh;
    if (ok) {
        std::set<std::string> todo(plan.added.begin(), plan.added.end());
        todo.insert(plan.changed.begin(), plan.changed.end());
        for (const auto& p : cfg.pipelines) {
            if (!todo.count(p.name)) continue;
            std::string err;
            auto rt = build(p, err);
            if (!rt) {
                errors.push_back("sluiced: error: " + log::redact_text(err));
                ok = false;
                continue;
            }
            fresh[p.name] = std::move(rt);
        }
    }
    if (!ok) {
        metrics_.config_loaded(false, wall_now_s());
        log::Event(Level::Error, "config_reload_failed",
                   "The new configuration is invalid; the old one keeps running.")
            .strings("errors", errors)
            .emit();
        notifier_->ready(status_line());
        return;
    }

    for (const auto& name : plan.removed) {
        retire(name);
        metrics_.remove_pipeline(name);
    }
    for (const auto& name : plan.changed) {
        retire(name);
        pipes_[name] = Pipe{fresh[name], false};
        arm(name, fresh[name]->config().schedule);
    }
    for (const auto& name : plan.added) add_pipeline(name, fresh[name]);
    metrics_.set_pipelines(pipes_.size());
    size_connection_cache();
    metrics_.config_loaded(true, wall_now_s());
    log::Event(Level::Info, "config_reloaded", "Configuration reloaded.")
        .strings("added", plan.added)
        .strings("changed", plan.changed)
        .strings("removed", plan.removed)
        .num("pipelines", std::int64_t(pipes_.size()))
        .emit();
    if (pipes_.empty())
        log::write(Level::Warn, "no_pipelines", "The configuration has no pipelines; idling until a reload brings some.");
    notifier_->ready(status_line());
}

void Daemon::shutdown(int signum) {
    if (state_ == State::Draining) {
        // Second signal: exit at once. Sinks write each batch with one
        // write call (rolled back on error) and we are between callbacks,
        // so files hold whole lines only.
        log::Event(Level::Warn, "shutdown_forced", "Second signal: exiting at once, abandoning runs in flight.")
            .str("signal", signal_name(signum))
            .num("abandoned", std::int64_t(in_flight_.size()))
            .emit();
        log_abandoned("abandoned: a second signal stopped the daemon before the run finished; nothing was written");
        std::fflush(stderr);
        std::fflush(stdout);
        _exit(1);
    }
    if (state_ != State::Running) return;
    state_ = State::Draining;
    log::Event(Level::Info, "shutdown_started", "Shutting down: no new runs, waiting for runs in flight.")
        .str("signal", signal_name(signum))
        .num("in_flight", std::int64_t(in_flight_.size()))
        .num("timeout_ms", opts_.shutdown_timeout_ms)
        .emit();
    notifier_->stopping("draining " + std::to_string(in_flight_.size()) + " runs");
    scheduler_->close([] {});
    if (in_flight_.empty()) {
        defer();
        return;
    }
    uv_timer_start(
        &shutdown_timer_, [](uv_timer_t* t) { static_cast<Daemon*>(t->data)->finish_shutdown(true); },
        std::uint64_t(std::max<std::int64_t>(opts_.shutdown_timeout_ms, 0)), 0);
}

void Daemon::finish_shutdown(bool timed_out) {
    if (state_ != State::Draining) return;
    std::vector<std::string> abandoned;
    for (const auto& [rt, started] : in_flight_) abandoned.push_back(rt->config().name);
    if (timed_out && !abandoned.empty())
        log::Event(Level::Warn, "shutdown_timeout", "Runs did not finish within the shutdown timeout; abandoned unwritten.")
            .strings("abandoned", abandoned)
            .num("timeout_ms", opts_.shutdown_timeout_ms)
            .emit();
    log_abandoned("abandoned: the shutdown timeout passed before the run finished; nothing was written");
    // Dropping the transport's transfers drops the runs' callbacks: an
    // abandoned run never reaches its sink.
    in_flight_.clear();
    running_.clear();
    log::Event(Level::Info, "shutdown_finished", "Shutdown finished.")
        .num("abandoned", std::int64_t(abandoned.size()))
        .emit();
    exit_code_ = 0;
    teardown();
}

std::string Daemon::status_line() const {
    if (state_ == State::Draining) return "draining " + std::to_string(in_flight_.size()) + " runs";
    std::string s = std::to_string(pipes_.size()) + (pipes_.size() == 1 ? " pipeline, " : " pipelines, ");
    if (pipes_.empty()) return s + "idle";
    s += std::to_string(in_flight_.size()) + " running";
    if (!failing_.empty()) {
        s += ", " + std::to_string(failing_.size()) + " failing: ";
        std::size_t i = 0;
        for (auto f = failing_.begin(); f != failing_.end() && i < 3; ++f, ++i) s += (i ? ", " : "") + *f;
        if (failing_.size() > 3) s += ", ...";
    }
    return s;
}

void Daemon::update_status() {
    if (state_ == State::Running || state_ == State::Draining) notifier_->status(status_line());
}

}  // namespace

int run_daemon(const std::vector<std::string>& paths, const DaemonOptions& options) {
    Daemon d(paths, options);
    return d.run();
}

}  // namespace sluiced::daemon
