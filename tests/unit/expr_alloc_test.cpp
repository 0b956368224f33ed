// The record path does not touch the heap: after a warm-up (arena block,
// thread-local scratch buffers, RE2's lazily built DFA), evaluating any
// expression allocates only in the Arena (spec §6, performance contract).
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "expr/expr.h"
#include "json/json.h"
#include "util/arena.h"

namespace {
std::atomic<long> g_news{0};
}

void* operator new(std::size_t n) {
    g_news.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

TEST_CASE("evaluation allocates nothing on the heap once warm") {
    const char* programs[] = {
        ".a.b[0] ?? \"x\"",
        ".n * 2 + 1 > 10 && .s =~ \"^ab\"",
        "upper(.s) + lower(.s) + trim(.s)",
        "replace(.s, \"b\", \"xy\")",
        "split(.s, \"b\")",
        "join(.arr, \",\")",
        "substr(.s, 1, 2)",
        "to_string(.arr)",
        "to_string(.n)",
        "to_number(\" 12 \")",
        "format_time(1700000000.5)",
        "format_time(.n, \"%F %T.%f %Z\")",
        "parse_time(\"2024-01-01T00:00:00.123+01:00\")",
        "parse_time(\"01/Jan/2024\", \"%d/%b/%Y\")",
        "[.n, .s, 1 / 3]",
        "len(.s) + round(.f) + abs(-.n) + min(.n, 3) + max(1, 2)",
        "coalesce(.x, .y, .n) == 21",
        ".s in .arr || \"k\" in .o",
        "not exists(.o.k) ? 1 : 2",
        "-.n % 4",
        "\"t\\u00e9\" + .e",
        "contains(.e, \"é\") && starts_with(.s, \"a\") && ends_with(.s, \"c\")",
        "type(.o) == \"object\" and .o == .o",
        "upper(1)",
        "to_number(\"zz\")",
        "1 / 0",
    };
    std::vector<std::shared_ptr<const sluiced::expr::Program>> progs;
    for (const char* t : programs) {
        sluiced::expr::CompileError e;
        auto p = sluiced::expr::compile(t, e);
        INFO(t << ": " << e.message);
        REQUIRE(p);
        progs.push_back(p);
    }
    sluiced::Arena arena(1 << 20);
    std::string text = R"({"a":{"b":[1]},"n":21,"s":"abc","f":2.5,"arr":["abc",1,true],"o":{"k":null},"e":"\u00e9t\u00e9"})";
    sluiced::json::Value rec;
    std::string err;
    for (int round = 0; round < 3; ++round) {
        arena.reset();
        REQUIRE(sluiced::json::parse(text, arena, rec, err));
        long before = g_news.load();
        for (auto& p : progs) {
            sluiced::expr::Context ctx{arena, 1700000000.25};
            (void)sluiced::expr::eval(*p, rec, ctx);
        }
        long used = g_news.load() - before;
        if (round == 0) CHECK(used > 0);  // the counter works: warm-up allocates
        if (round == 2) CHECK(used == 0);
    }
}
