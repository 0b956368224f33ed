// `sluiced state show [NAME]`, `state set NAME VALUE`, `state reset NAME`
// (spec §4.2, §9), on --state-dir (default as for run).
#include <cstdio>
#include <optional>

#include "cli/cli.h"
#include "json/json.h"
#include "run/cursor_store.h"
#include "util/arena.h"

namespace sluiced::cli {

namespace {
bool valid_name(const std::string& n) {
    if (n.empty() || !((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= '0' && n[0] <= '9'))) return false;
    for (char c : n)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    return true;
}

// VALUE: JSON number text or a JSON string literal is taken as JSON; any
// other text is a string (so `state set orders 2024-01-01T00:00:00Z` works).
std::string value_json(const std::string& v) {
    Arena arena(1024);
    json::Value parsed;
    std::string err;
    if (json::parse(v, arena, parsed, err) && (parsed.is_number() || parsed.is_string())) {
        std::string out;
        json::encode(parsed, out);
        return out;
    }
    std::string out;
    json::encode_string(v, out);
    return out;
}
}  // namespace

int cmd_state(const Args& args) {
    std::string dir_opt;
    std::vector<std::string> pos;
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (options_done) {
            pos.push_back(a);
        } else if (a == "--") {
            options_done = true;
        } else if (a == "--state-dir") {
            if (i + 1 >= args.size()) return usage_error("--state-dir needs a DIR");
            dir_opt = args[++i];
        } else if (a.rfind("--state-dir=", 0) == 0) {
            dir_opt = a.substr(12);
        } else if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
            // Only long options: a VALUE such as `-5` is a value.
            return usage_error("unknown option `" + a + "` for state");
        } else {
            pos.push_back(a);
        }
    }
    const char* usage = "usage: sluiced state show [NAME] | set NAME VALUE | reset NAME [--state-dir DIR]";
    if (pos.empty()) return usage_error(usage);
    std::string dir = run::resolve_state_dir(dir_opt);
    const std::string& sub = pos[0];
    std::string err;
    if (sub == "show") {
        if (pos.size() > 2) return usage_error(usage);
        if (pos.size() == 2) {
            if (!valid_name(pos[1])) return usage_error("`" + pos[1] + "` is not a pipeline name");
            std::optional<std::string> json;
            if (!run::read_cursor(dir, pos[1], json, err)) {
                std::fprintf(stderr, "sluiced: error: %s\n", err.c_str());
                return 1;
            }
            if (!json) {
                std::fprintf(stderr, "sluiced: no cursor stored for %s in %s\n", pos[1].c_str(), dir.c_str());
                return 1;
            }
            std::printf("%s %s\n", pos[1].c_str(), json->c_str());
            return 0;
        }
        for (const auto& [name, json] : run::list_cursors(dir)) std::printf("%s %s\n", name.c_str(), json.c_str());
        return 0;
    }
    if (sub == "set") {
        if (pos.size() != 3) return usage_error(usage);
        if (!valid_name(pos[1])) return usage_error("`" + pos[1] + "` is not a pipeline name");
        if (!run::write_cursor(dir, pos[1], value_json(pos[2]), err)) {
            std::fprintf(stderr, "sluiced: error: %s\n", err.c_str());
            return 1;
        }
        return 0;
    }
    if (sub == "reset") {
        if (pos.size() != 2) return usage_error(usage);
        if (!valid_name(pos[1])) return usage_error("`" + pos[1] + "` is not a pipeline name");
        if (!run::remove_cursor(dir, pos[1], err)) {
            std::fprintf(stderr, "sluiced: error: %s\n", err.c_str());
            return 1;
        }
        return 0;
    }
    return usage_error(usage);
}

}  // namespace sluiced::cli
