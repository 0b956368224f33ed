#include "schedule/cron.h"
#include "util/ascii.h"

#include <date/date.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <vector>

namespace sluiced::schedule {

namespace {

// ---- parsing ----

struct FieldDef {
    const char* name;
    int min;
    int max;
    const std::array<const char*, 12>* names;  // names[i] means value names_base + i
    int names_base;
    int names_count;
    const char* names_label;
};

constexpr std::array<const char*, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                     "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<const char*, 12> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

constexpr FieldDef kSecond{"second", 0, 59, nullptr, 0, 0, nullptr};
constexpr FieldDef kMinute{"minute", 0, 59, nullptr, 0, 0, nullptr};
constexpr FieldDef kHour{"hour", 0, 23, nullptr, 0, 0, nullptr};
constexpr FieldDef kDom{"day-of-month", 1, 31, nullptr, 0, 0, nullptr};
constexpr FieldDef kMonth{"month", 1, 12, &kMonthNames, 1, 12, "a month name (jan-dec)"};
constexpr FieldDef kDow{"day-of-week", 0, 7, &kDayNames, 0, 7, "a weekday name (sun-sat)"};

struct Token {
    std::string_view text;
    std::size_t offset;
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::vector<Token> split_fields(std::string_view text) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_blank(text[i])) ++i;
        if (i == text.size()) break;
        const std::size_t start = i;
        while (i < text.size() && !is_blank(text[i])) ++i;
        out.push_back({text.substr(start, i - start), start});
    }
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string bt(std::string_view s) { return "`" + std::string(s) + "`"; }

// Parses one value of a field: a number in range or a name. `range_end`:
// the value ends a range, where `sun` means 7. `problem` is completed by
// " in the <field> field".
bool parse_value(std::string_view tok, const FieldDef& f, bool range_end, int& v, std::string& problem) {
    if (all_digits(tok)) {
        long long n = 0;
        for (char c : tok) {
            n = n * 10 + (c - '0');
            if (n > 1000000) break;
        }
        if (n < f.min || n > f.max) {
            problem = "value " + std::string(tok) + " out of range " + std::to_string(f.min) + "-" + std::to_string(f.max);
            return false;
        }
        v = int(n);
        return true;
    }
    if (f.names) {
        for (int i = 0; i < f.names_count; ++i) {
            if (iequals(tok, (*f.names)[i])) {
                v = f.names_base + i;
                if (range_end && &f == &kDow && v == 0) v = 7;
                return true;
            }
        }
    }
    problem = "invalid value " + bt(tok);
    return false;
}

// One comma-separated element: `*`, `n`, `a-b`, each optionally `/step`.
bool parse_element(std::string_view item, const FieldDef& f, std::uint64_t& bits, std::string& problem) {
    if (item.empty()) {
        problem = "empty list item";
        return false;
    }
    std::string_view base = item;
    int step = 1;
    bool has_step = false;
    if (const auto slash = item.find('/'); slash != std::string_view::npos) {
        base = item.substr(0, slash);
        const std::string_view st = item.substr(slash + 1);
        if (!all_digits(st)) {
            problem = "invalid step " + bt(st);
            return false;
        }
        const int span = f.max - f.min + 1;
        if (st.size() > 6 || std::stoi(std::string(st)) < 1 || std::stoi(std::string(st)) > span) {
            problem = "step " + bt(st) + " out of range 1-" + std::to_string(span);
            return false;
        }
        step = std::stoi(std::string(st));
        if (base.empty()) {
            problem = "missing value before the step in " + bt(item);
            return false;
        }
        has_step = true;
    }
    int lo = 0, hi = 0;
    if (base == "*") {
        lo = f.min;
        hi = f.max;
    } else if (const auto dash = base.find('-'); dash != std::string_view::npos) {
        const std::string_view a = base.substr(0, dash), b = base.substr(dash + 1);
        if (a.empty() || b.empty()) {
            problem = "invalid range " + bt(base);
            return false;
        }
        if (!parse_value(a, f, false, lo, problem) || !parse_value(b, f, true, hi, problem)) return false;
        if (lo > hi) {
            problem = "range " + bt(base) + " goes backwards";
            return false;
        }
    } else {
        if (!parse_value(base, f, false, lo, problem)) return false;
        hi = has_step ? f.max : lo;  // `a/n` means a-MAX/n
    }
    for (int v = lo; v <= hi; v += step) bits |= std::uint64_t(1) << v;
    return true;
}

bool parse_field(const Token& t, const FieldDef& f, std::uint64_t& bits, std::string& error) {
    bits = 0;
    std::string problem;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = t.text.find(',', start);
        const std::string_view item =
            t.text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (!parse_element(item, f, bits, problem)) {
            error = problem + " in the " + f.name + " field";
            return false;
        }
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return true;
}

template <std::size_t N>
std::bitset<N> to_bits(std::uint64_t v) {
    return std::bitset<N>(v & ((N >= 64) ? ~std::uint64_t(0) : ((std::uint64_t(1) << N) - 1)));
}

struct Macro {
    const char* name;
    const char* expansion;
};
constexpr Macro kMacros[] = {{"@hourly", "0 * * * *"},  {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
                             {"@weekly", "0 0 * * 0"},  {"@monthly", "0 0 1 * *"},  {"@yearly", "0 0 1 1 *"},
                             {"@annually", "0 0 1 1 *"}};

// ---- matching ----

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

template <std::size_t N>
int next_bit(const std::bitset<N>& b, int from) {
    for (int i = std::max(from, 0); i < int(N); ++i)
        if (b[std::size_t(i)]) return i;
    return -1;
}

bool day_matches(const CronSpec& s, std::int64_t days, unsigned d) {
    const bool dom_ok = s.dom[d];
    const int wd = int(floor_div(days + 4, 7) * -7 + days + 4);  // 1970-01-01 was a Thursday (4)
    const bool dow_ok = s.dow[std::size_t(wd)];
    return (s.dom_star || s.dow_star) ? (dom_ok && dow_ok) : (dom_ok || dow_ok);
}

// The first matching second of the day at or after second-of-day `from`, or -1.
int time_of_day(const CronSpec& s, int from) {
    const int h0 = from / 3600, m0 = from / 60 % 60, s0 = from % 60;
    for (int h = next_bit(s.hours, h0); h >= 0; h = next_bit(s.hours, h + 1)) {
        for (int m = next_bit(s.minutes, h == h0 ? m0 : 0); m >= 0; m = next_bit(s.minutes, m + 1)) {
            const int sec = next_bit(s.seconds, (h == h0 && m == m0) ? s0 : 0);
            if (sec >= 0) return h * 3600 + m * 60 + sec;
        }
    }
    return -1;
}

// The first local time (seconds since the local epoch, ignoring the zone)
// in [from, limit) that matches, skipping whole months and days.
std::optional<std::int64_t> next_match_local(const CronSpec& s, std::int64_t from, std::int64_t limit) {
    std::int64_t days = floor_div(from, 86400);
    int sod = int(from - days * 86400);
    while (days * 86400 < limit) {
        const date::year_month_day ymd{date::sys_days{date::days{days}}};
        const int y = int(ymd.year());
        const unsigned m = unsigned(ymd.month()), d = unsigned(ymd.day());
        if (!s.months[m]) {
            int nm = next_bit(s.months, int(m) + 1);
            int ny = y;
            if (nm < 0) nm = next_bit(s.months, 1), ++ny;
            if (nm < 0) return std::nullopt;  // no month at all (not produced by parse_cron)
            days = date::sys_days{date::year{ny} / unsigned(nm) / 1}.time_since_epoch().count();
            sod = 0;
            continue;
        }
        if (day_matches(s, days, d)) {
            const int tod = time_of_day(s, sod);
            if (tod >= 0) {
                const std::int64_t t = days * 86400 + tod;
                return t < limit ? std::optional<std::int64_t>(t) : std::nullopt;
            }
        }
        ++days;
        sod = 0;
    }
    return std::nullopt;
}

constexpr std::int64_t kYear10000 = 253402300800;   // 10000-01-01T00:00:00Z
constexpr std::int64_t kYear0 = -62167219200;       // 0000-01-01T00:00:00Z
constexpr std::int64_t kHorizonSeconds = std::int64_t(kCronHorizonYears / 400) * 146097 * 86400;
static_assert(kCronHorizonYears % 400 == 0);

}  // namespace

bool parse_cron(std::string_view text, CronSpec& out, std::string& error, std::size_t& error_offset) {
    const std::vector<Token> fields = split_fields(text);
    if (!fields.empty() && fields[0].text[0] == '@') {
        const Macro* found = nullptr;
        for (const Macro& m : kMacros)
            if (iequals(fields[0].text, m.name)) found = &m;
        if (!found) {
            error = "unknown macro " + bt(fields[0].text) +
                    " (expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually)";
            error_offset = fields[0].offset;
            return false;
        }
        if (fields.size() > 1) {
            error = "unexpected " + bt(fields[1].text) + " after the macro " + bt(fields[0].text) +
                    " (a macro stands alone)";
            error_offset = fields[1].offset;
            return false;
        }
        std::size_t ignored = 0;
        return parse_cron(found->expansion, out, error, ignored);
    }
    if (fields.size() != 5 && fields.size() != 6) {
        error = "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got " +
                std::to_string(fields.size());
        error_offset = fields.size() > 6 ? fields[6].offset : fields.empty() ? 0 : text.size();
        return false;
    }
    const bool with_seconds = fields.size() == 6;
    const FieldDef* defs[] = {&kSecond, &kMinute, &kHour, &kDom, &kMonth, &kDow};
    std::uint64_t bits[6] = {1, 0, 0, 0, 0, 0};  // seconds {0} unless given
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::size_t slot = with_seconds ? i : i + 1;
        if (!parse_field(fields[i], *defs[slot], bits[slot], error)) {
            error_offset = fields[i].offset;
            return false;
        }
    }
    const Token& hour_t = fields[with_seconds ? 2 : 1];
    const Token& dom_t = fields[with_seconds ? 3 : 2];
    const Token& dow_t = fields[with_seconds ? 5 : 4];
    if (bits[5] & (std::uint64_t(1) << 7)) bits[5] = (bits[5] | 1) & ~(std::uint64_t(1) << 7);  // 7 is Sunday
    out = CronSpec{};
    out.seconds = to_bits<60>(bits[0]);
    out.minutes = to_bits<60>(bits[1]);
    out.hours = to_bits<24>(bits[2]);
    out.dom = to_bits<32>(bits[3]);
    out.months = to_bits<13>(bits[4]);
    out.dow = to_bits<7>(bits[5]);
    out.dom_star = dom_t.text[0] == '*';
    out.dow_star = dow_t.text[0] == '*';
    out.hour_star = hour_t.text == "*";
    return true;
}

