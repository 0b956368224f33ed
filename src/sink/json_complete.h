// Completeness check for the last line of an append-mode file (spec §7):
// a line left without its newline by a crash is kept only when it is a
// complete JSON object or array.
#pragma once
#include <string_view>

namespace sluiced::sink {

// True when `text` is exactly one complete, valid JSON object or array
// (RFC 8259: strings with valid escapes and valid UTF-8, numbers in JSON
// syntax, literals true/false/null), optionally surrounded by spaces, tabs
// or carriage returns. Scalars at top level, truncated text, trailing bytes
// or nesting deeper than 10000 levels are false. Iterative, no allocation
// beyond the nesting stack.
bool is_complete_json_container(std::string_view text);

}  // namespace sluiced::sink
