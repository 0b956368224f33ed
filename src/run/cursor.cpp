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

// An RFC 3339 time as whole UTC seconds plus its fraction digits (trailing
// zeros removed), so times compare exactly, below the millisecond too.
struct Time {
    std::int64_t secs;
    std::string_view frac;
};

bool parse_time(std::string_view s, Time& t) {
    std::int64_t ms;
    if (!schedule::parse_rfc3339_ms(s, ms)) return false;
    // ms = secs * 1000 + the first three fraction digits (0..999).
    t.secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    t.frac = {};
    if (s.size() > 19 && s[19] == '.') {
        std::size_t e = 20;
        while (e < s.size() && s[e] >= '0' && s[e] <= '9') ++e;
        t.frac = s.substr(20, e - 20);
        while (!t.frac.empty() && t.frac.back() == '0') t.frac.remove_suffix(1);
    }
    return true;
}

// Greater-than of two cursor values of one type.
int compare(const json::Value& a, const json::Value& b, Arena& arena) {
    if (a.is_number()) return json::compare_numbers(a, b);
    std::string_view sa = json::string_text(a, arena), sb = json::string_text(b, arena);
    Time ta, tb;
    if (parse_time(sa, ta) && parse_time(sb, tb)) {
        if (ta.secs != tb.secs) return ta.secs < tb.secs ? -1 : 1;
        // Fraction digit strings without trailing zeros compare as fractions.
        if (int c = ta.frac.compare(tb.frac)) return c < 0 ? -1 : 1;
    }
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
