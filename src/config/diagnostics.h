// Diagnostic helpers: formatting (format() is in loader.h), "did you mean"
// suggestions, and a collector that knows the current file.
#pragma once
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "config/loader.h"

namespace sluiced::config {

// Optimal-string-alignment distance (Levenshtein plus adjacent swaps).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, or "" when none is close: equal ignoring
// ASCII case, or distance <= 1 (words of 3+ bytes) / <= 2 (5+ bytes).
std::string suggest(std::string_view word, const std::vector<std::string>& candidates);
std::string suggest(std::string_view word, std::initializer_list<std::string_view> candidates);

// " (did you mean `x`?)" or "".
std::string did_you_mean(const std::string& suggestion);

// `text` quoted with backticks for messages, shortened when very long.
std::string quoted(std::string_view text);

// "FILE:LINE:COL" of a mark.
std::string where(const Mark& m);

}  // namespace sluiced::config
