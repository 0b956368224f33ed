// Time builtins (spec §6.3): now, parse_time, format_time.
//
// Times are epoch seconds (UTC). Parsing and formatting are done here with
// days-from-civil arithmetic and C-locale names: no timegm, strptime or
// strftime, so nothing depends on the locale or TZ. Directives:
// %Y %m %d %e %H %I %p %M %S %f %z %Z %b %B %a %A %j %s %T %F %%.
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "expr/builtins.h"
#include "util/civil.h"
#include "expr/runtime.h"

namespace sluiced::expr {
namespace {

constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};
constexpr const char* kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr const char kDirectives[] = "YmdeHIpMSfzZbBaAjsTF%";

// Seconds since the epoch of 0000-01-01 and 9999-12-31T23:59:59.
constexpr std::int64_t kMinTime = civil::days_from_civil(0, 1, 1) * 86400;
constexpr std::int64_t kMaxTime = civil::days_from_civil(9999, 12, 31) * 86400 + 86399;

bool digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// ---------------------------------------------------------------- parsing

struct Fields {
    std::int64_t year = 1970;
    int month = 1, day = 1, hour = 0, minute = 0, second = 0;
    int yday = 0;          // 1..366 when %j was given
    int ampm = -1;         // -1 none, 0 AM, 1 PM
    bool hour12 = false;   // hour came from %I
    bool month_or_day = false;
    bool has_epoch = false;
    std::int64_t epoch = 0;
    std::string_view frac; // fraction digits
    std::int64_t offset = 0;  // seconds east of UTC
};

class Scanner {
public:
    explicit Scanner(std::string_view s) : s_(s) {}
    bool done() const { return i_ >= s_.size(); }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    bool eat(char c) {
        if (peek() != c) return false;
        ++i_;
        return true;
    }
    // 1..max digits (exactly max when `fixed`).
    bool number(int max, int& out, bool fixed = false) {
        std::size_t start = i_;
        int v = 0;
        while (i_ < s_.size() && digit(s_[i_]) && int(i_ - start) < max) v = v * 10 + (s_[i_++] - '0');
        out = v;
        std::size_t n = i_ - start;
        return fixed ? int(n) == max : n > 0;
    }
    std::string_view digits() {
        std::size_t start = i_;
        while (i_ < s_.size() && digit(s_[i_])) ++i_;
        return s_.substr(start, i_ - start);
    }
    void skip_space() { while (i_ < s_.size() && space(s_[i_])) ++i_; }
    // Case-insensitive match of a full name or its 3-letter abbreviation.
    int name(const char* const* names, int count) {
        for (int k = 0; k < count; ++k) {
            std::size_t len = std::strlen(names[k]);
            if (prefix(names[k], len)) { i_ += len; return k; }
        }
        for (int k = 0; k < count; ++k)
            if (prefix(names[k], 3)) { i_ += 3; return k; }
        return -1;
    }
    bool word(const char* w) {
        std::size_t len = std::strlen(w);
        if (!prefix(w, len)) return false;
        i_ += len;
        return true;
    }
    // Z | z | +hh:mm | +hhmm | +hh (and -)
    bool offset(std::int64_t& out, bool allow_short) {
        if (eat('Z') || eat('z')) { out = 0; return true; }
        char sign = peek();
        if (sign != '+' && sign != '-') return false;
        ++i_;
        int h, m = 0;
        if (!number(2, h, true)) return false;
        if (eat(':')) {
            if (!number(2, m, true)) return false;
        } else if (digit(peek())) {
            if (!number(2, m, true)) return false;
        } else if (!allow_short) {
            return false;
        }
        if (h > 23 || m > 59) return false;
        out = (h * 3600 + m * 60) * (sign == '-' ? -1 : 1);
        return true;
    }

private:
    bool prefix(const char* w, std::size_t len) const {
        if (s_.size() - i_ < len) return false;
        for (std::size_t k = 0; k < len; ++k)
            if (lower(s_[i_ + k]) != lower(w[k])) return false;
        return true;
    }
    std::string_view s_;
    std::size_t i_ = 0;
};

// RFC 3339 date-time: YYYY-MM-DD(T|t| )HH:MM:SS(.fraction)?(Z|+hh:mm|+hhmm)
// (the offset is required, as RFC 3339 requires it: spec §6.3).
bool parse_rfc3339(std::string_view s, Fields& f) {
    Scanner sc(s);
    int y;
    if (!sc.number(4, y, true) || !sc.eat('-') || !sc.number(2, f.month, true) || !sc.eat('-') ||
        !sc.number(2, f.day, true))
        return false;
    f.year = y;
    f.month_or_day = true;
    if (!(sc.eat('T') || sc.eat('t') || sc.eat(' '))) return false;
    if (!sc.number(2, f.hour, true) || !sc.eat(':') || !sc.number(2, f.minute, true) || !sc.eat(':') ||
        !sc.number(2, f.second, true))
        return false;
    if (sc.eat('.')) {
        f.frac = sc.digits();
        if (f.frac.empty()) return false;
    }
    if (sc.done() || !sc.offset(f.offset, false)) return false;
    return sc.done();
}

bool parse_format(std::string_view s, std::string_view fmt, Fields& f) {
    Scanner sc(s);
    for (std::size_t k = 0; k < fmt.size(); ++k) {
        char c = fmt[k];
        if (space(c)) { sc.skip_space(); continue; }
        if (c != '%') {
            if (!sc.eat(c)) return false;
            continue;
        }
        if (++k >= fmt.size()) return false;
        int v;
        switch (fmt[k]) {
            case 'Y': {
                bool neg = sc.eat('-');
                if (!sc.number(4, v)) return false;
                f.year = neg ? -v : v;
                break;
            }
            case 'm': if (!sc.number(2, f.month)) return false; f.month_or_day = true; break;
            case 'd': if (!sc.number(2, f.day)) return false; f.month_or_day = true; break;
            case 'e': sc.eat(' '); if (!sc.number(2, f.day)) return false; f.month_or_day = true; break;
            case 'H': if (!sc.number(2, f.hour)) return false; f.hour12 = false; break;
            case 'I': if (!sc.number(2, f.hour)) return false; f.hour12 = true; break;
            case 'M': if (!sc.number(2, f.minute)) return false; break;
            case 'S': if (!sc.number(2, f.second)) return false; break;
            case 'f': f.frac = sc.digits(); if (f.frac.empty()) return false; break;
            case 'j': if (!sc.number(3, f.yday) || f.yday < 1) return false; break;
            case 'p':
                if (sc.word("AM")) f.ampm = 0;
                else if (sc.word("PM")) f.ampm = 1;
                else return false;
                break;
            case 'b':
            case 'B': {
                int m = sc.name(kMonths, 12);
                if (m < 0) return false;
                f.month = m + 1;
                f.month_or_day = true;
                break;
            }
            case 'a':
            case 'A': if (sc.name(kDays, 7) < 0) return false; break;
            case 'z': if (!sc.offset(f.offset, true)) return false; break;
            case 'Z':
                if (sc.word("UTC") || sc.word("GMT") || sc.eat('Z') || sc.eat('z')) f.offset = 0;
                else return false;
                break;
            case 's': {
                bool neg = sc.eat('-');
                std::string_view d = sc.digits();
                std::int64_t e = 0;
                if (d.empty() || std::from_chars(d.data(), d.data() + d.size(), e).ec != std::errc()) return false;
                f.epoch = neg ? -e : e;
                f.has_epoch = true;
                break;
            }
            case 'T':
                if (!sc.number(2, f.hour) || !sc.eat(':') || !sc.number(2, f.minute) || !sc.eat(':') || !sc.number(2, f.second))
                    return false;
                f.hour12 = false;
                break;
            case 'F': {
                bool neg = sc.eat('-');
                if (!sc.number(4, v) || !sc.eat('-') || !sc.number(2, f.month) || !sc.eat('-') || !sc.number(2, f.day))
                    return false;
                f.year = neg ? -v : v;
                f.month_or_day = true;
                break;
            }
            case '%': if (!sc.eat('%')) return false; break;
            default: return false;
        }
    }
    return sc.done();
}

// Seconds of the fields; false when a field is out of range.
bool to_seconds(Fields& f, std::int64_t& out) {
    if (f.has_epoch) {
        out = f.epoch;
        return true;
    }
    if (f.hour12) {
        if (f.hour < 1 || f.hour > 12) return false;
        if (f.ampm >= 0) f.hour = f.hour % 12 + (f.ampm == 1 ? 12 : 0);
    } else if (f.ampm >= 0 && f.hour <= 12) {
        f.hour = f.hour % 12 + (f.ampm == 1 ? 12 : 0);
    }
    if (f.hour > 23 || f.minute > 59 || f.second > 60) return false;
    std::int64_t days;
    if (f.yday > 0 && !f.month_or_day) {
        if (f.yday > (civil::is_leap(f.year) ? 366 : 365)) return false;
        days = civil::days_from_civil(f.year, 1, 1) + f.yday - 1;
    } else {
        if (f.month < 1 || f.month > 12 || f.day < 1 || unsigned(f.day) > civil::days_in_month(f.year, unsigned(f.month)))
            return false;
        days = civil::days_from_civil(f.year, unsigned(f.month), unsigned(f.day));
    }
    out = days * 86400 + f.hour * 3600 + f.minute * 60 + f.second - f.offset;
    return true;
}

// The number secs + 0.frac, exactly: NumInt when the fraction is zero, else
// NumText built in the arena.
json::Value exact_seconds(std::int64_t secs, std::string_view frac, Arena& arena) {
    while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
    if (frac.empty()) return json::Value::number_int(secs);
    char buf[32];
    bool neg = secs < 0;
    // secs + 0.f for secs < 0 is -((|secs| - 1) + (1 - 0.f)).
    std::uint64_t ip = neg ? std::uint64_t(-(secs + 1)) : std::uint64_t(secs);
    char* p = buf;
    if (neg) *p++ = '-';
    p = std::to_chars(p, buf + sizeof buf, ip).ptr;
    *p++ = '.';
    std::size_t n = std::size_t(p - buf);
    char* out = static_cast<char*>(arena.allocate(n + frac.size(), 1));
    std::memcpy(out, buf, n);
    for (std::size_t k = 0; k < frac.size(); ++k) {
        char d = frac[k];
        if (neg) d = char('0' + (k + 1 == frac.size() ? 10 : 9) - (d - '0'));
        out[n + k] = d;
    }
    return json::Value::number_text(std::string_view(out, n + frac.size()));
}

// ------------------------------------------------------------- formatting

// A time split into whole seconds (floor) and milliseconds (truncated
// toward -inf), from the number's decimal value (its output text).
struct Split {
    std::int64_t secs = 0;
    int ms = 0;
    bool whole = true;
};

// From decimal text `[-]digits[.digits][e[+-]digits]`; false when out of range.
bool split_decimal(std::string_view t, Split& out) {
    bool neg = !t.empty() && t[0] == '-';
    if (neg) t.remove_prefix(1);
    char mant[64];
    std::size_t nm = 0;
    long point = -1;
    std::size_t i = 0;
    long exp = 0;
    for (; i < t.size(); ++i) {
        char c = t[i];
        if (digit(c)) {
            if (nm == 0 && c == '0' && point < 0) continue;  // leading zeros of the integer part
            if (nm >= sizeof mant) return false;
            mant[nm++] = c;
        } else if (c == '.') {
            point = long(nm);
        } else if (c == 'e' || c == 'E') {
            long e = 0;
            std::string_view x = t.substr(i + 1);
            if (!x.empty() && x[0] == '+') x.remove_prefix(1);
            auto r = std::from_chars(x.data(), x.data() + x.size(), e);
            if (r.ec != std::errc()) return false;
            exp = e;
            break;
        }
    }
    if (point < 0) point = long(nm);
    long ip_digits = point + exp;  // digits of mant before the decimal point
    if (ip_digits > 15) {
        // Could still be zero (e.g. 0e20) — check mantissa.
        for (std::size_t k = 0; k < nm; ++k)
            if (mant[k] != '0') return false;
        return true;
    }
    std::uint64_t ip = 0, ms = 0;
    bool rest = false;
    for (long k = 0; k < long(nm); ++k) {
        int d = mant[k] - '0';
        long pos = k - ip_digits;  // <0: integer digit; 0,1,2: ms digits
        if (pos < 0) ip = ip * 10 + std::uint64_t(d);
        else if (pos < 3) ms += std::uint64_t(d) * (pos == 0 ? 100 : pos == 1 ? 10 : 1);
        else if (d) rest = true;
    }
    for (long k = long(nm); k < ip_digits; ++k) ip *= 10;  // trailing zeros from the exponent
    bool whole = ms == 0 && !rest;
    std::int64_t total = std::int64_t(ip) * 1000 + std::int64_t(ms);
    if (neg) total = -total - (rest ? 1 : 0);
    out.secs = total >= 0 ? total / 1000 : -((-total + 999) / 1000);
    out.ms = int(total - out.secs * 1000);
    out.whole = whole;
    return true;
}

bool split_time(const json::Value& v, Split& out) {
    std::int64_t i;
    if (int_of(v, i)) {
        out.secs = i;
        return true;
    }
    if (v.form == json::Form::NumDouble) {
        if (!std::isfinite(v.d)) return false;
        thread_local std::string scratch;
        scratch.clear();
        json::encode_double(v.d, scratch);
        return split_decimal(scratch, out);
    }
    return split_decimal(v.raw(), out);
}

class Out {
public:
    explicit Out(std::string& s) : s_(s) {}
    void str(std::string_view x) { s_.append(x); }
    void chr(char c) { s_.push_back(c); }
    void num(std::int64_t v, int width, char pad = '0') {
        char buf[24];
        bool neg = v < 0;
        std::uint64_t u = neg ? std::uint64_t(0) - std::uint64_t(v) : std::uint64_t(v);
        char* e = std::to_chars(buf, buf + sizeof buf, u).ptr;
        int n = int(e - buf);
        if (neg) chr('-');
        for (int k = n; k < width; ++k) chr(pad);
        s_.append(buf, std::size_t(n));
    }

private:
    std::string& s_;
};

void format_fields(const Split& t, std::string_view fmt, std::string& s) {
    std::int64_t days = t.secs >= 0 ? t.secs / 86400 : -((-t.secs + 86399) / 86400);
    std::int64_t sod = t.secs - days * 86400;
    civil::Date d = civil::civil_from_days(days);
    int hour = int(sod / 3600), minute = int(sod / 60 % 60), second = int(sod % 60);
    Out o(s);
    for (std::size_t k = 0; k < fmt.size(); ++k) {
        char c = fmt[k];
        if (c != '%' || k + 1 >= fmt.size()) { o.chr(c); continue; }
        switch (fmt[++k]) {
            case 'Y': o.num(d.year, 4); break;
            case 'm': o.num(d.month, 2); break;
            case 'd': o.num(d.day, 2); break;
            case 'e': o.num(d.day, 2, ' '); break;
            case 'H': o.num(hour, 2); break;
            case 'I': o.num(hour % 12 == 0 ? 12 : hour % 12, 2); break;
            case 'p': o.str(hour < 12 ? "AM" : "PM"); break;
            case 'M': o.num(minute, 2); break;
            case 'S': o.num(second, 2); break;
            case 'f': o.num(t.ms, 3); break;
            case 'z': o.str("+0000"); break;
            case 'Z': o.str("UTC"); break;
            case 'b': o.str(std::string_view(kMonths[d.month - 1], 3)); break;
            case 'B': o.str(kMonths[d.month - 1]); break;
            case 'a': o.str(std::string_view(kDays[civil::weekday(days)], 3)); break;
            case 'A': o.str(kDays[civil::weekday(days)]); break;
            case 'j': o.num(days - civil::days_from_civil(d.year, 1, 1) + 1, 3); break;
            case 's': o.num(t.secs, 1); break;
            case 'T': o.num(hour, 2); o.chr(':'); o.num(minute, 2); o.chr(':'); o.num(second, 2); break;
            case 'F': o.num(d.year, 4); o.chr('-'); o.num(d.month, 2); o.chr('-'); o.num(d.day, 2); break;
            case '%': o.chr('%'); break;
            default: o.chr('%'); o.chr(fmt[k]); break;
        }
    }
}

std::string_view shown(std::string_view s) { return s.size() > 40 ? s.substr(0, 40) : s; }

}  // namespace

