// `sluiced run PATH...`: the daemon (spec §3, §9, §10; operations.md §1, §3).
// One libuv loop runs everything: signals, the scheduler, every pipeline's
// runs (curl multi), the metrics server and the systemd watchdog.
//
// Start-up, in this order: raise RLIMIT_NOFILE, signal handlers (SIGHUP,
// SIGTERM, SIGINT), load and validate (exit 2 on configuration errors),
// open sinks (exit 1), bind metrics (exit 1), arm the scheduler, READY=1.
// SIGHUP reloads (reload.h); SIGTERM/SIGINT drain and exit 0; a second one
// exits at once with status 1. Decisions: docs/daemon.md.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sluiced::daemon {

struct DaemonOptions {
    std::vector<std::string> pipelines;       // --pipeline (repeatable): only these
    std::string metrics_listen;               // --metrics-listen ADDR:PORT; empty: no server
    std::int64_t shutdown_timeout_ms = 30000; // --shutdown-timeout
    std::string state_dir;                    // --state-dir (incremental sync, spec §4.2)
};

// Runs the daemon until it is stopped; returns the exit status.
int run_daemon(const std::vector<std::string>& paths, const DaemonOptions& options);

}  // namespace sluiced::daemon
