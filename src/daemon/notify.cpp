#include "daemon/notify.h"

#include <systemd/sd-daemon.h>
#include <time.h>

namespace sluiced::daemon {

Notifier::Notifier(uv_loop_t* loop) : loop_(loop) {}

Notifier::~Notifier() = default;

void Notifier::send(const std::string& message) {
    // Errors (no socket, socket gone) are not ours to act on: systemd then
    // times the start out or kills us, which is the right outcome.
    sd_notify(0, message.c_str());
}

void Notifier::ready(const std::string& status) {
    last_status_ = status;
    send("READY=1\nSTATUS=" + status);
}

void Notifier::reloading() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    std::uint64_t usec = std::uint64_t(ts.tv_sec) * 1000000u + std::uint64_t(ts.tv_nsec) / 1000u;
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void Notifier::stopping(const std::string& status) {
    last_status_ = status;
    send("STOPPING=1\nSTATUS=" + status);
}

void Notifier::status(const std::string& status) {
    if (status == last_status_) return;
    last_status_ = status;
    send("STATUS=" + status);
}

std::uint64_t Notifier::start_watchdog() {
    std::uint64_t usec = 0;
    if (timer_started_ || sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return 0;
    std::uint64_t every_ms = usec / 2 / 1000;
    if (every_ms == 0) every_ms = 1;
    uv_timer_init(loop_, &timer_);
    timer_.data = this;
    timer_started_ = true;
    // Pet once at once: READY may come later than half a period after exec.
    send("WATCHDOG=1");
    uv_timer_start(
        &timer_, [](uv_timer_t* t) { static_cast<Notifier*>(t->data)->send("WATCHDOG=1"); }, every_ms, every_ms);
    return usec / 2;
}

void Notifier::close(std::function<void()> on_closed) {
    if (!timer_started_) {
        if (on_closed) on_closed();
        return;
    }
    timer_started_ = false;
    on_closed_ = std::move(on_closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* h) {
        auto* self = static_cast<Notifier*>(h->data);
        auto cb = std::move(self->on_closed_);
        if (cb) cb();
    });
}

}  // namespace sluiced::daemon
