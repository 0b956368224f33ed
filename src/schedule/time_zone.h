// Time zones of cron schedules (spec §3): `UTC` (the default), `local` and
// IANA names from the system tz database (/usr/share/zoneinfo, read through
// Howard Hinnant's date-tz). See docs/schedules.md.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace sluiced::schedule {

// True when `tz` is "UTC", "local" or a zone name the tz database knows
// (case-sensitive, as IANA names are: "Europe/Berlin", "US/Eastern",
// "EST5EDT"; not "posix/...", "right/...", "Factory", "posixrules", paths).
// Otherwise false, and `error` is a sentence such as
//   unknown time zone `Europe/Berln` (did you mean `Europe/Berlin`?)
//   unknown time zone `Mars/Olympus` (expected UTC, local or an IANA name such as Europe/Berlin)
//   empty time zone (expected UTC, local or an IANA name such as Europe/Berlin)
// Use this at load time: next_cron treats a name it cannot resolve as UTC.
bool valid_tz(std::string_view tz, std::string& error);

// The zone `tz` names: nullptr for "UTC" (and for names that are not
// valid_tz, which callers have rejected before). "local" is resolved at every
// call, so a changed TZ takes effect: TZ unset -> the system zone
// (/etc/localtime), UTC when there is none; TZ set -> that zone name (a leading
// ':' and a /usr/share/zoneinfo/ prefix are dropped); TZ empty or naming no
// zone of the database -> UTC, as glibc does.
const date::time_zone* resolve_tz(std::string_view tz);

// A stretch of time with one UTC offset: [begin_s, end_s) in Unix seconds,
// local time = UTC + offset_s. For UTC a single unbounded period.
struct ZonePeriod {
    std::int64_t begin_s = 0;
    std::int64_t end_s = 0;
    std::int64_t offset_s = 0;
};

// The period of `zone` (nullptr = UTC) containing the instant `t_s`.
ZonePeriod zone_period(const date::time_zone* zone, std::int64_t t_s);

}  // namespace sluiced::schedule
