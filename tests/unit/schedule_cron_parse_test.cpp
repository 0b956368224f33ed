// parse_cron (spec §3): accepted forms and exact error messages and offsets.
#include <doctest/doctest.h>

#include <ostream>
#include <string>
#include <vector>

#include "schedule/cron.h"

using namespace sluiced::schedule;

namespace {

CronSpec parse_ok(const std::string& text) {
    CronSpec spec;
    std::string error;
    std::size_t offset = 99;
    INFO("expression: " << text);
    CHECK(parse_cron(text, spec, error, offset));
    CHECK(error.empty());
    return spec;
}

template <std::size_t N>
std::vector<int> values(const std::bitset<N>& b) {
    std::vector<int> out;
    for (std::size_t i = 0; i < N; ++i)
        if (b[i]) out.push_back(int(i));
    return out;
}

}  // namespace

TEST_CASE("cron field forms") {
    using V = std::vector<int>;
    CHECK(values(parse_ok("*/15 * * * *").minutes) == V{0, 15, 30, 45});
    CHECK(values(parse_ok("10-50/20 * * * *").minutes) == V{10, 30, 50});
    CHECK(values(parse_ok("5/20 * * * *").minutes) == V{5, 25, 45});
    CHECK(values(parse_ok("1,3,5-7 * * * *").minutes) == V{1, 3, 5, 6, 7});
    CHECK(values(parse_ok("0 22/1 * * *").hours) == V{22, 23});
    CHECK(values(parse_ok("0 0 25/3 * *").dom) == V{25, 28, 31});
    CHECK(values(parse_ok("0 0 * */5 *").months) == V{1, 6, 11});
    CHECK(values(parse_ok("0 0 * * *").seconds) == V{0});
    CHECK(values(parse_ok("*/20 0 0 * * *").seconds) == V{0, 20, 40});
    CHECK(values(parse_ok("*/20 0 0 * * *").minutes) == V{0});
    CHECK(values(parse_ok("\t0  0 * * *  ").hours) == V{0});
    // A step as large as the field's span keeps only the start.
    CHECK(values(parse_ok("*/60 * * * *").minutes) == V{0});
    CHECK(values(parse_ok("0 0 * * */8").dow) == V{0});
}

TEST_CASE("cron names and Sunday") {
    using V = std::vector<int>;
    CHECK(values(parse_ok("0 0 1 jan,JUL,Dec *").months) == V{1, 7, 12});
    CHECK(values(parse_ok("0 0 1 feb-apr *").months) == V{2, 3, 4});
    CHECK(values(parse_ok("0 0 * * MON-fri").dow) == V{1, 2, 3, 4, 5});
    CHECK(values(parse_ok("0 0 * * 7").dow) == V{0});
    CHECK(values(parse_ok("0 0 * * 0,7").dow) == V{0});
    CHECK(values(parse_ok("0 0 * * 5-7").dow) == V{0, 5, 6});
    CHECK(values(parse_ok("0 0 * * fri-sun").dow) == V{0, 5, 6});
    CHECK(values(parse_ok("0 0 * * sun-sat").dow) == V{0, 1, 2, 3, 4, 5, 6});
    CHECK(values(parse_ok("0 0 * * */2").dow) == V{0, 2, 4, 6});
    CHECK(values(parse_ok("0 0 * * 1/2").dow) == V{0, 1, 3, 5});  // 1-7/2: 7 is Sunday
    CHECK(values(parse_ok("0 0 * * sat/1").dow) == V{0, 6});
}

TEST_CASE("cron star flags") {
    CronSpec s = parse_ok("0 * * * *");
    CHECK(s.hour_star);
    CHECK(s.dom_star);
    CHECK(s.dow_star);
    s = parse_ok("0 */1 13 * fri");
    CHECK_FALSE(s.hour_star);
    CHECK_FALSE(s.dom_star);
    CHECK_FALSE(s.dow_star);
    s = parse_ok("0 0 */2 * 1-5");
    CHECK(s.dom_star);
    CHECK_FALSE(s.dow_star);
    s = parse_ok("0 0 1 * *");
    CHECK_FALSE(s.dom_star);
    CHECK(s.dow_star);
    CHECK(parse_ok("@hourly").hour_star);
    CHECK_FALSE(parse_ok("@daily").hour_star);
    CHECK(parse_ok("0 0 * * * *").hour_star);  // 6 fields: the third is the hour
    CHECK_FALSE(parse_ok("* * 0 * * *").hour_star);
}

