#include "run/cursor.h"

#include "json/json.h"
#include "schedule/schedule.h"
#include "util/arena.h"

namespace sluiced::run {

namespace {

const char* kind_name(json::Kind k) {
    static const char* names[] = {"null", "bool", "number", "string", "array", "object"};
    return names[int(k)];
}

// Greater-than of two cursor values of one type.
int compare(const json::Value& a, const json::Value& b, Arena& arena) {
    if (a.is_number()) return json::compare_numbers(a, b);
    std::string_view sa = json::string_text(a, arena), sb = json::string_text(b, arena);
    std::int64_t ta, tb;
    if (schedule::parse_rfc3339_ms(sa, ta) && schedule::parse_rfc3339_ms(sb, tb) && ta != tb) return ta < tb ? -1 : 1;
    return sa.compare(sb) < 0 ? -1 : (sa == sb ? 0 : 1);
}

}  // namespace

bool cursor_param_text(const std::string& json_text, std::string& out) {
    Arena arena(1024);
    json::Value v;
    std::string err;
    if (!json::parse(json_text, arena, v, err)) return false;
    if (v.is_number()) {
        out.clear();
        return json::encode(v, out);
    }
    if (v.is_string()) {
        out = std::string(json::string_text(v, arena));
        return true;
    }
    return false;
}

bool compute_cursor(const config::Incremental& inc, const std::vector<Item>& items, expr::Context& ctx,
                    std::optional<std::string>& cursor, std::string& error) {
    json::Value best;
    bool have = false;
    for (const Item& it : items) {
        if (it.line) continue;
        expr::Result r = expr::eval(*inc.cursor.program, it.record, ctx);
        if (!r.ok()) {
            error = "incremental cursor " + inc.cursor.text + ": " + std::string(r.error);
            return false;
        }
        const json::Value& v = r.value;
        if (v.is_null()) continue;
        if (!v.is_number() && !v.is_string()) {
            error = "incremental cursor " + inc.cursor.text + " gave a " + kind_name(v.kind) +
                    ", not a number or string";
            return false;
        }
        if (!have) {
            best = v;
            have = true;
            continue;
        }
        if (v.kind != best.kind) {
            error = "incremental cursor " + inc.cursor.text + " mixes numbers and strings";
            return false;
        }
        if (compare(v, best, ctx.arena) > 0) best = v;
    }
    if (!have) return true;
    // The letter of spec §4.2: the new cursor is the run's greatest value,
    // even when it is below the stored one.
    std::string text;
    if (!json::encode(best, text)) {
        error = "incremental cursor " + inc.cursor.text + " is not a finite number";
        return false;
    }
    cursor = text;
    return true;
}

}  // namespace sluiced::run
