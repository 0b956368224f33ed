#include <doctest/doctest.h>

#include "daemon/reload.h"
#include "daemon/scheduler.h"

using namespace sluiced;
using namespace sluiced::daemon;

TEST_CASE("every: the next tick is anchored to the planned time") {
    CHECK(next_every(1000, 200, 1000) == 1200);
    CHECK(next_every(1000, 200, 1150) == 1200);  // fired late (jitter, run)
    CHECK(next_every(1000, 200, 1200) == 1200);
    // Missed ticks (blocked loop) are dropped, not caught up.
    CHECK(next_every(1000, 200, 1201) == 1400);
    CHECK(next_every(1000, 200, 1999) == 2000);
}

TEST_CASE("cron: the next fire time is computed from the planned one") {
    CHECK(cron_base(60000, 0, 60003) == 60003);
    CHECK(cron_base(60000, 5000, 64000) == 60000);   // jittered tick
    CHECK(cron_base(60000, 5000, 65010) == 60010);
    CHECK(cron_base(60000, 0, 59990) == 60000);      // timer a little early
    CHECK(cron_base(60000, 0, 600000) == 600000);    // clock jumped ahead
}

TEST_CASE("reload plan compares fingerprints") {
    std::map<std::string, std::string> old{{"a", "fa"}, {"b", "fb"}, {"c", "fc"}};
    std::vector<config::Pipeline> next(3);
    next[0].name = "d"; next[0].fingerprint = "fd";
    next[1].name = "b"; next[1].fingerprint = "fb2";
    next[2].name = "a"; next[2].fingerprint = "fa";
    ReloadPlan p = plan_reload(old, next);
    CHECK(p.added == std::vector<std::string>{"d"});
    CHECK(p.changed == std::vector<std::string>{"b"});
    CHECK(p.removed == std::vector<std::string>{"c"});
    CHECK(p.unchanged == std::vector<std::string>{"a"});
}

TEST_CASE("--pipeline selection") {
    std::vector<config::Pipeline> ps(2);
    ps[0].name = "a";
    ps[1].name = "b";
    std::vector<std::string> missing;
    auto out = select_pipelines(ps, {"b", "z"}, missing);
    REQUIRE(out.size() == 1);
    CHECK(out[0].name == "b");
    CHECK(missing == std::vector<std::string>{"z"});
    missing.clear();
    CHECK(select_pipelines(ps, {}, missing).size() == 2);
}

TEST_CASE("jitter draws stay in 0..jitter") {
    uv_loop_t loop;
    uv_loop_init(&loop);
    {
        Scheduler s(&loop, nullptr, nullptr);
        for (int i = 0; i < 1000; ++i) {
            auto j = s.draw_jitter(50);
            CHECK(j >= 0);
            CHECK(j <= 50);
        }
        CHECK(s.draw_jitter(0) == 0);
        s.close([] {});
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("every schedule ticks on a loop, first at once") {
    uv_loop_t loop;
    uv_loop_init(&loop);
    std::vector<std::uint64_t> ticks;
    std::vector<std::int64_t> planned;
    {
        Scheduler* sp = nullptr;
        Scheduler s(
            &loop,
            [&](const std::string& name) {
                CHECK(name == "p");
                ticks.push_back(uv_now(&loop));
                if (ticks.size() == 4) sp->close([] {});
            },
            [&](const std::string&, std::int64_t wall) { planned.push_back(wall); });
        sp = &s;
        config::Schedule sch;
        sch.kind = config::Schedule::Kind::Every;
        sch.every_ms = 20;
        std::string err;
        uv_update_time(&loop);
        std::uint64_t t0 = uv_now(&loop);
        REQUIRE(s.add("p", sch, err));
        CHECK(s.has("p"));
        uv_run(&loop, UV_RUN_DEFAULT);
        REQUIRE(ticks.size() == 4);
        CHECK(ticks[0] - t0 < 10);
        CHECK(ticks[3] - ticks[0] >= 60);
        CHECK(ticks[3] - ticks[0] < 80);
        CHECK(planned.size() >= 4);
    }
    CHECK(uv_loop_close(&loop) == 0);
}
