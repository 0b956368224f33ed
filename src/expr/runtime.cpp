#include "expr/runtime.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <new>

namespace sluiced::expr {

Result fail(Context& ctx, const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if (n >= int(sizeof buf)) n = int(sizeof buf) - 1;
    if (n == 0) { buf[0] = '?'; n = 1; }
    return Result{json::Value::null(), ctx.arena.copy(std::string_view(buf, std::size_t(n)))};
}

const char* type_name(const json::Value& v) {
    switch (v.kind) {
        case json::Kind::Null: return "null";
        case json::Kind::Bool: return "bool";
        case json::Kind::Number: return "number";
        case json::Kind::String: return "string";
        case json::Kind::Array: return "array";
        case json::Kind::Object: return "object";
    }
    return "null";
}

bool integral_form(const json::Value& v) {
    switch (v.form) {
        case json::Form::NumInt: return true;
        case json::Form::NumText:
            for (std::uint32_t i = 0; i < v.size; ++i) {
                char c = v.text[i];
                if (c == '.' || c == 'e' || c == 'E') return false;
            }
            return true;
        default: return false;
    }
}

bool int_of(const json::Value& v, std::int64_t& out) {
    if (v.form == json::Form::NumInt) { out = v.i; return true; }
    if (v.form != json::Form::NumText || v.size > 20) return false;
    const char* b = v.text;
    const char* e = v.text + v.size;
    auto r = std::from_chars(b, e, out);
    return r.ec == std::errc() && r.ptr == e;
}

double double_of(const json::Value& v) {
    switch (v.form) {
        case json::Form::NumInt: return double(v.i);
        case json::Form::NumDouble: return v.d;
        default: return json::number_as_double(v);
    }
}

Result make_number(Context& ctx, double d, const char* what) {
    if (!std::isfinite(d)) return fail(ctx, "%s: the result is not a finite number", what);
    return ok(json::Value::number_double(d));
}

json::Value whole_number(double d) {
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) return json::Value::number_int(std::int64_t(d));
    return json::Value::number_double(d);
}

json::Value make_array(Arena& arena, const json::Value* items, std::uint32_t n) {
    if (n == 0) return json::Value::array(nullptr, 0);
    json::Value* out = arena.alloc<json::Value>(n);
    for (std::uint32_t i = 0; i < n; ++i) new (out + i) json::Value(items[i]);
    return json::Value::array(out, n);
}

}  // namespace sluiced::expr
