// Cron expressions of `schedule: { cron: ..., tz: ... }` (spec §3): parsing
// and the next fire time in a time zone. Decisions and the DST behaviour are
// documented in docs/schedules.md.
#pragma once
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "schedule/time_zone.h"

namespace sluiced::schedule {

// A parsed cron expression. Bit i of a field set means value i matches.
struct CronSpec {
    std::bitset<60> seconds;  // 0-59; {0} for a 5-field expression
    std::bitset<60> minutes;  // 0-59
    std::bitset<24> hours;    // 0-23
    std::bitset<32> dom;      // 1-31 (bit 0 unused)
    std::bitset<13> months;   // 1-12 (bit 0 unused)
    std::bitset<7> dow;       // 0-6, 0 = Sunday (7 is stored as 0)
    // Vixie cron: when both dom and dow are restricted (neither field starts
    // with '*'), a day matching either fires; otherwise both must match.
    bool dom_star = false;    // the day-of-month field starts with '*'
    bool dow_star = false;    // the day-of-week field starts with '*'
    // The hour field is exactly "*" (also @hourly): the schedule follows
    // elapsed time through DST changes instead of the wall clock.
    bool hour_star = false;
};

// Parses `text`: 5 fields (minute hour day-of-month month day-of-week), 6
// fields (seconds first), separated by spaces or tabs, or one macro:
// @hourly "0 * * * *", @daily and @midnight "0 0 * * *", @weekly
// "0 0 * * 0", @monthly "0 0 1 * *", @yearly and @annually "0 0 1 1 *".
// A field is a comma list of `*`, `n`, `a-b`, `*/s`, `a-b/s` and `a/s`
// (= a-MAX/s, MAX being 59, 23, 31, 12 or 7); months take jan..dec and
// days of the week sun..sat (any case; 0 and 7 are Sunday; `sun` ending a
// range means 7, so `fri-sun` works; a step is 1 up to the field's span:
// 60, 24, 31, 12 or 8). Leading and trailing blanks are ignored.
// On invalid syntax returns false with `error` a sentence naming the field,
// worded like the rest of the configuration errors (the loader prefixes
// "invalid cron expression `TEXT`: "):
//   expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 4
//   value 60 out of range 0-59 in the minute field
//   invalid value `foo` in the month field
//   range `5-1` goes backwards in the hour field
//   step `0` out of range 1-60 in the minute field
//   invalid step `x` in the minute field
//   empty list item in the minute field
//   invalid range `1-` in the minute field
//   missing value before the step in `/5` in the minute field
//   unknown macro `@reboot` (expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually)
//   unexpected `5` after the macro `@daily` (a macro stands alone)
// and `error_offset` the 0-based byte offset in `text` of the offending
// field (of the first extra field when there are too many, text.size() when
// there are too few, 0 when there are none). `out` is unspecified then.
bool parse_cron(std::string_view text, CronSpec& out, std::string& error, std::size_t& error_offset);

// next_cron's result when nothing fires within kCronHorizonYears.
inline constexpr std::int64_t kCronNever = std::numeric_limits<std::int64_t>::max();
// 400 years: the Gregorian calendar repeats after 400 years, so a spec that
// matches no day in that span (`0 0 30 2 *`) never matches; legitimate
// sparse specs (Feb 29 on a Sunday: 28 to 40 years apart) fit well inside.
inline constexpr int kCronHorizonYears = 400;

// The first fire time strictly after `after_ms` (Unix epoch milliseconds),
// in epoch milliseconds (always whole seconds), of `spec` in zone `tz`
// ("UTC", "local" or an IANA name; an unknown name counts as UTC — check it
// with valid_tz first). kCronNever when nothing fires within
// kCronHorizonYears after `after_ms` or past the year 9999.
// DST (spec §3): a local time skipped by a spring-forward fires once, at the
// instant of the transition (the first instant after the gap); all matching
// times of one gap make that one fire; a local time repeated by a fall-back
// fires once, at its first occurrence. With hour_star the schedule matches
// the local time of every instant instead, so `0 * * * *` fires every real
// hour, at both 01:00 EDT and 01:00 EST of a fall-back.
std::int64_t next_cron(const CronSpec& spec, std::string_view tz, std::int64_t after_ms);

}  // namespace sluiced::schedule
