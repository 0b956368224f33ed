#include "schedule/time_zone.h"

#include "util/suggest.h"

#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <limits>
#include <vector>

namespace sluiced::schedule {

namespace {

const date::time_zone* find_zone(std::string_view name) {
    if (name.empty()) return nullptr;
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        return nullptr;  // not in the database, or no database at all
    }
}

// The closest database zone name (case ignored), if it is close enough to
// be what was meant.
std::string suggest_zone(std::string_view tz) {
    std::string best;
    std::size_t best_d = std::numeric_limits<std::size_t>::max();
    try {
        for (const auto& z : date::get_tzdb().zones) {
            const std::size_t d = sluiced::edit_distance(tz, z.name(), true);
            if (d < best_d) best_d = d, best = z.name();
        }
    } catch (const std::exception&) {
        return {};
    }
    for (std::string_view s : {"UTC", "local"})
        if (sluiced::edit_distance(tz, s, true) < best_d) best_d = sluiced::edit_distance(tz, s, true), best = s;
    const std::size_t allowed = tz.size() <= 4 ? 1 : 2;
    return best_d <= allowed ? best : std::string();
}

}  // namespace

bool valid_tz(std::string_view tz, std::string& error) {
    if (tz == "UTC" || tz == "local" || find_zone(tz)) return true;
    const std::string expected = " (expected UTC, local or an IANA name such as Europe/Berlin)";
    if (tz.empty()) {
        error = "empty time zone" + expected;
        return false;
    }
    const std::string hint = suggest_zone(tz);
    if (!hint.empty())
        error = "unknown time zone `" + std::string(tz) + "` (did you mean `" + hint + "`?)";
    else
        error = "unknown time zone `" + std::string(tz) + "`" + expected;
    return false;
}

const date::time_zone* resolve_tz(std::string_view tz) {
    if (tz == "UTC") return nullptr;
    if (tz != "local") return find_zone(tz);
    // date::current_zone() of date 3.0.1 reads /etc/localtime only and
    // ignores TZ, so TZ is honoured here.
    if (const char* env = std::getenv("TZ")) {
        std::string_view name(env);
        if (!name.empty() && name.front() == ':') name.remove_prefix(1);
        constexpr std::string_view prefix = "/usr/share/zoneinfo/";
        if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
        return find_zone(name);
    }
    try {
        return date::current_zone();
    } catch (const std::exception&) {
        return nullptr;
    }
}

ZonePeriod zone_period(const date::time_zone* zone, std::int64_t t_s) {
    constexpr std::int64_t lo = std::numeric_limits<std::int64_t>::min() / 4;
    constexpr std::int64_t hi = std::numeric_limits<std::int64_t>::max() / 4;
    if (!zone) return {lo, hi, 0};
    const auto info = zone->get_info(date::sys_seconds{std::chrono::seconds{t_s}});
    ZonePeriod p;
    p.begin_s = info.begin.time_since_epoch().count();
    p.end_s = info.end.time_since_epoch().count();
    p.offset_s = info.offset.count();
    return p;
}

}  // namespace sluiced::schedule
