// next_cron and next_fire_times for cron schedules (spec §3, §9): a table of
// {expression, tz, reference time, next three fire times in UTC}.
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "schedule/schedule.h"

using namespace sluiced;
using namespace sluiced::schedule;

namespace {

struct Row {
    const char* cron;
    const char* tz;
    const char* now;
    std::vector<std::string> expected;
};

std::vector<std::string> fire_times(const std::string& cron, const std::string& tz, const std::string& now,
                                    std::string& error, int n = 3) {
    config::Schedule s;
    s.kind = config::Schedule::Kind::Cron;
    s.cron = cron;
    s.tz = tz;
    std::int64_t now_ms = 0;
    REQUIRE(parse_rfc3339_ms(now, now_ms));
    std::vector<std::string> out;
    for (std::int64_t t : next_fire_times(s, now_ms, n, error)) out.push_back(format_rfc3339(t));
    return out;
}

void check_rows(const std::vector<Row>& rows) {
    for (const Row& r : rows) {
        std::string error;
        INFO(r.cron << " tz=" << r.tz << " now=" << r.now);
        CHECK(fire_times(r.cron, r.tz, r.now, error) == r.expected);
        CHECK(error == "");
    }
}

}  // namespace

TEST_CASE("cron field forms in UTC") {
    check_rows({
        {"*/15 * * * *", "UTC", "2025-01-01T00:00:00Z", {"2025-01-01T00:15:00Z", "2025-01-01T00:30:00Z", "2025-01-01T00:45:00Z"}},
        {"* * * * *", "UTC", "2025-01-01T00:00:30.500Z", {"2025-01-01T00:01:00Z", "2025-01-01T00:02:00Z", "2025-01-01T00:03:00Z"}},
        {"10-50/20 * * * *", "UTC", "2025-01-01T00:30:00Z", {"2025-01-01T00:50:00Z", "2025-01-01T01:10:00Z", "2025-01-01T01:30:00Z"}},
        {"5/20 * * * *", "UTC", "2025-01-01T00:00:00Z", {"2025-01-01T00:05:00Z", "2025-01-01T00:25:00Z", "2025-01-01T00:45:00Z"}},
        {"5/20 * * * *", "UTC", "2025-01-01T00:45:00Z", {"2025-01-01T01:05:00Z", "2025-01-01T01:25:00Z", "2025-01-01T01:45:00Z"}},
        {"0 3 * * 1-5", "UTC", "2025-01-03T03:00:00Z", {"2025-01-06T03:00:00Z", "2025-01-07T03:00:00Z", "2025-01-08T03:00:00Z"}},
        {"0 9 * * mon-fri", "UTC", "2025-01-03T10:00:00Z", {"2025-01-06T09:00:00Z", "2025-01-07T09:00:00Z", "2025-01-08T09:00:00Z"}},
        {"15,45 8-9 * * *", "UTC", "2025-01-01T08:20:00Z", {"2025-01-01T08:45:00Z", "2025-01-01T09:15:00Z", "2025-01-01T09:45:00Z"}},
        {"0 22/1 * * *", "UTC", "2025-01-01T22:00:00Z", {"2025-01-01T23:00:00Z", "2025-01-02T22:00:00Z", "2025-01-02T23:00:00Z"}},
        {"0 0 1 jan,JUL *", "UTC", "2025-01-01T00:00:00Z", {"2025-07-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z"}},
        {"0 0 1 Feb,mAr *", "UTC", "2025-01-01T00:00:00Z", {"2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z", "2026-02-01T00:00:00Z"}},
        {"0 8 * * SAT", "UTC", "2025-01-01T00:00:00Z", {"2025-01-04T08:00:00Z", "2025-01-11T08:00:00Z", "2025-01-18T08:00:00Z"}},
        {"0 12 * * 7", "UTC", "2025-01-01T00:00:00Z", {"2025-01-05T12:00:00Z", "2025-01-12T12:00:00Z", "2025-01-19T12:00:00Z"}},
        {"0 12 * * 0", "UTC", "2025-01-01T00:00:00Z", {"2025-01-05T12:00:00Z", "2025-01-12T12:00:00Z", "2025-01-19T12:00:00Z"}},
        {"0 12 * * fri-sun", "UTC", "2025-01-01T00:00:00Z", {"2025-01-03T12:00:00Z", "2025-01-04T12:00:00Z", "2025-01-05T12:00:00Z"}},
        {"0 12 * * 5-7", "UTC", "2025-01-01T00:00:00Z", {"2025-01-03T12:00:00Z", "2025-01-04T12:00:00Z", "2025-01-05T12:00:00Z"}},
        {"0 0 * * */3", "UTC", "2025-01-01T00:00:00Z", {"2025-01-04T00:00:00Z", "2025-01-05T00:00:00Z", "2025-01-08T00:00:00Z"}},
    });
}

