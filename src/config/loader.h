// The configuration loader (spec §1–§8): YAML files and directories in,
// plain structs (pipeline_config.h) and positioned diagnostics out.
// Decisions where the spec is silent: docs/configuration.md.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.h"

namespace sluiced::config {

// One configuration error. `mark` is 1-based (line, column in bytes).
// Expression errors also carry the expression text and the 0-based byte
// offset of the offending byte in it (`caret`).
struct Diagnostic {
    Mark mark;
    bool has_mark = false;
    std::string message;
    std::string expr_text;
    std::size_t caret = 0;
    bool has_expr = false;
};

struct LoadOptions {
    // false for `run --once`, `check --once`, `test`, `tap`: `schedule`
    // becomes optional (still validated when present).
    bool require_schedule = true;
    // Test `env:` values; they take precedence over getenv() in `${NAME}`.
    const std::map<std::string, std::string>* env_overlay = nullptr;
};

// Loads files and directories (a directory: every *.yaml / *.yml directly
// inside, in byte-wise name order, dot files skipped). Pipelines and tests
// are appended to `out` in file order; every error found is appended to
// `diags` (a YAML syntax error stops only its file). Returns true when there
// are no errors.
bool load(const std::vector<std::string>& paths, const LoadOptions& opts, Configuration& out,
          std::vector<Diagnostic>& diags);

// "FILE:LINE:COL: error: MESSAGE" (or "sluiced: error: MESSAGE" without a
// mark). Expression errors add two lines: the line of the expression text
// holding the offending byte, and a caret line with '^' under that byte.
// No trailing newline.
std::string format(const Diagnostic& d);

// Durations: one or more NUMBER UNIT groups, units in decreasing order and
// each at most once: d (24h), h, m, s, ms. `250ms`, `30s`, `5m`, `1h30m`,
// `1d12h`. Integers only; a bare `0` is zero. Returns false when invalid or
// when the value overflows int64 milliseconds.
bool parse_duration(std::string_view s, std::int64_t& ms);

// Sizes: NUMBER[UNIT], units B, KiB MiB GiB TiB (powers of 1024) and KB MB GB
// TB (powers of 1000), case-sensitive; `512` is bytes. Integers only.
bool parse_size(std::string_view s, std::uint64_t& bytes);

}  // namespace sluiced::config
