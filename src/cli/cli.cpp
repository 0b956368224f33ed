// Command dispatch and usage text.
#include "cli/cli.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

std::string_view sluiced_schema_text();

namespace sluiced::cli {

static const char* kUsage =
    "usage: sluiced COMMAND [OPTIONS] PATH...\n"
    "\n"
    "commands:\n"
    "  run PATH...            run the daemon in the foreground\n"
    "  run --once PATH...     run every pipeline once now, wait, exit\n"
    "  check PATH...          validate; print each pipeline, its schedule and next fire times\n"
    "  test PATH...           run the tests: cases of the files\n"
    "  schema                 print the JSON Schema of pipeline files\n"
    "  tap NAME PATH...       fetch and run one pipeline now; print its records on stdout\n"
    "  state show [NAME]      print stored incremental cursors (--state-dir DIR)\n"
    "  state set NAME VALUE   set a cursor (for a backfill)\n"
    "  state reset NAME       remove a cursor\n"
    "  version                print the version\n"
    "\n"
    "options for run:\n"
    "  --pipeline NAME        only this pipeline (repeatable)\n"
    "  --log-format json|text|journal\n"
    "  --log-level debug|info|warn|error\n"
    "  --metrics-listen ADDR:PORT   serve /metrics and /healthz (daemon)\n"
    "  --shutdown-timeout DURATION  wait for in-flight runs on SIGTERM (default 30s)\n"
    "  --state-dir DIR        incremental cursors (default $STATE_DIRECTORY/state or /var/lib/sluiced/state)\n"
    "options for check:\n"
    "  --once                 validate as run --once does (schedule optional)\n"
    "  --quiet                print only errors\n"
    "  --now RFC3339          compute next fire times from this time\n"
    "\n"
    "exit status: 0 success, 1 a run or test failed, 2 usage or configuration error\n";

int usage_error(const std::string& msg) {
    std::fprintf(stderr, "sluiced: error: %s\n", msg.c_str());
    return 2;
}

int cmd_schema(const Args& args) {
    if (!args.empty()) return usage_error("schema takes no arguments");
    std::string_view text = sluiced_schema_text();
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}

int cmd_version(const Args& args) {
    if (!args.empty()) return usage_error("version takes no arguments");
    std::printf("sluiced %s\n", SLUICED_VERSION);
    return 0;
}

}  // namespace sluiced::cli

int sluiced_cli_main(int argc, char** argv) {
    using namespace sluiced::cli;
    // Write errors must be errors, not deaths: a closed stdout pipe (EPIPE)
    // or a file size limit (EFBIG) fail the run instead of killing us.
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    std::string cmd = argv[1];
    Args args(argv + 2, argv + argc);
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (cmd == "version" || cmd == "--version") return cmd_version(args);
    if (cmd == "run") return cmd_run(args);
    if (cmd == "check") return cmd_check(args);
    if (cmd == "test") return cmd_test(args);
    if (cmd == "schema") return cmd_schema(args);
    if (cmd == "tap") return cmd_tap(args);
    if (cmd == "state") return cmd_state(args);
    std::fprintf(stderr, "sluiced: error: unknown command `%s`\n%s", cmd.c_str(), kUsage);
    return 2;
}
