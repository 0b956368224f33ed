// What a reload changes (spec §10): pipelines are compared by their
// fingerprint (config::Pipeline::fingerprint, the canonical text of the
// definition after interpolation). Unchanged ones keep their runtime and
// schedule; a changed one is removed and added afresh.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "config/pipeline_config.h"

namespace sluiced::daemon {

struct ReloadPlan {
    std::vector<std::string> added;      // in the new configuration's order
    std::vector<std::string> changed;    // in the new configuration's order
    std::vector<std::string> removed;    // in name order
    std::vector<std::string> unchanged;  // in the new configuration's order
};

// `old_fingerprints`: name -> fingerprint of the running pipelines.
ReloadPlan plan_reload(const std::map<std::string, std::string>& old_fingerprints,
                       const std::vector<config::Pipeline>& next);

// Keeps only the pipelines named in `only` (all when empty). Names in `only`
// missing from `pipelines` are returned in `missing`.
std::vector<config::Pipeline> select_pipelines(std::vector<config::Pipeline> pipelines,
                                               const std::vector<std::string>& only,
                                               std::vector<std::string>& missing);

}  // namespace sluiced::daemon