std::int64_t next_cron(const CronSpec& spec, std::string_view tz, std::int64_t after_ms) {
    // Whole seconds: the first candidate is the second after `after_ms`.
    std::int64_t t = std::max(floor_div(after_ms, 1000), kYear0) + 1;
    if (t >= kYear10000) return kCronNever;
    const std::int64_t horizon = std::min(t + kHorizonSeconds, kYear10000);
    const date::time_zone* zone = resolve_tz(tz);
    // Wall-clock schedules map local times to instants; hour_star ones match
    // the local time of each instant (see the header).
    const bool wall_clock = zone && !spec.hour_star;
    while (t < horizon) {
        const ZonePeriod p = zone_period(zone, t);
        std::int64_t from_local = t + p.offset_s;
        if (wall_clock) {
            const ZonePeriod prev = zone_period(zone, p.begin_s - 1);
            if (prev.offset_s < p.offset_s && t == p.begin_s) {
                // Spring-forward at `t`: local times of the gap fire once, now.
                if (next_match_local(spec, p.begin_s + prev.offset_s, p.begin_s + p.offset_s)) return t * 1000;
            } else if (prev.offset_s > p.offset_s) {
                // Fall-back: local times repeated after it fired at their first occurrence.
                from_local = std::max(from_local, p.begin_s + prev.offset_s);
            }
        }
        const std::int64_t end = std::min(p.end_s, horizon);
        if (const auto local = next_match_local(spec, from_local, end + p.offset_s)) return (*local - p.offset_s) * 1000;
        t = end;
    }
    return kCronNever;
}

}  // namespace sluiced::schedule
