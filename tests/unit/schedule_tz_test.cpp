// valid_tz (spec §3): UTC, local and IANA names of the system tz database.
#include <doctest/doctest.h>

#include <string>

#include "schedule/time_zone.h"

using namespace sluiced::schedule;

TEST_CASE("valid time zones") {
    for (const char* tz : {"UTC", "local", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "US/Eastern",
                           "Etc/UTC", "EST5EDT", "Australia/Lord_Howe"}) {
        std::string error;
        INFO(tz);
        CHECK(valid_tz(tz, error));
        CHECK(error.empty());
    }
}

TEST_CASE("invalid time zones: exact messages") {
    struct Case {
        const char* tz;
        const char* error;
    };
    const Case cases[] = {
        {"", "empty time zone (expected UTC, local or an IANA name such as Europe/Berlin)"},
        {"Europe/Berln", "unknown time zone `Europe/Berln` (did you mean `Europe/Berlin`?)"},
        {"europe/berlin", "unknown time zone `europe/berlin` (did you mean `Europe/Berlin`?)"},
        {"utc", "unknown time zone `utc` (did you mean `UTC`?)"},
        {"Local", "unknown time zone `Local` (did you mean `local`?)"},
        {"Mars/Olympus_Mons", "unknown time zone `Mars/Olympus_Mons` (expected UTC, local or an IANA name such as Europe/Berlin)"},
        {"../../etc/passwd", "unknown time zone `../../etc/passwd` (expected UTC, local or an IANA name such as Europe/Berlin)"},
        {"/usr/share/zoneinfo/UTC", "unknown time zone `/usr/share/zoneinfo/UTC` (expected UTC, local or an IANA name such as Europe/Berlin)"},
        {"Europe", "unknown time zone `Europe` (expected UTC, local or an IANA name such as Europe/Berlin)"},
        {"zone.tab", "unknown time zone `zone.tab` (expected UTC, local or an IANA name such as Europe/Berlin)"},
        {"posixrules", "unknown time zone `posixrules` (expected UTC, local or an IANA name such as Europe/Berlin)"},
        {"right/UTC", "unknown time zone `right/UTC` (expected UTC, local or an IANA name such as Europe/Berlin)"},
    };
    for (const Case& c : cases) {
        std::string error;
        INFO("tz: \"" << c.tz << "\"");
        CHECK_FALSE(valid_tz(c.tz, error));
        CHECK(error == c.error);
    }
}
