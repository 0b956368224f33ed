#include "source/retry_after.h"
#include "util/ascii.h"

#include "util/civil.h"

#include <cctype>
#include <limits>

namespace sluiced::source {

namespace {

constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr const char* kLongDays[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// A tiny cursor over the text; every take_* fails without consuming.
struct Cursor {
    std::string_view s;
    bool lit(std::string_view l) {
        if (s.substr(0, l.size()) != l) return false;
        s.remove_prefix(l.size());
        return true;
    }
    bool digits(int n, int& out) {
        if (s.size() < std::size_t(n)) return false;
        int v = 0;
        for (int i = 0; i < n; ++i) {
            if (!std::isdigit((unsigned char)s[i])) return false;
            v = v * 10 + (s[i] - '0');
        }
        out = v;
        s.remove_prefix(n);
        return true;
    }
    bool name(const char* const* table, int count, std::size_t len, int& out) {
        if (s.size() < len) return false;
        for (int i = 0; i < count; ++i) {
            if (std::string_view(table[i]).size() == len && iequals(s.substr(0, len), table[i])) {
                out = i;
                s.remove_prefix(len);
                return true;
            }
        }
        return false;
    }
    bool long_day() {
        for (const char* d : kLongDays) {
            std::string_view dv(d);
            if (s.size() >= dv.size() && iequals(s.substr(0, dv.size()), dv)) {
                s.remove_prefix(dv.size());
                return true;
            }
        }
        return false;
    }
    bool time(int& h, int& m, int& sec) {
        return digits(2, h) && lit(":") && digits(2, m) && lit(":") && digits(2, sec);
    }
    bool gmt() { return s.size() == 3 && iequals(s, "GMT") && (s.remove_prefix(3), true); }
};

std::optional<std::int64_t> to_unix(int year, int month0, int day, int h, int m, int s) {
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int dim = mdays[month0] + (month0 == 1 && civil::is_leap(year) ? 1 : 0);
    if (day < 1 || day > dim || h > 23 || m > 59 || s > 60) return std::nullopt;
    return civil::days_from_civil(year, unsigned(month0 + 1), unsigned(day)) * 86400 + h * 3600 + m * 60 + s;
}

int current_year(std::int64_t now_unix_s) {
    std::int64_t days = now_unix_s / 86400 - (now_unix_s < 0 && now_unix_s % 86400 ? 1 : 0);
    return int(civil::civil_from_days(days).year);
}

}  // namespace

std::optional<std::int64_t> parse_http_date(std::string_view text, std::int64_t now_unix_s) {
    std::string_view t = trim(text);
    int wd, day, mon, year, h, m, s;
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    {
        Cursor c{t};
        if (c.name(kDays, 7, 3, wd) && c.lit(", ") && c.digits(2, day) && c.lit(" ") && c.name(kMonths, 12, 3, mon) &&
            c.lit(" ") && c.digits(4, year) && c.lit(" ") && c.time(h, m, s) && c.lit(" ") && c.gmt())
            return to_unix(year, mon, day, h, m, s);
    }
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
    {
        Cursor c{t};
        int yy;
        if (c.long_day() && c.lit(", ") && c.digits(2, day) && c.lit("-") && c.name(kMonths, 12, 3, mon) &&
            c.lit("-") && c.digits(2, yy) && c.lit(" ") && c.time(h, m, s) && c.lit(" ") && c.gmt()) {
            int now_year = current_year(now_unix_s);
            year = now_year - now_year % 100 + yy;
            if (year > now_year + 50) year -= 100;
            return to_unix(year, mon, day, h, m, s);
        }
    }
    // asctime: "Sun Nov  6 08:49:37 1994" (day: space + digit, or 2 digits)
    {
        Cursor c{t};
        if (c.name(kDays, 7, 3, wd) && c.lit(" ") && c.name(kMonths, 12, 3, mon) && c.lit(" ")) {
            bool ok_day = c.lit(" ") ? c.digits(1, day) : c.digits(2, day);
            if (ok_day && c.lit(" ") && c.time(h, m, s) && c.lit(" ") && c.digits(4, year) && c.s.empty())
                return to_unix(year, mon, day, h, m, s);
        }
    }
    return std::nullopt;
}

std::optional<std::int64_t> parse_retry_after_ms(std::string_view value, std::optional<std::string_view> date_header,
                                                 std::int64_t now_unix_ms) {
    std::string_view v = trim(value);
    if (v.empty()) return std::nullopt;
    bool all_digits = true;
    for (char ch : v) all_digits = all_digits && std::isdigit((unsigned char)ch);
    if (all_digits) {
        constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 1000;
        std::int64_t secs = 0;
        for (char ch : v) {
            if (secs > (kMax - (ch - '0')) / 10) return kMax * 1000;
            secs = secs * 10 + (ch - '0');
        }
        return secs * 1000;
    }
    auto when = parse_http_date(v, now_unix_ms / 1000);
    if (!when) return std::nullopt;
    std::int64_t reference_ms = now_unix_ms;
    if (date_header) {
        if (auto d = parse_http_date(*date_header, now_unix_ms / 1000)) reference_ms = *d * 1000;
    }
    std::int64_t wait = *when * 1000 - reference_ms;
    return wait > 0 ? wait : 0;
}

std::optional<std::int64_t> retry_after_ms(const Response& response, std::int64_t now_unix_ms) {
    const std::string* ra = response.header("Retry-After");
    if (!ra) return std::nullopt;
    const std::string* date = response.header("Date");
    return parse_retry_after_ms(*ra, date ? std::optional<std::string_view>(*date) : std::nullopt, now_unix_ms);
}

}  // namespace sluiced::source
