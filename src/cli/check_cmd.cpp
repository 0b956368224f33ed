// `sluiced check [--once] [--quiet] [--now RFC3339] PATH...` (spec §1, §9).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "cli/cli.h"
#include "config/loader.h"
#include "schedule/schedule.h"
#include "log/log.h"

namespace sluiced::cli {

namespace {

std::string duration_text(std::int64_t ms) {
    if (ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
    if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::string sink_text(const config::Sink& s) {
    if (s.kind == config::Sink::Kind::Stdout) return "stdout";
    std::string t = "file " + s.path + " (" + (s.mode == config::Sink::Mode::Append ? "append" : "replace") + ", " +
                    (s.format == config::Sink::Format::Ndjson ? "ndjson" : "json") + ", fsync " +
                    (s.fsync == config::Sink::Fsync::Batch ? "batch" : "never");
    if (s.rotate) t += ", rotate " + std::to_string(s.rotate_max_bytes) + " bytes keep " + std::to_string(s.rotate_keep);
    return t + ")";
}

}  // namespace

int cmd_check(const Args& args) {
    bool once = false, quiet = false;
    std::vector<std::string> paths;
    std::optional<std::int64_t> now_ms;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--once") once = true;
        else if (a == "--quiet" || a == "-q") quiet = true;
        else if (a == "--now" || a.rfind("--now=", 0) == 0) {
            std::string v;
            if (a == "--now") {
                if (i + 1 >= args.size()) return usage_error("--now needs an RFC 3339 time");
                v = args[++i];
            } else {
                v = a.substr(6);
            }
            std::int64_t t;
            if (!schedule::parse_rfc3339_ms(v, t)) return usage_error("--now: `" + v + "` is not an RFC 3339 time");
            now_ms = t;
        } else if (a.size() > 1 && a[0] == '-') {
            return usage_error("unknown option `" + a + "` for check");
        } else {
            paths.push_back(a);
        }
    }
    if (paths.empty()) return usage_error("check needs at least one PATH");
    config::Configuration cfg;
    if (!load_config(paths, !once, cfg)) return 2;
    if (quiet) return 0;
    std::int64_t now = now_ms ? *now_ms
                              : std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    for (const auto& p : cfg.pipelines) {
        std::printf("pipeline %s\n", p.name.c_str());
        const auto& s = p.schedule;
        if (s.kind == config::Schedule::Kind::None) {
            std::printf("  schedule: none (run --once only)\n");
        } else {
            if (s.kind == config::Schedule::Kind::Every)
                std::printf("  schedule: every %s", duration_text(s.every_ms).c_str());
            else
                std::printf("  schedule: cron \"%s\" tz %s", s.cron.c_str(), s.tz.c_str());
            if (s.jitter_ms) std::printf(" jitter %s", duration_text(s.jitter_ms).c_str());
            std::printf("\n  next:");
            std::string err;
            auto times = schedule::next_fire_times(s, now, 3, err);
            if (!err.empty()) std::printf(" (%s)", err.c_str());
            for (auto t : times) std::printf(" %s", schedule::format_rfc3339(t).c_str());
            std::printf("\n");
        }
        std::printf("  source: %s %s (%s)\n", p.source.method.c_str(), log::redact_url(p.source.url).c_str(),
                    p.source.format == config::HttpSource::Format::Json ? "json" : "ndjson");
        std::printf("  stages: %zu\n", p.stages.size());
        std::printf("  sink: %s\n", sink_text(p.sink).c_str());
        if (p.dead_letter) std::printf("  dead_letter: %s\n", sink_text(*p.dead_letter).c_str());
    }
    std::printf("ok: %zu pipeline%s, %zu test%s\n", cfg.pipelines.size(), cfg.pipelines.size() == 1 ? "" : "s",
                cfg.tests.size(), cfg.tests.size() == 1 ? "" : "s");
    return 0;
}

}  // namespace sluiced::cli
