// Helpers shared by the evaluator and the builtins: results, record errors,
// type names, decoded string text and number classification.
#pragma once
#include <cstdarg>
#include <cstdint>
#include <string_view>

#include "expr/expr.h"
#include "json/json.h"
#include "json/value.h"
#include "util/arena.h"

namespace sluiced::expr {

inline Result ok(const json::Value& v) { return Result{v, {}}; }
inline Result ok_null() { return Result{json::Value::null(), {}}; }
inline Result ok_bool(bool b) { return Result{json::Value::boolean(b), {}}; }

// A record error with a printf-formatted message copied into the arena.
Result fail(Context& ctx, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// "null", "bool", "number", "string", "array", "object" (spec §6.3 type()).
const char* type_name(const json::Value& v);

// Decoded text of a String value (no copy unless it has escapes).
inline std::string_view text_of(const json::Value& v, Arena& arena) {
    if (v.form == json::Form::StrPlain || !v.flag) return v.raw();
    return json::string_text(v, arena);
}

// A number as an exact int64 when its form allows it: NumInt, or NumText
// written as an integer (no fraction, no exponent) within 64 bits.
bool int_of(const json::Value& v, std::int64_t& out);

// A number as a double (NumText may give +-inf outside the double range).
double double_of(const json::Value& v);

// Whether the number is written/stored as an integer (NumInt, or NumText
// without fraction or exponent, of any size).
bool integral_form(const json::Value& v);

// A computed double, or a record error when it is not finite.
Result make_number(Context& ctx, double d, const char* what);

// A computed number from a double that is integral: NumInt when it fits,
// else NumDouble.
json::Value whole_number(double d);

// Copies `n` values into the arena and returns an array Value.
json::Value make_array(Arena& arena, const json::Value* items, std::uint32_t n);

}  // namespace sluiced::expr