TEST_CASE("cron: strictly after the reference time, fractions included") {
    check_rows({
        {"0 0 * * *", "UTC", "2025-01-01T00:00:00Z", {"2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z"}},
        {"0 0 * * *", "UTC", "2025-01-01T00:00:00.001Z", {"2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z"}},
        {"0 0 * * *", "UTC", "2024-12-31T23:59:59.999Z", {"2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z"}},
        {"0 0 * * *", "UTC", "2025-01-01T01:00:00+01:00", {"2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z"}},
        {"59 23 31 12 *", "UTC", "2025-12-31T23:59:00Z", {"2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z", "2028-12-31T23:59:00Z"}},
        {"* * * * *", "UTC", "1969-12-31T23:59:30Z", {"1970-01-01T00:00:00Z", "1970-01-01T00:01:00Z", "1970-01-01T00:02:00Z"}},
    });
}

TEST_CASE("cron: day-of-month / day-of-week, Vixie OR vs AND") {
    check_rows({
        // both restricted: the 13th OR a Friday
        {"0 0 13 * fri", "UTC", "2025-01-01T00:00:00Z", {"2025-01-03T00:00:00Z", "2025-01-10T00:00:00Z", "2025-01-13T00:00:00Z"}},
        {"0 0 1-31 * fri", "UTC", "2025-01-01T00:00:00Z", {"2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z"}},
        {"0 0 1,15 * 1", "UTC", "2025-01-01T00:00:00Z", {"2025-01-06T00:00:00Z", "2025-01-13T00:00:00Z", "2025-01-15T00:00:00Z"}},
        // dom starts with '*': both must match (odd days that are Fridays)
        {"0 0 */2 * fri", "UTC", "2025-01-01T00:00:00Z", {"2025-01-03T00:00:00Z", "2025-01-17T00:00:00Z", "2025-01-31T00:00:00Z"}},
        // dow `*`: the 13th only
        {"0 0 13 * *", "UTC", "2025-01-01T00:00:00Z", {"2025-01-13T00:00:00Z", "2025-02-13T00:00:00Z", "2025-03-13T00:00:00Z"}},
        // dow starts with '*' (*/1 = every day): still AND, so the 13th only
        {"0 0 13 * */1", "UTC", "2025-01-01T00:00:00Z", {"2025-01-13T00:00:00Z", "2025-02-13T00:00:00Z", "2025-03-13T00:00:00Z"}},
        // dow `*/7` is Sunday only; Feb 29 that is a Sunday
        {"0 0 29 2 */7", "UTC", "2025-01-01T00:00:00Z", {"2032-02-29T00:00:00Z", "2060-02-29T00:00:00Z", "2088-02-29T00:00:00Z"}},
        // both restricted: every Friday and every 13th, not only Friday the 13th
        {"0 0 13 * 5", "UTC", "2025-06-01T00:00:00Z", {"2025-06-06T00:00:00Z", "2025-06-13T00:00:00Z", "2025-06-20T00:00:00Z"}},
    });
}

