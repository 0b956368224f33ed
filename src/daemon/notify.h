// systemd notifications (spec §10, operations.md §3) through libsystemd's
// sd_notify(): nothing is sent when NOTIFY_SOCKET is unset. Only `run` (the
// daemon) notifies. The watchdog is petted from a timer on the daemon's own
// loop, never from a thread, so a wedged loop stops petting and systemd
// aborts and restarts us. Loop thread only.
#pragma once
#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>

namespace sluiced::daemon {

class Notifier {
public:
    explicit Notifier(uv_loop_t* loop);
    ~Notifier();  // requires close() to have completed
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    // READY=1 with STATUS=.
    void ready(const std::string& status);
    // RELOADING=1 with MONOTONIC_USEC= (CLOCK_MONOTONIC microseconds).
    void reloading();
    // STOPPING=1 with STATUS=.
    void stopping(const std::string& status);
    // STATUS= when it differs from the last one sent.
    void status(const std::string& status);

    // Starts petting (WATCHDOG=1 every half of WATCHDOG_USEC) when
    // sd_watchdog_enabled() says the watchdog is on for this process.
    // Returns the petting interval in microseconds, 0 when off.
    std::uint64_t start_watchdog();

    // Stops the watchdog timer; `on_closed` runs once its handle is closed
    // (at once when it was never started).
    void close(std::function<void()> on_closed);

private:
    void send(const std::string& message);

    uv_loop_t* loop_;
    uv_timer_t timer_{};
    bool timer_started_ = false;
    std::string last_status_;
    std::function<void()> on_closed_;
};

}  // namespace sluiced::daemon