bool check_time_format(std::string_view format, bool, std::string& error) {
    for (std::size_t k = 0; k < format.size(); ++k) {
        if (format[k] != '%') continue;
        if (k + 1 >= format.size()) {
            error = "the format ends with a lone `%` (write `%%` for a percent sign)";
            return false;
        }
        char d = format[++k];
        if (!std::strchr(kDirectives, d) || d == '\0') {
            error = std::string("unknown directive `%") + d + "` in the format";
            return false;
        }
    }
    return true;
}

Result fn_now(const Node&, const json::Value*, Context& ctx) { return make_number(ctx, ctx.now, "now"); }

Result fn_parse_time(const Node& call, const json::Value* a, Context& ctx) {
    for (std::uint32_t i = 0; i < call.nkids; ++i)
        if (a[i].is_null()) return ok_null();
    if (!a[0].is_string()) return fail(ctx, "parse_time: argument 1: expected a string, got %s", type_name(a[0]));
    if (call.nkids == 2 && !a[1].is_string())
        return fail(ctx, "parse_time: argument 2: expected a format string, got %s", type_name(a[1]));
    std::string_view s = text_of(a[0], ctx.arena);
    Fields f;
    std::int64_t secs;
    if (call.nkids == 2) {
        std::string_view fmt = text_of(a[1], ctx.arena);
        std::string err;
        if (!check_time_format(fmt, true, err)) return fail(ctx, "parse_time: %s", err.c_str());
        if (!parse_format(s, fmt, f) || !to_seconds(f, secs)) {
            std::string_view x = shown(s);
            return fail(ctx, "parse_time: \"%.*s\" does not match the format \"%.*s\"", int(x.size()), x.data(),
                        int(shown(fmt).size()), fmt.data());
        }
    } else if (!parse_rfc3339(s, f) || !to_seconds(f, secs)) {
        std::string_view x = shown(s);
        return fail(ctx, "parse_time: \"%.*s\" is not an RFC 3339 date-time", int(x.size()), x.data());
    }
    return ok(exact_seconds(secs, f.frac, ctx.arena));
}

Result fn_format_time(const Node& call, const json::Value* a, Context& ctx) {
    for (std::uint32_t i = 0; i < call.nkids; ++i)
        if (a[i].is_null()) return ok_null();
    if (!a[0].is_number()) return fail(ctx, "format_time: argument 1: expected a number, got %s", type_name(a[0]));
    if (call.nkids == 2 && !a[1].is_string())
        return fail(ctx, "format_time: argument 2: expected a format string, got %s", type_name(a[1]));
    Split t;
    if (!split_time(a[0], t) || t.secs < kMinTime || t.secs > kMaxTime)
        return fail(ctx, "format_time: the time is outside the years 0000 to 9999");
    thread_local std::string scratch;
    scratch.clear();
    if (call.nkids == 2) {
        std::string_view fmt = text_of(a[1], ctx.arena);
        std::string err;
        if (!check_time_format(fmt, false, err)) return fail(ctx, "format_time: %s", err.c_str());
        format_fields(t, fmt, scratch);
    } else {
        format_fields(t, t.whole ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S.%fZ", scratch);
    }
    return ok(json::Value::string_plain(ctx.arena.copy(scratch)));
}

}  // namespace sluiced::expr
