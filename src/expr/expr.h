// The expression engine's public face (spec §6): compile once at load time,
// evaluate per record with no exceptions on the hot path.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "json/value.h"

namespace sluiced {
class Arena;
}

namespace sluiced::expr {

class Program;  // immutable compiled expression (expr/program.h)

// A compile error: `offset` is the 0-based byte offset in the expression
// text where the caret goes; `message` is a sentence without position.
struct CompileError {
    std::size_t offset = 0;
    std::string message;
};

// Compiles `text`. On success returns the program and leaves `error` alone;
// on failure returns nullptr and fills `error`. Unknown functions, wrong
// arity, bad regexes (RE2) and syntax errors are compile errors.
std::shared_ptr<const Program> compile(std::string_view text, CompileError& error);

// Compiles `text` that must be a bare path (`.`, `.a.b`, `.a[0]`, `.["k"]`,
// `."k"`): used for `records`, `drop`, `next_url`, `cursor.from`, `exists`.
std::shared_ptr<const Program> compile_path(std::string_view text, CompileError& error);

// Per-run evaluation context: the arena receiving computed values and the
// run's `now()` (seconds since the epoch, fractions kept).
struct Context {
    Arena& arena;
    double now = 0;
};

// The result of an evaluation: a value, or a record error (spec §5.4).
struct Result {
    json::Value value;
    std::string_view error;  // non-empty on error; text lives in the arena
    bool ok() const { return error.empty(); }
};

// Evaluates `program` with `.` bound to `record`. The result may point into
// `record`, into ctx.arena (computed values, error texts) and into the
// Program (literals): all three must outlive its use.
Result eval(const Program& program, const json::Value& record, Context& ctx);

// For a path program: the value at the path, and whether it was present
// (exists semantics: present even when null). Non-path programs: evaluates.
struct PathLookup {
    json::Value value;
    bool present = false;
};
PathLookup lookup(const Program& path, const json::Value& record, Arena& arena);

// Removes the path from `record`, returning the new record (copy-on-write in
// the arena; a missing path returns `record` unchanged) (spec §5.3 drop).
json::Value remove_path(const Program& path, const json::Value& record, Arena& arena);

// Whether the program is a bare path.
bool is_path(const Program& program);

}  // namespace sluiced::expr
