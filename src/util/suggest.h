// "Did you mean" suggestions shared by configuration keys, expression
// function names and time-zone names.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluiced {

// Damerau-Levenshtein (optimal string alignment) distance in bytes; with
// `ignore_case`, ASCII letters compare case-insensitively.
std::size_t edit_distance(std::string_view a, std::string_view b, bool ignore_case = false);

// The candidate closest to `word`: a case-insensitive exact match first,
// else the nearest within 2 edits for words of 5+ bytes, 1 edit for 3-4
// bytes, none for shorter. "" when nothing is close enough.
std::string suggest(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace sluiced
