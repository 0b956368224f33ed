// Schedules (spec §3): next fire times of `every` and `cron` schedules, and
// RFC 3339 helpers. Times are Unix epoch milliseconds (UTC).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.h"

namespace sluiced::schedule {

// The next `n` fire times strictly after (cron) or from (`every`: now,
// now+every, ...) `now_ms`, before jitter. On an unsupported schedule
// returns fewer and sets `error`.
std::vector<std::int64_t> next_fire_times(const config::Schedule& s, std::int64_t now_ms, int n, std::string& error);

// "2026-11-30T06:00:00Z" (milliseconds shown only when not whole).
std::string format_rfc3339(std::int64_t ms);
// Parses RFC 3339 (Z or +hh:mm offsets, optional fraction) to epoch ms.
bool parse_rfc3339_ms(std::string_view s, std::int64_t& ms);

}  // namespace sluiced::schedule
