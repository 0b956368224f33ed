#include "expr/arith.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <new>

#include "expr/runtime.h"

namespace sluiced::expr {
namespace {

const char* op_name(Op op) {
    switch (op) {
        case Op::Add: return "`+`";
        case Op::Sub: return "`-`";
        case Op::Mul: return "`*`";
        case Op::Div: return "`/`";
        case Op::Mod: return "`%`";
        default: return "operator";
    }
}

Result concat_strings(const json::Value& l, const json::Value& r, Context& ctx) {
    std::string_view a = text_of(l, ctx.arena);
    std::string_view b = text_of(r, ctx.arena);
    if (a.empty()) return ok(json::Value::string_plain(b));
    if (b.empty()) return ok(json::Value::string_plain(a));
    char* p = static_cast<char*>(ctx.arena.allocate(a.size() + b.size(), 1));
    std::memcpy(p, a.data(), a.size());
    std::memcpy(p + a.size(), b.data(), b.size());
    return ok(json::Value::string_plain(std::string_view(p, a.size() + b.size())));
}

Result concat_arrays(const json::Value& l, const json::Value& r, Context& ctx) {
    if (l.size == 0) return ok(r);
    if (r.size == 0) return ok(l);
    std::uint32_t n = l.size + r.size;
    json::Value* items = ctx.arena.alloc<json::Value>(n);
    for (std::uint32_t i = 0; i < l.size; ++i) new (items + i) json::Value(l.items[i]);
    for (std::uint32_t i = 0; i < r.size; ++i) new (items + l.size + i) json::Value(r.items[i]);
    return ok(json::Value::array(items, n));
}

}  // namespace

Result arith(Op op, const json::Value& l, const json::Value& r, Context& ctx) {
    if (l.is_null() || r.is_null()) return ok_null();
    if (!l.is_number() || !r.is_number()) {
        if (op == Op::Add) {
            if (l.is_string() && r.is_string()) return concat_strings(l, r, ctx);
            if (l.is_array() && r.is_array()) return concat_arrays(l, r, ctx);
            return fail(ctx, "`+` adds two numbers, two strings or two arrays, got %s and %s", type_name(l), type_name(r));
        }
        return fail(ctx, "%s expects numbers, got %s and %s", op_name(op), type_name(l), type_name(r));
    }
    std::int64_t a, b, out;
    if (int_of(l, a) && int_of(r, b)) {
        switch (op) {
            case Op::Add:
                if (!__builtin_add_overflow(a, b, &out)) return ok(json::Value::number_int(out));
                break;
            case Op::Sub:
                if (!__builtin_sub_overflow(a, b, &out)) return ok(json::Value::number_int(out));
                break;
            case Op::Mul:
                if (!__builtin_mul_overflow(a, b, &out)) return ok(json::Value::number_int(out));
                break;
            case Op::Div:
                if (b == 0) return fail(ctx, "`/`: division by zero");
                if (!(b == -1 && a == std::numeric_limits<std::int64_t>::min()) && a % b == 0)
                    return ok(json::Value::number_int(a / b));
                break;
            case Op::Mod:
                if (b == 0) return fail(ctx, "`%%`: division by zero");
                if (b == -1) return ok(json::Value::number_int(0));
                return ok(json::Value::number_int(a % b));
            default: break;
        }
    }
    double x = double_of(l), y = double_of(r), d;
    switch (op) {
        case Op::Add: d = x + y; break;
        case Op::Sub: d = x - y; break;
        case Op::Mul: d = x * y; break;
        case Op::Div:
            if (y == 0) return fail(ctx, "`/`: division by zero");
            d = x / y;
            break;
        case Op::Mod:
            if (y == 0) return fail(ctx, "`%%`: division by zero");
            d = std::fmod(x, y);
            break;
        default: return fail(ctx, "internal error: not an arithmetic operator");
    }
    return make_number(ctx, d, op_name(op));
}

Result negate(const json::Value& x, Context& ctx) {
    if (x.is_null()) return ok_null();
    if (!x.is_number()) return fail(ctx, "unary `-` expects a number, got %s", type_name(x));
    std::int64_t i;
    if (int_of(x, i) && i != std::numeric_limits<std::int64_t>::min()) return ok(json::Value::number_int(-i));
    return make_number(ctx, -double_of(x), "unary `-`");
}

Result order(Op op, const json::Value& l, const json::Value& r, Context& ctx) {
    int c;
    if (l.is_number() && r.is_number()) {
        c = json::compare_numbers(l, r);
    } else if (l.is_string() && r.is_string()) {
        std::string_view a = text_of(l, ctx.arena), b = text_of(r, ctx.arena);
        c = a.compare(b);
    } else {
        return ok_null();
    }
    switch (op) {
        case Op::Lt: return ok_bool(c < 0);
        case Op::Le: return ok_bool(c <= 0);
        case Op::Gt: return ok_bool(c > 0);
        default: return ok_bool(c >= 0);
    }
}

}  // namespace sluiced::expr
