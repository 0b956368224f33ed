// Schedules (spec §3): next fire times of `every` and `cron` schedules, and
// RFC 3339 helpers. Times are Unix epoch milliseconds (UTC).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.h"
#include "schedule/cron.h"

namespace sluiced::schedule {

// The next `n` fire times (epoch ms, ascending) strictly after (cron) or from
// (`every`: now, now+every, ...) `now_ms`, before jitter (spec §3, §9 `check`).
// Returns fewer and sets `error` to a sentence when: the cron expression or
// tz does not parse (parse_cron's / valid_tz's message; none returned), a
// cron schedule has no further fire time within kCronHorizonYears ("the
// schedule never fires"; the ones found are returned), or the schedule kind
// is None ("the pipeline has no schedule").
std::vector<std::int64_t> next_fire_times(const config::Schedule& s, std::int64_t now_ms, int n, std::string& error);

// "2026-11-30T06:00:00Z" (milliseconds shown only when not whole).
std::string format_rfc3339(std::int64_t ms);
// Parses RFC 3339 (Z or +hh:mm offsets, optional fraction) to epoch ms.
bool parse_rfc3339_ms(std::string_view s, std::int64_t& ms);

}  // namespace sluiced::schedule
