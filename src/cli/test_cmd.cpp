// `sluiced test PATH...` (spec §8): runs each `tests:` case through the real
// run path (decode, records, stages, retries, status handling) on a scripted
// transport with no network, then compares output, dead letters, requests
// and errors. Prints PASS/FAIL lines with a diff and a closing count line.
#include <algorithm>
#include <climits>
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "cli/cli.h"
#include "config/loader.h"
#include "json/json.h"
#include "log/log.h"
#include "run/run.h"
#include "source/scripted_transport.h"
#include "util/arena.h"
#include "util/ascii.h"

namespace sluiced::cli {

namespace {

// The records of an NDJSON batch (lines that do not parse are skipped: the
// batch is ours and always valid).
std::vector<json::Value> parse_lines(const std::string& ndjson, Arena& arena) {
    std::vector<json::Value> out;
    std::size_t pos = 0;
    std::string err;
    while (pos < ndjson.size()) {
        std::size_t nl = ndjson.find('\n', pos);
        if (nl == std::string::npos) nl = ndjson.size();
        std::string_view line = arena.copy(std::string_view(ndjson).substr(pos, nl - pos));
        pos = nl + 1;
        json::Value v;
        if (!line.empty() && json::parse(line, arena, v, err)) out.push_back(v);
    }
    return out;
}

// The elements of a JSON array text from the loader (`expect`, ...).
std::vector<json::Value> parse_array(const std::string& text, Arena& arena) {
    std::vector<json::Value> out;
    json::Value v;
    std::string err;
    if (json::parse(arena.copy(text), arena, v, err) && v.is_array())
        out.assign(v.items, v.items + v.size);
    return out;
}

std::string to_text(const json::Value& v) {
    std::string s;
    json::encode(v, s);
    return s;
}

// Dead letters match with `error` as a substring (spec §8).
bool dead_letter_matches(const json::Value& expected, const json::Value& actual, Arena& arena) {
    if (!expected.is_object() || !actual.is_object()) return json::equal(expected, actual, arena);
    if (expected.size != actual.size) return false;
    for (std::uint32_t i = 0; i < expected.size; ++i) {
        std::string_view key = json::string_text(expected.members[i].key, arena);
        const json::Value* a = json::find_member(actual, key, arena);
        if (!a) return false;
        const json::Value& e = expected.members[i].value;
        if (key == "error" && e.is_string() && a->is_string()) {
            if (json::string_text(*a, arena).find(json::string_text(e, arena)) == std::string_view::npos) return false;
        } else if (!json::equal(e, *a, arena)) {
            return false;
        }
    }
    return true;
}

// Compares two record lists in order; appends a -/+ diff to `diff`.
bool compare_lists(const char* what, const std::vector<json::Value>& expected, const std::vector<json::Value>& actual,
                   bool dead_letters, Arena& arena, std::string& diff) {
    bool same = expected.size() == actual.size();
    std::size_t n = std::max(expected.size(), actual.size());
    std::string body;
    for (std::size_t i = 0; i < n; ++i) {
        bool has_e = i < expected.size(), has_a = i < actual.size();
        bool eq = has_e && has_a &&
                  (dead_letters ? dead_letter_matches(expected[i], actual[i], arena)
                                : json::equal(expected[i], actual[i], arena));
        if (eq) {
            body += "      " + to_text(actual[i]) + "\n";
            continue;
        }
        same = false;
        if (has_e) body += "    - " + to_text(expected[i]) + "\n";
        if (has_a) body += "    + " + to_text(actual[i]) + "\n";
    }
    if (!same) {
        diff += std::string("  ") + what + " differ (- expected, + actual): expected " + std::to_string(expected.size()) +
                ", got " + std::to_string(actual.size()) + "\n" + body;
    }
    return same;
}

bool header_matches(const source::HeaderList& headers, const std::string& name, const std::string& value) {
    for (const auto& [n, v] : headers)
        if (iequals(n, name) && v == value) return true;
    return false;
}

bool is_missing_env(const config::Diagnostic& d) {
    return d.message.rfind("environment variable `", 0) == 0 && d.message.find("` is not set") != std::string::npos;
}

// Whether no diagnostic falls inside `p`'s definition: from its key to the
// next pipeline or test case of the same file.
bool pipeline_clean(const config::Configuration& c, const config::Pipeline& p,
                    const std::vector<config::Diagnostic>& diags) {
    int end = INT32_MAX;
    for (const auto& q : c.pipelines)
        if (q.mark.file == p.mark.file && q.mark.line > p.mark.line) end = std::min(end, q.mark.line);
    for (const auto& t : c.tests)
        if (t.mark.file == p.mark.file && t.mark.line > p.mark.line) end = std::min(end, t.mark.line);
    for (const auto& d : diags) {
        if (!d.has_mark) return false;
        if (d.mark.file == p.mark.file && d.mark.line >= p.mark.line && d.mark.line < end) return false;
    }
    return true;
}

}  // namespace

int cmd_test(const Args& args) {
    std::vector<std::string> paths;
    for (const auto& a : args) {
        if (a.size() > 1 && a[0] == '-') return usage_error("unknown option `" + a + "` for test");
        paths.push_back(a);
    }
    if (paths.empty()) return usage_error("test needs at least one PATH");
    log::configure(log::Format::Text, log::Level::Error);
    // The test list is read first. A `${NAME}` that only a test's `env:`
    // provides fails this first load (the loader still returns what it
    // read); any other configuration error is exit 2 as usual. Each test
    // then needs its pipeline free of errors under its own `env:`.
    config::Configuration cfg;
    std::vector<config::Diagnostic> strict_diags;
    {
        config::LoadOptions opts;
        opts.require_schedule = false;
        config::load(paths, opts, cfg, strict_diags);
        bool only_env = true;
        for (const auto& d : strict_diags) only_env = only_env && is_missing_env(d);
        bool any_env = false;
        for (const auto& tc : cfg.tests) any_env = any_env || !tc.env.empty();
        if (!strict_diags.empty() && (!only_env || !any_env)) {
            for (const auto& d : strict_diags) std::fprintf(stderr, "%s\n", config::format(d).c_str());
            return 2;
        }
    }
    int passed = 0, failed = 0;
    for (const auto& tc : cfg.tests) {
        // A test with `env:` loads the configuration again with its values.
        const config::Pipeline* pipeline = nullptr;
        config::Configuration env_cfg;
        const config::Configuration* from = &cfg;
        const std::vector<config::Diagnostic>* diags = &strict_diags;
        std::vector<config::Diagnostic> env_diags;
        if (!tc.env.empty()) {
            std::map<std::string, std::string> overlay(tc.env.begin(), tc.env.end());
            config::LoadOptions opts;
            opts.require_schedule = false;
            opts.env_overlay = &overlay;
            config::load(paths, opts, env_cfg, env_diags);
            from = &env_cfg;
            diags = &env_diags;
        }
        for (const auto& p : from->pipelines)
            if (p.name == tc.pipeline) pipeline = &p;
        if (pipeline && !pipeline_clean(*from, *pipeline, *diags)) {
            for (const auto& d : *diags) std::fprintf(stderr, "%s\n", config::format(d).c_str());
            return 2;
        }
        std::string diff;
        bool ok = true;
        if (!pipeline) {
            ok = false;
            diff += "  no pipeline `" + tc.pipeline + "`\n";
        }
        if (ok) {
            auto p = std::make_shared<config::Pipeline>(*pipeline);
            std::vector<config::ScriptedResponse> responses = tc.responses;
            if (!tc.scripted) {
                config::ScriptedResponse r;
                r.body = tc.response.value_or("");
                responses.push_back(r);
            }
            source::ScriptedTransport transport(std::move(responses));
            run::PipelineRuntime rt(p);
            run::Options opt;
            opt.write_sinks = false;
            opt.capture = true;
            opt.log_events = false;
            opt.write_state = false;            // tests never touch the state directory
            opt.cursor_override = tc.state_json;
            opt.oauth2_token_override = "test-token";
            run::Report report;
            bool finished = false;
            rt.start_run(transport, opt, [&](run::Report r) { report = std::move(r); finished = true; });
            transport.drain();
            Arena arena;
            if (!finished) {
                ok = false;
                diff += "  the run did not finish\n";
            } else {
                if (tc.expect_error_set && tc.expect_error) {
                    if (report.ok) {
                        ok = false;
                        diff += "  expected the run to fail with \"" + *tc.expect_error + "\", but it succeeded\n";
                    } else if (report.error.find(*tc.expect_error) == std::string::npos) {
                        ok = false;
                        diff += "  expected error containing \"" + *tc.expect_error + "\", got \"" + report.error + "\"\n";
                    }
                } else if (!report.ok) {
                    ok = false;
                    diff += "  the run failed: " + report.error + "\n";
                }
                if (tc.expect_json)
                    ok = compare_lists("records", parse_array(*tc.expect_json, arena),
                                       parse_lines(report.output, arena), false, arena, diff) && ok;
                if (tc.expect_dead_letter_json)
                    ok = compare_lists("dead letters", parse_array(*tc.expect_dead_letter_json, arena),
                                       parse_lines(report.dead_letters, arena), true, arena, diff) && ok;
                if (tc.expect_state_json) {
                    json::Value expected, actual;
                    std::string err;
                    std::string_view etext = arena.copy(*tc.expect_state_json);
                    std::string_view atext = arena.copy(report.cursor.value_or("null"));
                    json::parse(etext, arena, expected, err);
                    json::parse(atext, arena, actual, err);
                    if (!json::equal(expected, actual, arena)) {
                        ok = false;
                        diff += "  state: expected " + to_text(expected) + ", got " + to_text(actual) + "\n";
                    }
                }
                const auto& reqs = transport.requests();
                if (transport.unexpected_requests()) {
                    ok = false;
                    diff += "  " + std::to_string(transport.unexpected_requests()) +
                            " request(s) beyond the scripted responses\n";
                }
                if (transport.unused_responses()) {
                    ok = false;
                    diff += "  " + std::to_string(transport.unused_responses()) + " scripted response(s) left unused\n";
                }
                if (tc.expect_requests_count && int(reqs.size()) != *tc.expect_requests_count) {
                    ok = false;
                    diff += "  expected " + std::to_string(*tc.expect_requests_count) + " requests, got " +
                            std::to_string(reqs.size()) + "\n";
                }
                if (tc.expect_requests) {
                    const auto& exp = *tc.expect_requests;
                    if (exp.size() != reqs.size()) {
                        ok = false;
                        diff += "  expected " + std::to_string(exp.size()) + " requests, got " +
                                std::to_string(reqs.size()) + "\n";
                    }
                    for (std::size_t i = 0; i < exp.size() && i < reqs.size(); ++i) {
                        const auto& e = exp[i];
                        const auto& r = reqs[i];
                        std::string where = "  request " + std::to_string(i + 1) + ": ";
                        if (e.method && *e.method != r.method) {
                            ok = false;
                            diff += where + "method expected " + *e.method + ", got " + r.method + "\n";
                        }
                        if (e.url && *e.url != r.url) {
                            ok = false;
                            diff += where + "url expected " + log::redact_url(*e.url) + ", got " + log::redact_url(r.url) +
                                    "\n";
                        }
                        if (e.body && *e.body != r.body) {
                            ok = false;
                            diff += where + "body expected " + *e.body + ", got " + r.body + "\n";
                        }
                        for (const auto& [n, v] : e.headers) {
                            if (!header_matches(r.headers, n, v)) {
                                ok = false;
                                diff += where + "header " + n + ": " + (log::sensitive_name(n) ? "***" : v) +
                                        " not sent\n";
                            }
                        }
                    }
                }
            }
        }
        if (ok) {
            ++passed;
            std::printf("PASS %s\n", tc.name.c_str());
        } else {
            ++failed;
            std::printf("FAIL %s (%s:%d:%d)\n%s", tc.name.c_str(), tc.mark.file.c_str(), tc.mark.line, tc.mark.column,
                        diff.c_str());
        }
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    std::fflush(stdout);
    return failed ? 1 : 0;
}

}  // namespace sluiced::cli