TEST_CASE("cron macros") {
    check_rows({
        {"@hourly", "UTC", "2025-01-01T00:00:00Z", {"2025-01-01T01:00:00Z", "2025-01-01T02:00:00Z", "2025-01-01T03:00:00Z"}},
        {"@daily", "UTC", "2025-01-01T00:00:00Z", {"2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z"}},
        {"@midnight", "UTC", "2025-01-01T12:00:00Z", {"2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z"}},
        {"@weekly", "UTC", "2025-01-01T00:00:00Z", {"2025-01-05T00:00:00Z", "2025-01-12T00:00:00Z", "2025-01-19T00:00:00Z"}},
        {"@monthly", "UTC", "2025-01-01T00:00:00Z", {"2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z"}},
        {"@yearly", "UTC", "2025-01-01T00:00:00Z", {"2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"}},
        {"@annually", "UTC", "2025-06-01T00:00:00Z", {"2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"}},
        {"@daily", "Europe/Berlin", "2025-01-01T00:00:00Z", {"2025-01-01T23:00:00Z", "2025-01-02T23:00:00Z", "2025-01-03T23:00:00Z"}},
    });
}

TEST_CASE("cron with seconds (6 fields)") {
    check_rows({
        {"*/20 * * * * *", "UTC", "2025-01-01T00:00:00Z", {"2025-01-01T00:00:20Z", "2025-01-01T00:00:40Z", "2025-01-01T00:01:00Z"}},
        {"30 0 12 * * *", "UTC", "2025-01-01T12:00:30Z", {"2025-01-02T12:00:30Z", "2025-01-03T12:00:30Z", "2025-01-04T12:00:30Z"}},
        {"* * * * * *", "UTC", "2025-01-01T00:00:00.250Z", {"2025-01-01T00:00:01Z", "2025-01-01T00:00:02Z", "2025-01-01T00:00:03Z"}},
        {"0 0 0 29 2 *", "UTC", "2025-01-01T00:00:00Z", {"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z"}},
        {"5-10/5 59 23 31 12 *", "UTC", "2025-12-31T23:59:05Z", {"2025-12-31T23:59:10Z", "2026-12-31T23:59:05Z", "2026-12-31T23:59:10Z"}},
    });
}

