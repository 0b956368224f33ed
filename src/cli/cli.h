// Command line (spec §9): one function per command, each returning the exit
// status (0 success, 1 a run/test failed or start-up failed, 2 usage or
// configuration error).
#pragma once
#include <string>
#include <vector>

namespace sluiced::cli {

using Args = std::vector<std::string>;

int cmd_run(const Args& args);      // run [--once] ...
int cmd_check(const Args& args);    // check [--once] [--quiet] [--now T] PATH...
int cmd_test(const Args& args);     // test PATH...
int cmd_version(const Args& args);
int cmd_schema(const Args& args);
int cmd_tap(const Args& args);       // tap NAME PATH...
int cmd_state(const Args& args);     // state show|set|reset    // prints schemas/pipeline.schema.json

// Prints "sluiced: error: MSG" on stderr and returns 2.
int usage_error(const std::string& msg);

}  // namespace sluiced::cli

namespace sluiced::config {
struct Configuration;
}
namespace sluiced::cli {
// Loads `paths` and prints every diagnostic to stderr. Returns false on any
// configuration error (the caller exits 2).
bool load_config(const std::vector<std::string>& paths, bool require_schedule, config::Configuration& out);
}  // namespace sluiced::cli
