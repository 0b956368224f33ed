#include "daemon/reload.h"

#include <algorithm>
#include <set>

namespace sluiced::daemon {

ReloadPlan plan_reload(const std::map<std::string, std::string>& old_fingerprints,
                       const std::vector<config::Pipeline>& next) {
    ReloadPlan plan;
    std::set<std::string> seen;
    for (const auto& p : next) {
        seen.insert(p.name);
        auto it = old_fingerprints.find(p.name);
        if (it == old_fingerprints.end()) plan.added.push_back(p.name);
        else if (it->second != p.fingerprint) plan.changed.push_back(p.name);
        else plan.unchanged.push_back(p.name);
    }
    for (const auto& [name, fp] : old_fingerprints)
        if (!seen.count(name)) plan.removed.push_back(name);
    return plan;
}

std::vector<config::Pipeline> select_pipelines(std::vector<config::Pipeline> pipelines,
                                               const std::vector<std::string>& only,
                                               std::vector<std::string>& missing) {
    if (only.empty()) return pipelines;
    std::set<std::string> wanted(only.begin(), only.end());
    for (const auto& name : wanted) {
        bool found = std::any_of(pipelines.begin(), pipelines.end(), [&](const auto& p) { return p.name == name; });
        if (!found) missing.push_back(name);
    }
    std::vector<config::Pipeline> out;
    for (auto& p : pipelines)
        if (wanted.count(p.name)) out.push_back(std::move(p));
    return out;
}

}  // namespace sluiced::daemon
