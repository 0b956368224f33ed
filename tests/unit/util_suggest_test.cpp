#include <doctest/doctest.h>

#include "util/suggest.h"

using sluiced::edit_distance;
using sluiced::suggest;

TEST_CASE("edit distance with transpositions") {
    CHECK(edit_distance("schedule", "shedule") == 1);
    CHECK(edit_distance("upper", "uper") == 1);
    CHECK(edit_distance("abc", "acb") == 1);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("UTC", "utc") == 3);
    CHECK(edit_distance("UTC", "utc", true) == 0);
}

TEST_CASE("suggestions need a close enough candidate") {
    CHECK(suggest("shedule", {"schedule", "source", "sink"}) == "schedule");
    CHECK(suggest("uper", {"upper", "lower", "type"}) == "upper");
    CHECK(suggest("Source", {"schedule", "source"}) == "source");
    // a 4-letter word allows one edit only: `nope` is two from `type`
    CHECK(suggest("nope", {"type", "len", "now"}) == "");
    CHECK(suggest("xy", {"x"}) == "");
}
