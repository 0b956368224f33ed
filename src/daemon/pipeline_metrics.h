// The metrics sluiced exports (spec §10, operations.md §4). The names are a
// contract. Per-pipeline series are created at 0 when a pipeline is added
// and dropped when it is removed; a run's Report is added when it ends.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>

#include "daemon/metrics.h"

namespace sluiced::run {
struct Report;
}

namespace sluiced::daemon {

class PipelineMetrics {
public:
    PipelineMetrics();

    Registry& registry() { return registry_; }
    const Registry& registry() const { return registry_; }
    std::string render() const { return registry_.render(); }

    void set_pipelines(std::size_t n);
    // A reload (or the initial load): successful or not; `now` epoch seconds.
    void config_loaded(bool ok, double now);

    void add_pipeline(const std::string& name);
    void remove_pipeline(const std::string& name);

    void run_started(const std::string& name);
    // `finished_at`: epoch seconds at the end of the run.
    void run_finished(const std::string& name, const run::Report& report, double finished_at);
    void run_skipped(const std::string& name);
    // Wall-clock time of the pipeline's next tick (jitter included), epoch s.
    void next_run(const std::string& name, double at);

private:
    // Handles on a pipeline's own series (kept from add_pipeline to
    // remove_pipeline): a run's start and end touch about 17 of them.
    struct Refs {
        Registry::Ref in_progress, success, failure, duration, last_success, next_run;
        Registry::Ref counters[9];  // kPipelineCounters' order
    };
    const Refs* refs(const std::string& name) const;

    Registry registry_;
    std::unordered_map<std::string, Refs> refs_;
};

}  // namespace sluiced::daemon
