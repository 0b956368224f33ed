// `sluiced tap NAME PATH...` (spec §9): fetch and run one pipeline now and
// print its output records on stdout (indented when stdout is a terminal)
// instead of writing its sink. Reads the stored cursor, writes no state and
// no sink. Record errors go to stderr as record_failed events. Exit 1 when
// the run fails.
#include <unistd.h>
#include <uv.h>

#include <cstdio>
#include <memory>

#include "cli/cli.h"
#include "config/loader.h"
#include "log/log.h"
#include "net/curl_multi.h"
#include "run/cursor_store.h"
#include "run/run.h"
#include "source/curl_transport.h"

namespace sluiced::cli {

namespace {

// Indents one line of minified JSON (two spaces per level).
std::string pretty(std::string_view json) {
    std::string out;
    int depth = 0;
    bool in_str = false;
    auto newline = [&] {
        out.push_back('\n');
        out.append(std::size_t(depth) * 2, ' ');
    };
    for (std::size_t i = 0; i < json.size(); ++i) {
        char c = json[i];
        if (in_str) {
            out.push_back(c);
            if (c == '\\' && i + 1 < json.size()) out.push_back(json[++i]);
            else if (c == '"') in_str = false;
            continue;
        }
        switch (c) {
            case '"': in_str = true; out.push_back(c); break;
            case '{':
            case '[':
                out.push_back(c);
                if (i + 1 < json.size() && (json[i + 1] == '}' || json[i + 1] == ']')) {
                    out.push_back(json[++i]);
                    break;
                }
                ++depth;
                newline();
                break;
            case '}':
            case ']':
                --depth;
                newline();
                out.push_back(c);
                break;
            case ',': out.push_back(c); newline(); break;
            case ':': out += ": "; break;
            default: out.push_back(c);
        }
    }
    return out;
}

}  // namespace

int cmd_tap(const Args& args) {
    std::string name, state_dir_opt;
    std::vector<std::string> paths;
    log::Format format = log::default_format();
    log::Level level = log::Level::Info;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string v;
        auto value = [&]() -> bool {
            auto eq = a.find('=');
            if (eq != std::string::npos) { v = a.substr(eq + 1); return true; }
            if (i + 1 >= args.size()) return false;
            v = args[++i];
            return true;
        };
        if (a == "--state-dir" || a.rfind("--state-dir=", 0) == 0) {
            if (!value() || v.empty()) return usage_error("--state-dir needs a DIR");
            state_dir_opt = v;
        } else if (a == "--log-format" || a.rfind("--log-format=", 0) == 0) {
            if (!value() || !log::parse_format(v, format)) return usage_error("--log-format takes json, text or journal");
        } else if (a == "--log-level" || a.rfind("--log-level=", 0) == 0) {
            if (!value() || !log::parse_level(v, level)) return usage_error("--log-level takes debug, info, warn or error");
        } else if (a.size() > 1 && a[0] == '-') {
            return usage_error("unknown option `" + a + "` for tap");
        } else if (name.empty()) {
            name = a;
        } else {
            paths.push_back(a);
        }
    }
    if (name.empty() || paths.empty()) return usage_error("usage: sluiced tap NAME PATH...");
    log::configure(format, level);
    config::Configuration cfg;
    if (!load_config(paths, false, cfg)) return 2;
    const config::Pipeline* p = nullptr;
    for (const auto& q : cfg.pipelines)
        if (q.name == name) p = &q;
    if (!p) return usage_error("no pipeline `" + name + "` in the configuration");

    run::PipelineRuntime rt(std::make_shared<config::Pipeline>(*p));
    run::Options opts;
    opts.write_sinks = false;
    opts.write_state = false;
    opts.capture = true;
    opts.state_dir = run::resolve_state_dir(state_dir_opt);
    run::Report report;
    uv_loop_t loop;
    uv_loop_init(&loop);
    {
        net::CurlMulti multi(&loop);
        source::CurlTransport transport(multi);
        rt.start_run(transport, opts, [&](run::Report r) { report = std::move(r); });
        uv_run(&loop, UV_RUN_DEFAULT);
        transport.cancel_all();
        multi.close([] {});
        uv_run(&loop, UV_RUN_DEFAULT);
    }
    uv_loop_close(&loop);
    if (!report.ok) return 1;
    bool tty = isatty(1);
    std::string out;
    if (!tty) {
        out = std::move(report.output);
    } else {
        std::size_t pos = 0;
        while (pos < report.output.size()) {
            std::size_t nl = report.output.find('\n', pos);
            if (nl == std::string::npos) nl = report.output.size();
            out += pretty(std::string_view(report.output).substr(pos, nl - pos));
            out += '\n';
            pos = nl + 1;
        }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace sluiced::cli
