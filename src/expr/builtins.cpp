#include "expr/builtins.h"

#include "util/suggest.h"

#include <algorithm>
#include <vector>

namespace sluiced::expr {
namespace {

const Builtin kBuiltins[] = {
    {"exists", 1, 1, nullptr},
    {"type", 1, 1, fn_type},
    {"len", 1, 1, fn_len},
    {"lower", 1, 1, fn_lower},
    {"upper", 1, 1, fn_upper},
    {"trim", 1, 1, fn_trim},
    {"contains", 2, 2, fn_contains},
    {"starts_with", 2, 2, fn_starts_with},
    {"ends_with", 2, 2, fn_ends_with},
    {"replace", 3, 3, fn_replace},
    {"split", 2, 2, fn_split},
    {"join", 2, 2, fn_join},
    {"substr", 2, 3, fn_substr},
    {"to_string", 1, 1, fn_to_string},
    {"to_number", 1, 1, fn_to_number},
    {"round", 1, 1, fn_round},
    {"floor", 1, 1, fn_floor},
    {"ceil", 1, 1, fn_ceil},
    {"abs", 1, 1, fn_abs},
    {"min", 1, -1, fn_min},
    {"max", 1, -1, fn_max},
    {"coalesce", 1, -1, nullptr},
    {"now", 0, 0, fn_now},
    {"parse_time", 1, 2, fn_parse_time},
    {"format_time", 1, 2, fn_format_time},
};

}  // namespace

const Builtin* find_builtin(std::string_view name) {
    for (const Builtin& b : kBuiltins)
        if (name == b.name) return &b;
    return nullptr;
}

std::string suggest_builtin(std::string_view name) {
    std::vector<std::string_view> names;
    for (const Builtin& b : kBuiltins) names.push_back(b.name);
    return sluiced::suggest(name, names);
}

}  // namespace sluiced::expr
