// String builtins (spec §6.3): lower, upper, trim, contains, starts_with,
// ends_with, replace, split, join, substr. A null argument gives null;
// another non-string is a record error.
#include <cmath>
#include <cstring>
#include <new>
#include <string>

#include "expr/builtins.h"
#include "expr/runtime.h"
#include "expr/utf8.h"

namespace sluiced::expr {
namespace {

// Checks that args[0..n) are strings. Sets `null_out` when one is null.
// Returns false with `err` when one has another type.
bool strings(const Node& call, const json::Value* a, std::uint32_t n, Context& ctx, bool& null_out, Result& err) {
    null_out = false;
    for (std::uint32_t i = 0; i < n; ++i) {
        if (a[i].is_null()) null_out = true;
        else if (!a[i].is_string()) {
            if (call.nkids == 1) err = fail(ctx, "%s: expected a string, got %s", call.name, type_name(a[i]));
            else err = fail(ctx, "%s: argument %u: expected a string, got %s", call.name, i + 1, type_name(a[i]));
            return false;
        }
    }
    return true;
}

#define STRING_ARGS(n)                                         \
    bool is_null;                                              \
    Result err;                                                \
    if (!strings(call, a, n, ctx, is_null, err)) return err;   \
    if (is_null) return ok_null();

json::Value plain(std::string_view s) { return json::Value::string_plain(s); }

char* buffer(Context& ctx, std::size_t n) { return static_cast<char*>(ctx.arena.allocate(n ? n : 1, 1)); }

Result map_ascii(const Node& call, const json::Value* a, Context& ctx, bool upper) {
    STRING_ARGS(1)
    std::string_view s = text_of(a[0], ctx.arena);
    char* p = buffer(ctx, s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (upper && c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
        else if (!upper && c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
        p[i] = c;
    }
    return ok(plain(std::string_view(p, s.size())));
}

// An integer argument of substr; false when not an integral number.
bool integer_arg(const json::Value& v, std::int64_t& out) {
    if (int_of(v, out)) return true;
    double d = double_of(v);
    if (!std::isfinite(d) || std::floor(d) != d) return false;
    out = d < -9.0e18 ? std::int64_t(-9e18) : d > 9.0e18 ? std::int64_t(9e18) : std::int64_t(d);
    return true;
}

}  // namespace

Result fn_lower(const Node& call, const json::Value* a, Context& ctx) { return map_ascii(call, a, ctx, false); }
Result fn_upper(const Node& call, const json::Value* a, Context& ctx) { return map_ascii(call, a, ctx, true); }

Result fn_trim(const Node& call, const json::Value* a, Context& ctx) {
    STRING_ARGS(1)
    std::string_view s = text_of(a[0], ctx.arena);
    std::size_t b = 0;
    while (b < s.size()) {
        std::size_t i = b;
        if (!utf8::is_space(utf8::next(s, i))) break;
        b = i;
    }
    std::size_t e = s.size();
    while (e > b) {
        std::size_t start = e - 1;
        while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
        std::size_t i = start;
        if (!utf8::is_space(utf8::next(s, i))) break;
        e = start;
    }
    return ok(plain(s.substr(b, e - b)));
}

Result fn_contains(const Node& call, const json::Value* a, Context& ctx) {
    STRING_ARGS(2)
    return ok_bool(text_of(a[0], ctx.arena).find(text_of(a[1], ctx.arena)) != std::string_view::npos);
}

Result fn_starts_with(const Node& call, const json::Value* a, Context& ctx) {
    STRING_ARGS(2)
    return ok_bool(text_of(a[0], ctx.arena).starts_with(text_of(a[1], ctx.arena)));
}

Result fn_ends_with(const Node& call, const json::Value* a, Context& ctx) {
    STRING_ARGS(2)
    return ok_bool(text_of(a[0], ctx.arena).ends_with(text_of(a[1], ctx.arena)));
}

// Every non-overlapping occurrence, left to right. An empty `old` returns
// the string unchanged.
Result fn_replace(const Node& call, const json::Value* a, Context& ctx) {
    STRING_ARGS(3)
    std::string_view s = text_of(a[0], ctx.arena);
    std::string_view from = text_of(a[1], ctx.arena);
    std::string_view to = text_of(a[2], ctx.arena);
    if (from.empty()) return ok(plain(s));
    std::size_t count = 0;
    for (std::size_t p = s.find(from); p != std::string_view::npos; p = s.find(from, p + from.size())) ++count;
    if (count == 0) return ok(plain(s));
    std::size_t size = s.size() - count * from.size() + count * to.size();
    char* out = buffer(ctx, size);
    std::size_t w = 0, prev = 0;
    for (std::size_t p = s.find(from); p != std::string_view::npos; p = s.find(from, p + from.size())) {
        std::memcpy(out + w, s.data() + prev, p - prev);
        w += p - prev;
        if (!to.empty()) std::memcpy(out + w, to.data(), to.size());
        w += to.size();
        prev = p + from.size();
    }
    std::memcpy(out + w, s.data() + prev, s.size() - prev);
    return ok(plain(std::string_view(out, size)));
}

// split("a,b", ",") == ["a","b"]; split("", ",") == [""]; an empty
// separator splits into code points (split("", "") == []).
Result fn_split(const Node& call, const json::Value* a, Context& ctx) {
    STRING_ARGS(2)
    std::string_view s = text_of(a[0], ctx.arena);
    std::string_view sep = text_of(a[1], ctx.arena);
    std::size_t count;
    if (sep.empty()) {
        count = utf8::count(s);
    } else {
        count = 1;
        for (std::size_t p = s.find(sep); p != std::string_view::npos; p = s.find(sep, p + sep.size())) ++count;
    }
    json::Value* items = ctx.arena.alloc<json::Value>(count);
    std::size_t k = 0;
    if (sep.empty()) {
        std::size_t i = 0;
        while (i < s.size()) {
            std::size_t start = i;
            utf8::next(s, i);
            new (items + k++) json::Value(plain(s.substr(start, i - start)));
        }
    } else {
        std::size_t prev = 0;
        for (std::size_t p = s.find(sep); p != std::string_view::npos; p = s.find(sep, p + sep.size())) {
            new (items + k++) json::Value(plain(s.substr(prev, p - prev)));
            prev = p + sep.size();
        }
        new (items + k++) json::Value(plain(s.substr(prev)));
    }
    return ok(json::Value::array(items, std::uint32_t(k)));
}

// join(array, sep): strings as their text, numbers and bools as their JSON
// text, null as ""; arrays and objects are an error.
Result fn_join(const Node& call, const json::Value* a, Context& ctx) {
    if (a[0].is_null() || a[1].is_null()) return ok_null();
    if (!a[0].is_array()) return fail(ctx, "join: argument 1: expected an array, got %s", type_name(a[0]));
    if (!a[1].is_string()) return fail(ctx, "join: argument 2: expected a string, got %s", type_name(a[1]));
    (void)call;
    std::string_view sep = text_of(a[1], ctx.arena);
    thread_local std::string scratch;
    scratch.clear();
    for (std::uint32_t i = 0; i < a[0].size; ++i) {
        const json::Value& v = a[0].items[i];
        if (i) scratch.append(sep);
        switch (v.kind) {
            case json::Kind::Null: break;
            case json::Kind::String: scratch.append(text_of(v, ctx.arena)); break;
            case json::Kind::Bool:
            case json::Kind::Number:
                if (!json::encode(v, scratch)) return fail(ctx, "join: item %u is not a finite number", i);
                break;
            default:
                return fail(ctx, "join: item %u: expected a string, number, bool or null, got %s", i, type_name(v));
        }
    }
    return ok(plain(ctx.arena.copy(scratch)));
}

// substr(s, start[, count]) in code points; a negative start counts from the
// end; the range is clamped to the string; a negative count gives "".
Result fn_substr(const Node& call, const json::Value* a, Context& ctx) {
    for (std::uint32_t i = 0; i < call.nkids; ++i)
        if (a[i].is_null()) return ok_null();
    if (!a[0].is_string()) return fail(ctx, "substr: argument 1: expected a string, got %s", type_name(a[0]));
    std::int64_t start = 0, count = INT64_MAX;
    if (!a[1].is_number() || !integer_arg(a[1], start))
        return fail(ctx, "substr: argument 2: expected an integer, got %s", a[1].is_number() ? "a fraction" : type_name(a[1]));
    if (call.nkids == 3 && (!a[2].is_number() || !integer_arg(a[2], count)))
        return fail(ctx, "substr: argument 3: expected an integer, got %s", a[2].is_number() ? "a fraction" : type_name(a[2]));
    std::string_view s = text_of(a[0], ctx.arena);
    std::int64_t len = std::int64_t(utf8::count(s));
    if (start < 0) start = start + len < 0 ? 0 : start + len;
    if (start > len) start = len;
    if (count < 0) count = 0;
    std::int64_t end = count > len - start ? len : start + count;
    std::size_t b = utf8::offset_of(s, std::size_t(start));
    std::size_t e = b + utf8::offset_of(s.substr(b), std::size_t(end - start));
    return ok(plain(s.substr(b, e - b)));
}

}  // namespace sluiced::expr
