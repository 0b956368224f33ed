#include <doctest/doctest.h>

#include "source/link_header.h"

using sluiced::source::find_link;
using sluiced::source::find_link_in;

TEST_CASE("Link header: RFC 8288 parsing (spec §4.1)") {
    CHECK(find_link_in("<https://a/p?page=2>; rel=\"next\"", "next").value() == "https://a/p?page=2");
    CHECK(find_link_in("<?page=2>; rel=next", "next").value() == "?page=2");
    // several links in one header, the wanted one not first
    CHECK(find_link_in("<https://a/1>; rel=\"prev\", <https://a/3>; rel=\"next\"", "next").value() == "https://a/3");
    // commas and semicolons inside <> and quotes
    CHECK(find_link_in("<https://a/x?a=1,2;b>; title=\"x, y; z\"; rel=\"next\"", "next").value() ==
          "https://a/x?a=1,2;b");
    CHECK(find_link_in("<https://a/1>; title=\"a,<https://evil/>; rel=next\", <https://a/2>; rel=next", "next").value() ==
          "https://a/2");
    // case-insensitive rel among space-separated values, any position
    CHECK(find_link_in("<https://a/2>; type=\"text/html\"; REL=\"last NEXT\"", "next").value() == "https://a/2");
    CHECK(find_link_in("<https://a/2>; rel=\"nextish\"", "next") == std::nullopt);
    // only the first rel parameter counts
    CHECK(find_link_in("<https://a/2>; rel=prev; rel=next", "next") == std::nullopt);
    CHECK(find_link_in("", "next") == std::nullopt);
    CHECK(find_link_in("garbage, <https://a/5>;rel=next", "next").value() == "https://a/5");
    // escaped quote in a quoted string
    CHECK(find_link_in("<https://a/6>; title=\"say \\\"hi\\\", ok\"; rel=next", "next").value() == "https://a/6");
}

TEST_CASE("Link header: several headers, names case-insensitive") {
    sluiced::source::HeaderList h{{"Content-Type", "application/json"},
                                  {"link", "<https://a/1>; rel=prev"},
                                  {"LINK", "<https://a/3>; rel=next"}};
    CHECK(find_link(h, "next").value() == "https://a/3");
    CHECK(find_link(h, "prev").value() == "https://a/1");
    CHECK(find_link(h, "last") == std::nullopt);
}
