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
    // A step larger than the range keeps only the start (as in Vixie cron).
    CHECK(values(parse_ok("*/60 * * * *").minutes) == V{0});
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
        {"", "the cron expression is empty", 0},
        {"   ", "the cron expression is empty", 0},
        {"* * * *", "expected 5 or 6 fields (6 = seconds first), found 4", 7},
        {"* * * * * * *", "expected 5 or 6 fields (6 = seconds first), found 7", 12},
        {"60 * * * *", "minute field \"60\": 60 is out of range 0-59", 0},
        {"  60 * * * *", "minute field \"60\": 60 is out of range 0-59", 2},
        {"0 24 * * *", "hour field \"24\": 24 is out of range 0-23", 2},
        {"0 0 0 * *", "day-of-month field \"0\": 0 is out of range 1-31", 4},
        {"0 0 1,32 * *", "day-of-month field \"1,32\": 32 is out of range 1-31", 4},
        {"0 0 * 13 *", "month field \"13\": 13 is out of range 1-12", 6},
        {"0 0 * 0 *", "month field \"0\": 0 is out of range 1-12", 6},
        {"0 0 * * 8", "day-of-week field \"8\": 8 is out of range 0-7", 8},
        {"60 * * * * *", "second field \"60\": 60 is out of range 0-59", 0},
        {"0 60 * * * *", "minute field \"60\": 60 is out of range 0-59", 2},
        {"0 0 99999999999 * *", "day-of-month field \"99999999999\": 99999999999 is out of range 1-31", 4},
        {"*/0 * * * *", "minute field \"*/0\": step 0 must be at least 1", 0},
        {"0 1-5/0 * * *", "hour field \"1-5/0\": step 0 must be at least 1", 2},
        {"0 5-1 * * *", "hour field \"5-1\": range 5-1 is reversed (the start is after the end)", 2},
        {"0 0 * * 7-0", "day-of-week field \"7-0\": range 7-0 is reversed (the start is after the end)", 8},
        {"0 0 * dec-jan *", "month field \"dec-jan\": range dec-jan is reversed (the start is after the end)", 6},
        {"0 0 * foo *", "month field \"foo\": \"foo\" is not a number or a month name (jan-dec)", 6},
        {"0 0 * january *", "month field \"january\": \"january\" is not a number or a month name (jan-dec)", 6},
        {"0 0 * * funday", "day-of-week field \"funday\": \"funday\" is not a number or a weekday name (sun-sat)", 8},
        {"0 0 * * jan", "day-of-week field \"jan\": \"jan\" is not a number or a weekday name (sun-sat)", 8},
        {"0 0 mon * *", "day-of-month field \"mon\": \"mon\" is not a number", 4},
        {"x * * * *", "minute field \"x\": \"x\" is not a number", 0},
        {"0 0 ? * *", "day-of-month field \"?\": \"?\" is not a number", 4},
        {"0 0 L * *", "day-of-month field \"L\": \"L\" is not a number", 4},
        {"1,,2 * * * *", "minute field \"1,,2\": empty list element", 0},
        {"1, * * * *", "minute field \"1,\": empty list element", 0},
        {"1- * * * *", "minute field \"1-\": \"1-\" is not a valid range", 0},
        {"-1 * * * *", "minute field \"-1\": \"-1\" is not a valid range", 0},
        {"1-2-3 * * * *", "minute field \"1-2-3\": \"1-2-3\" is not a valid range", 0},
        {"*/x * * * *", "minute field \"*/x\": step \"x\" is not a number", 0},
        {"*/ * * * *", "minute field \"*/\": step \"\" is not a number", 0},
        {"*/-1 * * * *", "minute field \"*/-1\": step \"-1\" is not a number", 0},
        {"*/1000000000 * * * *", "minute field \"*/1000000000\": step 1000000000 is too large", 0},
        {"/5 * * * *", "minute field \"/5\": \"/5\" has no start before the step", 0},
        {"1/2/3 * * * *", "minute field \"1/2/3\": \"1/2/3\" has more than one step", 0},
        {"*-5 * * * *", "minute field \"*-5\": \"*\" is not a number", 0},
        {"@reboot",
         "unknown macro \"@reboot\" (use @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually)", 0},
        {" @every 5m",
         "unknown macro \"@every\" (use @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually)", 1},
        {"@daily 5", "the macro @daily stands alone, but \"5\" follows it", 7},
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
