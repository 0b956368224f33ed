#include "schedule/schedule.h"

#include "util/civil.h"

#include <cstdio>

#include "schedule/cron.h"

namespace sluiced::schedule {


std::vector<std::int64_t> next_fire_times(const config::Schedule& s, std::int64_t now_ms, int n, std::string& error) {
    std::vector<std::int64_t> out;
    if (s.kind == config::Schedule::Kind::Every) {
        for (int i = 0; i < n; ++i) out.push_back(now_ms + i * s.every_ms);
        return out;
    }
    if (s.kind != config::Schedule::Kind::Cron) {
        error = "the pipeline has no schedule";
        return out;
    }
    CronSpec spec;
    std::size_t offset = 0;
    if (!parse_cron(s.cron, spec, error, offset) || !valid_tz(s.tz, error)) return out;
    std::int64_t t = now_ms;
    for (int i = 0; i < n; ++i) {
        t = next_cron(spec, s.tz, t);
        if (t == kCronNever) {
            error = "the schedule never fires";
            break;
        }
        out.push_back(t);
    }
    return out;
}

std::string format_rfc3339(std::int64_t ms) {
    std::int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int frac = int(ms - secs * 1000);
    std::int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    std::int64_t rem = secs - days * 86400;
    const civil::Date date = civil::civil_from_days(days);
    const long long y = date.year;
    const unsigned m = date.month, d = date.day;
    char buf[64];
    if (frac)
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d, int(rem / 3600),
                      int(rem / 60 % 60), int(rem % 60), frac);
    else
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d, int(rem / 3600),
                      int(rem / 60 % 60), int(rem % 60));
    return buf;
}

bool parse_rfc3339_ms(std::string_view s, std::int64_t& ms) {
    auto digits = [&](std::size_t pos, std::size_t n, int& v) {
        if (pos + n > s.size()) return false;
        v = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            v = v * 10 + (s[i] - '0');
        }
        return true;
    };
    int Y, M, D, h, mi, sec;
    if (!digits(0, 4, Y) || s.size() < 20 || s[4] != '-' || !digits(5, 2, M) || s[7] != '-' || !digits(8, 2, D) ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) ||
        s[16] != ':' || !digits(17, 2, sec))
        return false;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || mi > 59 || sec > 60) return false;
    std::size_t i = 19;
    int frac_ms = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        int nd = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (nd < 3) frac_ms = frac_ms * 10 + (s[i] - '0');
            ++nd;
            ++i;
        }
        if (nd == 0) return false;
        for (int k = nd; k < 3; ++k) frac_ms *= 10;
    }
    std::int64_t offset_s = 0;
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
        ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        if (!digits(i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(i + 4, 2, om)) return false;
        offset_s = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return false;
    }
    if (i != s.size()) return false;
    std::int64_t days = civil::days_from_civil(Y, unsigned(M), unsigned(D));
    ms = ((days * 86400 + h * 3600 + mi * 60 + sec) - offset_s) * 1000 + frac_ms;
    return true;
}

}  // namespace sluiced::schedule