TEST_CASE("cron: leap days and month ends") {
    check_rows({
        {"0 0 29 2 *", "UTC", "2024-03-01T00:00:00Z", {"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z"}},
        {"0 0 29 2 *", "UTC", "2024-02-28T12:00:00Z", {"2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}},
        {"0 0 29 2 *", "UTC", "2096-03-01T00:00:00Z", {"2104-02-29T00:00:00Z", "2108-02-29T00:00:00Z", "2112-02-29T00:00:00Z"}},
        {"0 0 29 2 *", "UTC", "1999-01-01T00:00:00Z", {"2000-02-29T00:00:00Z", "2004-02-29T00:00:00Z", "2008-02-29T00:00:00Z"}},
        {"0 0 31 * *", "UTC", "2025-01-31T00:00:00Z", {"2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z", "2025-07-31T00:00:00Z"}},
        {"0 0 31 * *", "UTC", "2025-07-31T00:00:00Z", {"2025-08-31T00:00:00Z", "2025-10-31T00:00:00Z", "2025-12-31T00:00:00Z"}},
        {"0 0 30 * *", "UTC", "2025-01-30T00:00:00Z", {"2025-03-30T00:00:00Z", "2025-04-30T00:00:00Z", "2025-05-30T00:00:00Z"}},
        {"0 0 28-31 2 *", "UTC", "2024-02-27T00:00:00Z", {"2024-02-28T00:00:00Z", "2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z"}},
        {"0 0 1 * *", "UTC", "2024-12-15T00:00:00Z", {"2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z"}},
    });
}

TEST_CASE("cron that never fires") {
    for (const char* cron : {"0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 0 31 2 *"}) {
        std::string error;
        INFO(cron);
        CHECK(fire_times(cron, "UTC", "2025-01-01T00:00:00Z", error).empty());
        CHECK(error == "the schedule never fires");
        CHECK(fire_times(cron, "America/New_York", "2025-01-01T00:00:00Z", error).empty());
        CHECK(error == "the schedule never fires");
    }
    CronSpec spec;
    std::string error;
    std::size_t offset = 0;
    REQUIRE(parse_cron("0 0 30 2 *", spec, error, offset));
    CHECK(next_cron(spec, "UTC", 0) == kCronNever);
    // The search ends at year 9999.
    REQUIRE(parse_cron("* * * * *", spec, error, offset));
    std::int64_t last = 0;
    REQUIRE(parse_rfc3339_ms("9999-12-31T23:59:00Z", last));
    CHECK(next_cron(spec, "UTC", last) == kCronNever);
    CHECK(next_cron(spec, "UTC", last - 1) == last);
}

TEST_CASE("cron in New York across spring-forward (2025-03-09, 02:00 EST -> 03:00 EDT at 07:00Z)") {
    check_rows({
        // 02:30 does not exist that day: it fires once right after the gap, 03:00 EDT
        {"30 2 * * *", "America/New_York", "2025-03-08T12:00:00Z", {"2025-03-09T07:00:00Z", "2025-03-10T06:30:00Z", "2025-03-11T06:30:00Z"}},
        {"30 2 * * *", "America/New_York", "2025-03-07T12:00:00Z", {"2025-03-08T07:30:00Z", "2025-03-09T07:00:00Z", "2025-03-10T06:30:00Z"}},
        // all times of the gap make one fire
        {"*/15 2 * * *", "America/New_York", "2025-03-09T00:00:00Z", {"2025-03-09T07:00:00Z", "2025-03-10T06:00:00Z", "2025-03-10T06:15:00Z"}},
        {"0,30 2-3 * * *", "America/New_York", "2025-03-09T06:00:00Z", {"2025-03-09T07:00:00Z", "2025-03-09T07:30:00Z", "2025-03-10T06:00:00Z"}},
        {"* 2 * * *", "America/New_York", "2025-03-09T06:59:59.500Z", {"2025-03-09T07:00:00Z", "2025-03-10T06:00:00Z", "2025-03-10T06:01:00Z"}},
        // the gap fire is not repeated once reached
        {"30 2 * * *", "America/New_York", "2025-03-09T07:00:00Z", {"2025-03-10T06:30:00Z", "2025-03-11T06:30:00Z", "2025-03-12T06:30:00Z"}},
        // times around the gap are unaffected
        {"30 1,3 * * *", "America/New_York", "2025-03-09T00:00:00Z", {"2025-03-09T06:30:00Z", "2025-03-09T07:30:00Z", "2025-03-10T05:30:00Z"}},
        // hour `*`: every real hour
        {"0 * * * *", "America/New_York", "2025-03-09T05:30:00Z", {"2025-03-09T06:00:00Z", "2025-03-09T07:00:00Z", "2025-03-09T08:00:00Z"}},
        {"30 * * * *", "America/New_York", "2025-03-09T06:00:00Z", {"2025-03-09T06:30:00Z", "2025-03-09T07:30:00Z", "2025-03-09T08:30:00Z"}},
        {"@hourly", "America/New_York", "2025-03-09T05:30:00Z", {"2025-03-09T06:00:00Z", "2025-03-09T07:00:00Z", "2025-03-09T08:00:00Z"}},
    });
}

TEST_CASE("cron in New York across fall-back (2025-11-02, 02:00 EDT -> 01:00 EST at 06:00Z)") {
    check_rows({
        // 01:30 happens twice: only the first (EDT) fires
        {"30 1 * * *", "America/New_York", "2025-11-01T12:00:00Z", {"2025-11-02T05:30:00Z", "2025-11-03T06:30:00Z", "2025-11-04T06:30:00Z"}},
        {"30 1 * * *", "America/New_York", "2025-11-02T05:30:00Z", {"2025-11-03T06:30:00Z", "2025-11-04T06:30:00Z", "2025-11-05T06:30:00Z"}},
        {"*/20 1 * * *", "America/New_York", "2025-11-02T04:50:00Z", {"2025-11-02T05:00:00Z", "2025-11-02T05:20:00Z", "2025-11-02T05:40:00Z"}},
        // from inside the repeated hour (01:10 EST) nothing more fires that night
        {"*/20 1 * * *", "America/New_York", "2025-11-02T06:10:00Z", {"2025-11-03T06:00:00Z", "2025-11-03T06:20:00Z", "2025-11-03T06:40:00Z"}},
        {"0 1-2 * * *", "America/New_York", "2025-11-02T04:00:00Z", {"2025-11-02T05:00:00Z", "2025-11-02T07:00:00Z", "2025-11-03T06:00:00Z"}},
        {"0 0,3 * * *", "America/New_York", "2025-11-02T03:00:00Z", {"2025-11-02T04:00:00Z", "2025-11-02T08:00:00Z", "2025-11-03T05:00:00Z"}},
        // hour `*`: both 01:00 EDT and 01:00 EST fire
        {"0 * * * *", "America/New_York", "2025-11-02T04:30:00Z", {"2025-11-02T05:00:00Z", "2025-11-02T06:00:00Z", "2025-11-02T07:00:00Z"}},
        {"*/30 * * * *", "America/New_York", "2025-11-02T05:15:00Z", {"2025-11-02T05:30:00Z", "2025-11-02T06:00:00Z", "2025-11-02T06:30:00Z"}},
        {"0 * 2 11 *", "America/New_York", "2025-11-02T05:00:00Z", {"2025-11-02T06:00:00Z", "2025-11-02T07:00:00Z", "2025-11-02T08:00:00Z"}},
    });
}

TEST_CASE("cron in Europe/Berlin across both changes") {
    check_rows({
        {"30 6 * * *", "Europe/Berlin", "2025-01-01T00:00:00Z", {"2025-01-01T05:30:00Z", "2025-01-02T05:30:00Z", "2025-01-03T05:30:00Z"}},
        {"30 6 * * *", "Europe/Berlin", "2025-07-01T00:00:00Z", {"2025-07-01T04:30:00Z", "2025-07-02T04:30:00Z", "2025-07-03T04:30:00Z"}},
        // spring-forward 2025-03-30, 02:00 CET -> 03:00 CEST at 01:00Z
        {"30 2 * * *", "Europe/Berlin", "2025-03-29T12:00:00Z", {"2025-03-30T01:00:00Z", "2025-03-31T00:30:00Z", "2025-04-01T00:30:00Z"}},
        {"0 * * * *", "Europe/Berlin", "2025-03-29T23:30:00Z", {"2025-03-30T00:00:00Z", "2025-03-30T01:00:00Z", "2025-03-30T02:00:00Z"}},
        // fall-back 2025-10-26, 03:00 CEST -> 02:00 CET at 01:00Z
        {"30 2 * * *", "Europe/Berlin", "2025-10-25T12:00:00Z", {"2025-10-26T00:30:00Z", "2025-10-27T01:30:00Z", "2025-10-28T01:30:00Z"}},
        {"0 * * * *", "Europe/Berlin", "2025-10-25T23:30:00Z", {"2025-10-26T00:00:00Z", "2025-10-26T01:00:00Z", "2025-10-26T02:00:00Z"}},
        {"0 3 * * sun", "Europe/Berlin", "2025-10-20T00:00:00Z", {"2025-10-26T02:00:00Z", "2025-11-02T02:00:00Z", "2025-11-09T02:00:00Z"}},
    });
}

TEST_CASE("cron in other zones") {
    check_rows({
        // Lord Howe shifts by 30 minutes: 02:00 -> 02:30 on 2025-10-05 (15:30Z)
        {"15 2 * * *", "Australia/Lord_Howe", "2025-10-04T12:00:00Z", {"2025-10-04T15:30:00Z", "2025-10-05T15:15:00Z", "2025-10-06T15:15:00Z"}},
        // Kolkata has no DST and a half-hour offset
        {"0 9 * * *", "Asia/Kolkata", "2025-01-01T00:00:00Z", {"2025-01-01T03:30:00Z", "2025-01-02T03:30:00Z", "2025-01-03T03:30:00Z"}},
        // a link name
        {"0 9 * * *", "US/Eastern", "2025-01-01T00:00:00Z", {"2025-01-01T14:00:00Z", "2025-01-02T14:00:00Z", "2025-01-03T14:00:00Z"}},
    });
}

TEST_CASE("cron with tz local follows TZ") {
    const char* old = std::getenv("TZ");
    const std::string saved = old ? old : "";
    setenv("TZ", "America/New_York", 1);
    tzset();
    check_rows({
        {"30 2 * * *", "local", "2025-03-08T12:00:00Z", {"2025-03-09T07:00:00Z", "2025-03-10T06:30:00Z", "2025-03-11T06:30:00Z"}},
        {"30 1 * * *", "local", "2025-11-01T12:00:00Z", {"2025-11-02T05:30:00Z", "2025-11-03T06:30:00Z", "2025-11-04T06:30:00Z"}},
        {"0 * * * *", "local", "2025-11-02T04:30:00Z", {"2025-11-02T05:00:00Z", "2025-11-02T06:00:00Z", "2025-11-02T07:00:00Z"}},
    });
    setenv("TZ", ":Europe/Berlin", 1);
    tzset();
    check_rows({
        {"30 6 * * *", "local", "2025-01-01T00:00:00Z", {"2025-01-01T05:30:00Z", "2025-01-02T05:30:00Z", "2025-01-03T05:30:00Z"}},
    });
    setenv("TZ", "", 1);  // empty TZ is UTC, as in glibc
    tzset();
    check_rows({
        {"30 6 * * *", "local", "2025-01-01T00:00:00Z", {"2025-01-01T06:30:00Z", "2025-01-02T06:30:00Z", "2025-01-03T06:30:00Z"}},
    });
    if (old)
        setenv("TZ", saved.c_str(), 1);
    else
        unsetenv("TZ");
    tzset();
}

TEST_CASE("next_fire_times reports bad cron and tz") {
    std::string error;
    CHECK(fire_times("61 * * * *", "UTC", "2025-01-01T00:00:00Z", error).empty());
    CHECK(error == "value 61 out of range 0-59 in the minute field");
    error.clear();
    CHECK(fire_times("0 * * * *", "Mars/Olympus", "2025-01-01T00:00:00Z", error).empty());
    CHECK(error == "unknown time zone `Mars/Olympus` (expected UTC, local or an IANA name such as Europe/Berlin)");
}

TEST_CASE("next_fire_times for every is unchanged") {
    config::Schedule s;
    s.kind = config::Schedule::Kind::Every;
    s.every_ms = 30000;
    std::string error;
    CHECK(next_fire_times(s, 1000, 3, error) == std::vector<std::int64_t>{1000, 31000, 61000});
    CHECK(error.empty());
}

TEST_CASE("next_cron is fast on sparse and impossible schedules") {
    CronSpec spec;
    std::string error;
    std::size_t offset = 0;
    REQUIRE(parse_cron("0 0 30 2 *", spec, error, offset));
    const std::clock_t start = std::clock();
    for (int i = 0; i < 20; ++i) CHECK(next_cron(spec, "America/New_York", 1735689600000) == kCronNever);
    CHECK(double(std::clock() - start) / CLOCKS_PER_SEC < 2.0);
}
