#include "expr/builtins.h"

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

std::size_t distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

}  // namespace

const Builtin* find_builtin(std::string_view name) {
    for (const Builtin& b : kBuiltins)
        if (name == b.name) return &b;
    return nullptr;
}

std::string suggest_builtin(std::string_view name) {
    std::size_t best = 3;
    const char* found = nullptr;
    for (const Builtin& b : kBuiltins) {
        std::size_t d = distance(name, b.name);
        if (d < best) { best = d; found = b.name; }
    }
    return found ? found : "";
}

}  // namespace sluiced::expr
