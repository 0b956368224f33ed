// Shared helpers for the json unit tests.
#pragma once
#include <string>
#include <string_view>

#include "json/json.h"
#include "util/arena.h"

namespace json_test {

// Parses `in` and returns its minified re-encoding, or "ERROR: <message>".
inline std::string roundtrip(std::string_view in) {
    sluiced::Arena arena;
    sluiced::json::Value v;
    std::string err;
    if (!sluiced::json::parse(in, arena, v, err)) return "ERROR: " + err;
    std::string out;
    if (!sluiced::json::encode(v, out)) return "ERROR: encode";
    return out;
}

// The parse error message of `in` ("" when it parses).
inline std::string parse_error(std::string_view in) {
    sluiced::Arena arena;
    sluiced::json::Value v;
    std::string err;
    if (sluiced::json::parse(in, arena, v, err)) return "";
    return err;
}

inline std::string dbl(double d) {
    std::string s;
    sluiced::json::encode_double(d, s);
    return s;
}

inline std::string str(std::string_view s) {
    std::string out;
    sluiced::json::encode_string(s, out);
    return out;
}

}  // namespace json_test
