// `sluiced run --once PATH...` (spec §9): every selected pipeline runs once,
// concurrently on one libuv loop; exit 0 when all succeeded, 1 otherwise.
// `sluiced run PATH...` (the daemon) is in daemon/.
#include <uv.h>

#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include "cli/cli.h"
#include "config/loader.h"
#include "daemon/daemon.h"
#include "daemon/metrics_server.h"
#include "log/log.h"
#include "net/curl_multi.h"
#include "run/cursor_store.h"
#include "run/run.h"
#include "source/curl_transport.h"

namespace sluiced::cli {

struct RunArgs {
    bool once = false;
    std::vector<std::string> pipelines;
    std::vector<std::string> paths;
    log::Format format = log::default_format();
    log::Level level = log::Level::Info;
    daemon::DaemonOptions dopts;  // --metrics-listen, --shutdown-timeout, --state-dir
};

static int parse_run_args(const Args& args, RunArgs& out) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& v) -> bool {
            auto eq = a.find('=');
            if (eq != std::string::npos) { v = a.substr(eq + 1); return true; }
            if (i + 1 >= args.size()) return false;
            v = args[++i];
            return true;
        };
        std::string v;
        if (a == "--once") out.once = true;
        else if (a == "--pipeline" || a.rfind("--pipeline=", 0) == 0) {
            if (!value(v)) return usage_error("--pipeline needs a NAME");
            out.pipelines.push_back(v);
        } else if (a == "--log-format" || a.rfind("--log-format=", 0) == 0) {
            if (!value(v) || !log::parse_format(v, out.format))
                return usage_error("--log-format takes json, text or journal");
        } else if (a == "--log-level" || a.rfind("--log-level=", 0) == 0) {
            if (!value(v) || !log::parse_level(v, out.level))
                return usage_error("--log-level takes debug, info, warn or error");
        } else if (a == "--metrics-listen" || a.rfind("--metrics-listen=", 0) == 0) {
            sockaddr_storage addr{};
            std::string err;
            if (!value(v)) return usage_error("--metrics-listen needs ADDR:PORT");
            if (!daemon::parse_listen_address(v, addr, err))
                return usage_error("--metrics-listen `" + v + "`: " + err);
            out.dopts.metrics_listen = v;
        } else if (a == "--shutdown-timeout" || a.rfind("--shutdown-timeout=", 0) == 0) {
            if (!value(v) || !config::parse_duration(v, out.dopts.shutdown_timeout_ms))
                return usage_error("--shutdown-timeout takes a duration such as 30s");
        } else if (a == "--state-dir" || a.rfind("--state-dir=", 0) == 0) {
            if (!value(v) || v.empty()) return usage_error("--state-dir needs a DIR");
            out.dopts.state_dir = v;
        } else if (a == "--") {
            for (++i; i < args.size(); ++i) out.paths.push_back(args[i]);
        } else if (a.size() > 1 && a[0] == '-') {
            return usage_error("unknown option `" + a + "` for run");
        } else {
            out.paths.push_back(a);
        }
    }
    if (out.paths.empty()) return usage_error("run needs at least one PATH");
    return 0;
}

int cmd_run(const Args& args) {
    RunArgs ra;
    if (int rc = parse_run_args(args, ra)) return rc;
    log::configure(ra.format, ra.level);
    if (!ra.once) {
        ra.dopts.pipelines = ra.pipelines;
        return daemon::run_daemon(ra.paths, ra.dopts);
    }
    config::Configuration cfg;
    if (!load_config(ra.paths, false, cfg)) return 2;

    std::set<std::string> wanted(ra.pipelines.begin(), ra.pipelines.end());
    for (const auto& name : wanted) {
        bool found = false;
        for (const auto& p : cfg.pipelines) found = found || p.name == name;
        if (!found) return usage_error("--pipeline `" + name + "`: no such pipeline");
    }

    std::vector<std::unique_ptr<run::PipelineRuntime>> runtimes;
    for (auto& p : cfg.pipelines) {
        if (!wanted.empty() && !wanted.count(p.name)) continue;
        runtimes.push_back(std::make_unique<run::PipelineRuntime>(std::make_shared<config::Pipeline>(p)));
    }
    if (runtimes.empty()) log::write(log::Level::Warn, "no_pipelines", "the configuration has no pipelines");

    const std::string state_dir = run::resolve_state_dir(ra.dopts.state_dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int failures = 0;
    {
        net::CurlMulti multi(&loop);
        source::CurlTransport transport(multi);
        for (auto& rt : runtimes) {
            std::string err;
            if (!rt->open_sinks(err)) {
                ++failures;
                log::Event(log::Level::Error, "run_failed", "run failed")
                    .pipeline(rt->config().name)
                    .num("duration_ms", 0).num("http_status", 0).num("pages", 0).num("bytes", 0)
                    .num("records_in", 0).num("records_out", 0).num("records_failed", 0)
                    .str("error", err)
                    .emit();
                continue;
            }
            run::Options opts;
            opts.state_dir = state_dir;
            rt->start_run(transport, opts, [&failures](run::Report r) {
                if (!r.ok) ++failures;
            });
        }
        uv_run(&loop, UV_RUN_DEFAULT);
        multi.close([] {});
        uv_run(&loop, UV_RUN_DEFAULT);
    }
    uv_loop_close(&loop);
    return failures ? 1 : 0;
}

}  // namespace sluiced::cli
