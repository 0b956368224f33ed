// The scheduler (spec §3): one uv_timer_t per pipeline on the daemon's loop.
// `every` ticks on the monotonic clock: the first at arming, then every
// interval, each delayed by a random 0..jitter. Cron ticks are computed
// from the wall clock with schedule::next_fire_times (plus jitter). The
// schedule stays anchored: the next tick is computed from the planned time
// of the previous one, not from when it fired or when its run ended.
// Ticks missed while the loop was blocked are dropped, not caught up.
//
// The scheduler only says "tick"; the owner decides whether a run starts
// or the tick is skipped (runs of one pipeline never overlap). Loop thread
// only.
#pragma once
#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "config/pipeline_config.h"

namespace sluiced::daemon {

// The planned time after `planned` for an `every` schedule: planned + every,
// advanced by whole intervals while it lies before `now` (missed ticks are
// dropped). All monotonic milliseconds.
std::int64_t next_every(std::int64_t planned, std::int64_t every_ms, std::int64_t now);

// The wall-clock time (ms) a cron schedule's next fire time is computed
// from, after a tick planned at `planned` that fired `jitter` ms late on
// purpose at `now`: the planned time, unless the tick came later than its
// jitter explains (the loop was blocked, the clock jumped), then the time
// it should have fired for. Keeps a fire time from being computed twice
// and never computes one in the past.
std::int64_t cron_base(std::int64_t planned, std::int64_t jitter, std::int64_t now);

class Scheduler {
public:
    using TickFn = std::function<void(const std::string& name)>;
    // The next tick of `name` was planned at `wall_ms` (epoch ms, jitter in).
    using PlannedFn = std::function<void(const std::string& name, std::int64_t wall_ms)>;

    Scheduler(uv_loop_t* loop, TickFn on_tick, PlannedFn on_planned);
    // During a tick callback: how late the tick fired against its planned
    // time (jitter included), in ms (benchmark W3's tick lateness).
    std::int64_t last_tick_lateness_ms() const { return last_late_ms_; }
    ~Scheduler();  // requires close() to have completed
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // Arms a fresh schedule for `name` (replacing any). Returns false with
    // `error` when no fire time can be computed (the pipeline never ticks).
    bool add(const std::string& name, const config::Schedule& schedule, std::string& error);
    // Stops `name`'s ticks; unknown names are ignored.
    void remove(const std::string& name);
    bool has(const std::string& name) const { return entries_.count(name) != 0; }
    std::size_t size() const { return entries_.size(); }

    // Removes every schedule; `on_closed` runs once every timer is closed
    // (at once when none is open).
    void close(std::function<void()> on_closed);

    // Random delay in 0..jitter_ms inclusive.
    std::int64_t draw_jitter(std::int64_t jitter_ms);

private:
    struct Entry;
    bool arm(Entry& e, bool first, std::string& error);
    void fire(Entry& e);
    void start_timer(Entry& e, std::int64_t delay_ms);
    void closed_one();

    uv_loop_t* loop_;
    TickFn on_tick_;
    std::int64_t last_late_ms_ = 0;
    PlannedFn on_planned_;
    std::map<std::string, std::unique_ptr<Entry>> entries_;
    int closing_ = 0;
    bool shutting_ = false;
    std::function<void()> on_closed_;
    std::mt19937_64 rng_;
};

// Wall clock, epoch milliseconds.
std::int64_t wall_now_ms();

}  // namespace sluiced::daemon
