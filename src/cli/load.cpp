// Shared configuration loading for every command: prints all diagnostics.
#include <cstdio>

#include "cli/cli.h"
#include "config/loader.h"

namespace sluiced::cli {

bool load_config(const std::vector<std::string>& paths, bool require_schedule, config::Configuration& out) {
    config::LoadOptions opts;
    opts.require_schedule = require_schedule;
    std::vector<config::Diagnostic> diags;
    bool ok = config::load(paths, opts, out, diags);
    for (const auto& d : diags) std::fprintf(stderr, "%s\n", config::format(d).c_str());
    return ok && diags.empty();
}

}  // namespace sluiced::cli
