// ASCII case-insensitive comparisons for protocol tokens (HTTP header names,
// Link parameters, month and weekday names). Not for user text: the
// expression language's lower()/upper() are in expr/.
#pragma once
#include <cstddef>
#include <string_view>

namespace sluiced {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

// a == b ignoring ASCII case.
constexpr bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

// Whether `hay` contains `needle` ignoring ASCII case.
constexpr bool icontains(std::string_view hay, std::string_view needle) {
    if (needle.size() > hay.size()) return false;
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
        if (iequals(hay.substr(i, needle.size()), needle)) return true;
    return false;
}

}  // namespace sluiced
