#include "daemon/scheduler.h"

#include <algorithm>
#include <chrono>

#include "schedule/schedule.h"

namespace sluiced::daemon {

std::int64_t wall_now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t next_every(std::int64_t planned, std::int64_t every_ms, std::int64_t now) {
    if (every_ms <= 0) every_ms = 1;
    std::int64_t next = planned + every_ms;
    if (next < now) next += (now - next + every_ms - 1) / every_ms * every_ms;
    return next;
}

std::int64_t cron_base(std::int64_t planned, std::int64_t jitter, std::int64_t now) {
    return std::max(planned, now - jitter);
}

struct Scheduler::Entry {
    Scheduler* owner = nullptr;
    std::string name;
    config::Schedule schedule;
    uv_timer_t timer{};
    std::int64_t planned = 0;  // every: monotonic ms (uv_now); cron: wall ms
    std::int64_t jitter = 0;   // drawn for the pending tick
    bool timer_open = false;
};

Scheduler::Scheduler(uv_loop_t* loop, TickFn on_tick, PlannedFn on_planned)
    : loop_(loop), on_tick_(std::move(on_tick)), on_planned_(std::move(on_planned)), rng_(std::random_device{}()) {}

Scheduler::~Scheduler() = default;

std::int64_t Scheduler::draw_jitter(std::int64_t jitter_ms) {
    if (jitter_ms <= 0) return 0;
    return std::uniform_int_distribution<std::int64_t>(0, jitter_ms)(rng_);
}

bool Scheduler::add(const std::string& name, const config::Schedule& schedule, std::string& error) {
    if (shutting_) return false;
    remove(name);
    auto e = std::make_unique<Entry>();
    e->owner = this;
    e->name = name;
    e->schedule = schedule;
    uv_timer_init(loop_, &e->timer);
    e->timer.data = e.get();
    e->timer_open = true;
    Entry& ref = *e;
    entries_[name] = std::move(e);
    if (!arm(ref, true, error)) {
        remove(name);
        return false;
    }
    return true;
}

void Scheduler::remove(const std::string& name) {
    auto it = entries_.find(name);
    if (it == entries_.end()) return;
    Entry* e = it->second.release();
    entries_.erase(it);
    ++closing_;
    uv_close(reinterpret_cast<uv_handle_t*>(&e->timer), [](uv_handle_t* h) {
        auto* e = static_cast<Entry*>(h->data);
        Scheduler* s = e->owner;
        delete e;
        s->closed_one();
    });
}

void Scheduler::closed_one() {
    if (--closing_ == 0 && shutting_ && on_closed_) {
        auto cb = std::move(on_closed_);
        on_closed_ = nullptr;
        cb();
    }
}

void Scheduler::close(std::function<void()> on_closed) {
    shutting_ = true;
    on_closed_ = std::move(on_closed);
    while (!entries_.empty()) remove(entries_.begin()->first);
    if (closing_ == 0 && on_closed_) {
        auto cb = std::move(on_closed_);
        on_closed_ = nullptr;
        cb();
    }
}

void Scheduler::start_timer(Entry& e, std::int64_t delay_ms) {
    if (delay_ms < 0) delay_ms = 0;
    uv_timer_start(
        &e.timer, [](uv_timer_t* t) { auto* e = static_cast<Entry*>(t->data); e->owner->fire(*e); },
        std::uint64_t(delay_ms), 0);
}

// Plans the next tick: the first one (at arming) or the one after e.planned.
bool Scheduler::arm(Entry& e, bool first, std::string& error) {
    const config::Schedule& s = e.schedule;
    uv_update_time(loop_);
    std::int64_t mono = std::int64_t(uv_now(loop_));
    std::int64_t wall = wall_now_ms();
    if (s.kind == config::Schedule::Kind::Every) {
        e.planned = first ? mono : next_every(e.planned, s.every_ms, mono);
        e.jitter = draw_jitter(s.jitter_ms);
        std::int64_t fire_at = e.planned + e.jitter;
        start_timer(e, fire_at - mono);
        if (on_planned_) on_planned_(e.name, wall + (fire_at - mono));
        return true;
    }
    if (s.kind == config::Schedule::Kind::Cron) {
        std::int64_t base = first ? wall : cron_base(e.planned, e.jitter, wall);
        std::vector<std::int64_t> t = schedule::next_fire_times(s, base, 1, error);
        if (t.empty()) {
            if (error.empty()) error = "the cron schedule has no next fire time";
            return false;
        }
        e.planned = t[0];
        e.jitter = draw_jitter(s.jitter_ms);
        std::int64_t fire_at = e.planned + e.jitter;
        start_timer(e, fire_at - wall);
        if (on_planned_) on_planned_(e.name, fire_at);
        return true;
    }
    error = "the pipeline has no schedule";
    return false;
}

void Scheduler::fire(Entry& e) {
    if (e.schedule.kind == config::Schedule::Kind::Cron) {
        std::int64_t fire_at = e.planned + e.jitter;
        std::int64_t wall = wall_now_ms();
        // Early by a loop-clock rounding, or the wall clock was set back:
        // wait for the remainder, so a cron tick never runs before its time.
        if (wall < fire_at) {
            start_timer(e, std::max<std::int64_t>(1, fire_at - wall));
            return;
        }
    }
    if (e.schedule.kind == config::Schedule::Kind::Cron) {
        last_late_ms_ = wall_now_ms() - (e.planned + e.jitter);
    } else {
        uv_update_time(loop_);
        last_late_ms_ = std::int64_t(uv_now(loop_)) - (e.planned + e.jitter);
    }
    std::string name = e.name;
    std::string error;
    if (!arm(e, false, error)) {
        // No further fire time (cannot happen for valid cron): tick this
        // once and stop.
        remove(name);
    }
    // The tick handler may remove or re-add `name`: call it last, and with
    // a copy of the name.
    if (on_tick_) on_tick_(name);
}

}  // namespace sluiced::daemon
