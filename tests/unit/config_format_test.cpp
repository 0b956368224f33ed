#include <doctest/doctest.h>

#include "config/diagnostics.h"
#include "config/loader.h"

using namespace sluiced::config;

TEST_CASE("format: with and without a mark") {
    Diagnostic d;
    d.message = "cannot read `x.yaml`: No such file or directory";
    CHECK(format(d) == "sluiced: error: cannot read `x.yaml`: No such file or directory");
    d.has_mark = true;
    d.mark = Mark{"dir/p.yaml", 3, 5};
    d.message = "unknown key `shedule` (did you mean `schedule`?)";
    CHECK(format(d) == "dir/p.yaml:3:5: error: unknown key `shedule` (did you mean `schedule`?)");
}

TEST_CASE("format: expression lines") {
    Diagnostic d;
    d.has_mark = true;
    d.mark = Mark{"p.yaml", 1, 1};
    d.message = "m";
    d.has_expr = true;
    d.expr_text = ".a +* 1";
    d.caret = 4;
    CHECK(format(d) == "p.yaml:1:1: error: m\n.a +* 1\n    ^");
    d.caret = 7;  // at the end
    CHECK(format(d) == "p.yaml:1:1: error: m\n.a +* 1\n       ^");
    d.caret = 99;  // clamped
    CHECK(format(d) == "p.yaml:1:1: error: m\n.a +* 1\n       ^");
    d.expr_text = "a\nbc d\ne";
    d.caret = 5;  // 'd' on the second line
    CHECK(format(d) == "p.yaml:1:1: error: m\nbc d\n   ^");
    d.caret = 2;  // first byte of the second line
    CHECK(format(d) == "p.yaml:1:1: error: m\nbc d\n^");
    d.caret = 1;  // the newline ending the first line
    CHECK(format(d) == "p.yaml:1:1: error: m\na\n ^");
    d.expr_text = "\t.x ?";
    d.caret = 4;
    CHECK(format(d) == "p.yaml:1:1: error: m\n\t.x ?\n\t   ^");
}

TEST_CASE("suggestions") {
    CHECK(suggest("shedule", {"schedule", "source", "sink"}) == "schedule");
    CHECK(suggest("Schedule", {"schedule"}) == "schedule");
    CHECK(suggest("SINK", {"sink"}) == "sink");
    CHECK(suggest("tiemout", {"timeout", "connect_timeout"}) == "timeout");
    CHECK(suggest("xyz", {"schedule", "source"}) == "");
    CHECK(suggest("ab", {"url"}) == "");
    CHECK(suggest("urll", {"url"}) == "url");
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("ab", "ba") == 1);
    CHECK(did_you_mean("") == "");
    CHECK(did_you_mean("x") == " (did you mean `x`?)");
}
