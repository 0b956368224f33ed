// Load-time checks of `schedule.cron` and `schedule.tz` (spec §3). The
// scheduler has its own evaluator; this only decides valid or not, with a
// message naming the bad field.
#pragma once
#include <string>
#include <string_view>

namespace sluiced::config {

// 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds
// first), separated by spaces or tabs; or one of @hourly @daily @midnight
// @weekly @monthly @yearly @annually. A field is a comma list of `*`, `N`,
// `A-B`, `*/S`, `A-B/S`, `A/S`; months jan..dec and weekdays sun..sat
// (case-insensitive) as names; weekday 7 is Sunday; S >= 1; A <= B.
bool validate_cron(std::string_view expr, std::string& error);

// "UTC", "local", or a zone file under /usr/share/zoneinfo (TZif magic).
bool validate_tz(std::string_view tz);

}  // namespace sluiced::config