TEST_CASE("cron macros expand") {
    auto same = [](const std::string& macro, const std::string& text) {
        const CronSpec a = parse_ok(macro), b = parse_ok(text);
        INFO(macro);
        CHECK(a.seconds == b.seconds);
        CHECK(a.minutes == b.minutes);
        CHECK(a.hours == b.hours);
        CHECK(a.dom == b.dom);
        CHECK(a.months == b.months);
        CHECK(a.dow == b.dow);
        CHECK(a.dom_star == b.dom_star);
        CHECK(a.dow_star == b.dow_star);
        CHECK(a.hour_star == b.hour_star);
    };
    same("@hourly", "0 * * * *");
    same("@daily", "0 0 * * *");
    same("@midnight", "0 0 * * *");
    same("@weekly", "0 0 * * 0");
    same("@monthly", "0 0 1 * *");
    same("@yearly", "0 0 1 1 *");
    same("@annually", "0 0 1 1 *");
    same("  @Daily ", "0 0 * * *");
}

TEST_CASE("cron parse errors: exact message and offset") {
    struct Case {
        const char* text;
        const char* error;
        std::size_t offset;
    };
    const Case cases[] = {
        {"", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 0", 0},
        {"   ", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 0", 0},
        {"* * * *", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 4", 7},
        {"* * * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 7", 12},
        {"60 * * * *", "value 60 out of range 0-59 in the minute field", 0},
        {"  60 * * * *", "value 60 out of range 0-59 in the minute field", 2},
        {"0 24 * * *", "value 24 out of range 0-23 in the hour field", 2},
        {"0 0 0 * *", "value 0 out of range 1-31 in the day-of-month field", 4},
        {"0 0 1,32 * *", "value 32 out of range 1-31 in the day-of-month field", 4},
        {"0 0 * 13 *", "value 13 out of range 1-12 in the month field", 6},
        {"0 0 * 0 *", "value 0 out of range 1-12 in the month field", 6},
        {"0 0 * * 8", "value 8 out of range 0-7 in the day-of-week field", 8},
        {"60 * * * * *", "value 60 out of range 0-59 in the second field", 0},
        {"0 60 * * * *", "value 60 out of range 0-59 in the minute field", 2},
        {"0 0 99999999999 * *", "value 99999999999 out of range 1-31 in the day-of-month field", 4},
        {"*/0 * * * *", "step `0` out of range 1-60 in the minute field", 0},
        {"0 1-5/0 * * *", "step `0` out of range 1-24 in the hour field", 2},
        {"*/61 * * * *", "step `61` out of range 1-60 in the minute field", 0},
        {"0 0 * * */9", "step `9` out of range 1-8 in the day-of-week field", 8},
        {"*/1000000000 * * * *", "step `1000000000` out of range 1-60 in the minute field", 0},
        {"0 5-1 * * *", "range `5-1` goes backwards in the hour field", 2},
        {"0 0 * * 7-0", "range `7-0` goes backwards in the day-of-week field", 8},
        {"0 0 * dec-jan *", "range `dec-jan` goes backwards in the month field", 6},
        {"0 0 * foo *", "invalid value `foo` in the month field", 6},
        {"0 0 * january *", "invalid value `january` in the month field", 6},
        {"0 0 * jan-mon *", "invalid value `mon` in the month field", 6},
        {"0 0 * * funday", "invalid value `funday` in the day-of-week field", 8},
        {"0 0 * * mon-xyz", "invalid value `xyz` in the day-of-week field", 8},
        {"0 0 * * jan", "invalid value `jan` in the day-of-week field", 8},
        {"0 0 mon * *", "invalid value `mon` in the day-of-month field", 4},
        {"x * * * *", "invalid value `x` in the minute field", 0},
        {"0 0 ? * *", "invalid value `?` in the day-of-month field", 4},
        {"0 0 L * *", "invalid value `L` in the day-of-month field", 4},
        {"*-5 * * * *", "invalid value `*` in the minute field", 0},
        {"1-2-3 * * * *", "invalid value `2-3` in the minute field", 0},
        {"1,,2 * * * *", "empty list item in the minute field", 0},
        {"1, * * * *", "empty list item in the minute field", 0},
        {"1- * * * *", "invalid range `1-` in the minute field", 0},
        {"-1 * * * *", "invalid range `-1` in the minute field", 0},
        {"*/x * * * *", "invalid step `x` in the minute field", 0},
        {"*/ * * * *", "invalid step `` in the minute field", 0},
        {"*/-1 * * * *", "invalid step `-1` in the minute field", 0},
        {"1/2/3 * * * *", "invalid step `2/3` in the minute field", 0},
        {"/5 * * * *", "missing value before the step in `/5` in the minute field", 0},
        {"@reboot",
         "unknown macro `@reboot` (expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually)", 0},
        {" @every 5m",
         "unknown macro `@every` (expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually)", 1},
        {"@daily 5", "unexpected `5` after the macro `@daily` (a macro stands alone)", 7},
    };
    for (const Case& c : cases) {
        CronSpec spec;
        std::string error;
        std::size_t offset = 999;
        INFO("expression: \"" << c.text << "\"");
        CHECK_FALSE(parse_cron(c.text, spec, error, offset));
        CHECK(error == c.error);
        CHECK(offset == c.offset);
    }
}
