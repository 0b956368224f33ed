// Builtins on any value (spec §6.3): type, len, to_string, to_number.
#include <charconv>
#include <cmath>
#include <string>

#include "expr/builtins.h"
#include "expr/runtime.h"
#include "expr/utf8.h"

namespace sluiced::expr {

Result fn_type(const Node&, const json::Value* a, Context&) {
    return ok(json::Value::string_plain(type_name(a[0])));
}

Result fn_len(const Node&, const json::Value* a, Context& ctx) {
    switch (a[0].kind) {
        case json::Kind::String: return ok(json::Value::number_int(std::int64_t(utf8::count(text_of(a[0], ctx.arena)))));
        case json::Kind::Array:
        case json::Kind::Object: return ok(json::Value::number_int(a[0].size));
        default: return ok_null();
    }
}

Result fn_to_string(const Node&, const json::Value* a, Context& ctx) {
    if (a[0].is_string()) return ok(a[0]);
    thread_local std::string scratch;
    scratch.clear();
    if (!json::encode(a[0], scratch)) return fail(ctx, "to_string: the value holds a number that is not finite");
    return ok(json::Value::string_plain(ctx.arena.copy(scratch)));
}

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// Whether `s` is JSON number text.
bool json_number(std::string_view s) {
    std::size_t i = 0, n = s.size();
    if (i < n && s[i] == '-') ++i;
    if (i >= n) return false;
    if (s[i] == '0') ++i;
    else if (digit(s[i])) while (i < n && digit(s[i])) ++i;
    else return false;
    if (i < n && s[i] == '.') {
        ++i;
        if (i >= n || !digit(s[i])) return false;
        while (i < n && digit(s[i])) ++i;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
        if (i >= n || !digit(s[i])) return false;
        while (i < n && digit(s[i])) ++i;
    }
    return i == n;
}

// Lenient decimal: [+-]? (digits [. digits?] | . digits) ([eE][+-]?digits)?
bool lenient_number(std::string_view s) {
    std::size_t i = 0, n = s.size();
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t int_digits = 0, frac_digits = 0;
    while (i < n && digit(s[i])) { ++i; ++int_digits; }
    if (i < n && s[i] == '.') {
        ++i;
        while (i < n && digit(s[i])) { ++i; ++frac_digits; }
    }
    if (int_digits + frac_digits == 0) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
        if (i >= n || !digit(s[i])) return false;
        while (i < n && digit(s[i])) ++i;
    }
    return i == n;
}

bool ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

Result fn_to_number(const Node&, const json::Value* a, Context& ctx) {
    const json::Value& x = a[0];
    if (x.is_number() || x.is_null()) return ok(x);
    if (!x.is_string()) return fail(ctx, "to_number: expected a number or a string, got %s", type_name(x));
    std::string_view s = text_of(x, ctx.arena);
    std::string_view t = s;
    while (!t.empty() && ascii_space(t.front())) t.remove_prefix(1);
    while (!t.empty() && ascii_space(t.back())) t.remove_suffix(1);
    if (json_number(t)) return ok(json::Value::number_text(t));
    if (lenient_number(t)) {
        std::string_view u = t;
        if (u.front() == '+') u.remove_prefix(1);
        double d = 0;
        auto r = std::from_chars(u.data(), u.data() + u.size(), d);
        if (r.ec == std::errc() && r.ptr == u.data() + u.size() && std::isfinite(d)) return ok(json::Value::number_double(d));
    }
    if (s.size() > 40) return fail(ctx, "to_number: \"%.37s...\" is not a number", s.data());
    return fail(ctx, "to_number: \"%.*s\" is not a number", int(s.size()), s.data());
}

}  // namespace sluiced::expr
