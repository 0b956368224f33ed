// The function table of spec §6.3: names, arities and implementations.
// exists() and coalesce() are special forms compiled to their own nodes
// (exists takes a path, coalesce is lazy) and have no BuiltinFn.
#pragma once
#include <string>
#include <string_view>

#include "expr/program.h"

namespace sluiced::expr {

struct Builtin {
    const char* name;
    int min_args;
    int max_args;  // -1: variadic
    BuiltinFn fn;  // nullptr for the special forms
};

// nullptr when `name` is not a function.
const Builtin* find_builtin(std::string_view name);

// The closest function name to `name` (edit distance <= 2), or "".
std::string suggest_builtin(std::string_view name);

// ---- implementations (builtins_*.cpp) ----
// value: type, len, to_string, to_number
Result fn_type(const Node&, const json::Value*, Context&);
Result fn_len(const Node&, const json::Value*, Context&);
Result fn_to_string(const Node&, const json::Value*, Context&);
Result fn_to_number(const Node&, const json::Value*, Context&);
// string
Result fn_lower(const Node&, const json::Value*, Context&);
Result fn_upper(const Node&, const json::Value*, Context&);
Result fn_trim(const Node&, const json::Value*, Context&);
Result fn_contains(const Node&, const json::Value*, Context&);
Result fn_starts_with(const Node&, const json::Value*, Context&);
Result fn_ends_with(const Node&, const json::Value*, Context&);
Result fn_replace(const Node&, const json::Value*, Context&);
Result fn_split(const Node&, const json::Value*, Context&);
Result fn_join(const Node&, const json::Value*, Context&);
Result fn_substr(const Node&, const json::Value*, Context&);
// number
Result fn_round(const Node&, const json::Value*, Context&);
Result fn_floor(const Node&, const json::Value*, Context&);
Result fn_ceil(const Node&, const json::Value*, Context&);
Result fn_abs(const Node&, const json::Value*, Context&);
Result fn_min(const Node&, const json::Value*, Context&);
Result fn_max(const Node&, const json::Value*, Context&);
// time
Result fn_now(const Node&, const json::Value*, Context&);
Result fn_parse_time(const Node&, const json::Value*, Context&);
Result fn_format_time(const Node&, const json::Value*, Context&);

// Checks a literal time format at compile time; false and `error` set when
// it has an unknown directive (`parse` selects the parse_time rules).
bool check_time_format(std::string_view format, bool parse, std::string& error);

}  // namespace sluiced::expr
