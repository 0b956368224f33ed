// Number builtins (spec §6.3): round, floor, ceil, abs, min, max. A null
// argument gives null; another non-number is a record error. Integers are
// returned unchanged (keeping their text); results are NumInt when whole
// and within 64 bits.
#include <cmath>
#include <limits>

#include "expr/builtins.h"
#include "expr/runtime.h"

namespace sluiced::expr {
namespace {

Result rounding(const Node& call, const json::Value* a, Context& ctx, double (*f)(double)) {
    const json::Value& x = a[0];
    if (x.is_null()) return ok_null();
    if (!x.is_number()) return fail(ctx, "%s: expected a number, got %s", call.name, type_name(x));
    if (integral_form(x)) return ok(x);
    double d = double_of(x);
    if (!std::isfinite(d)) return fail(ctx, "%s: the number is not finite", call.name);
    return ok(whole_number(f(d)));
}

Result extreme(const Node& call, const json::Value* a, Context& ctx, bool want_max) {
    const json::Value* items = a;
    std::uint32_t n = call.nkids;
    if (n == 1 && a[0].is_array()) {  // min([3, 1, 2]) also works
        items = a[0].items;
        n = a[0].size;
        if (n == 0) return ok_null();
    }
    const json::Value* best = nullptr;
    bool any_null = false;
    for (std::uint32_t i = 0; i < n; ++i) {
        const json::Value& v = items[i];
        if (v.is_null()) { any_null = true; continue; }
        if (!v.is_number()) return fail(ctx, "%s: expected numbers, got %s", call.name, type_name(v));
        if (!best) { best = &v; continue; }
        int c = json::compare_numbers(v, *best);
        if (want_max ? c > 0 : c < 0) best = &v;
    }
    if (any_null || !best) return ok_null();
    return ok(*best);
}

}  // namespace

Result fn_round(const Node& call, const json::Value* a, Context& ctx) {
    return rounding(call, a, ctx, [](double d) { return std::round(d); });
}
Result fn_floor(const Node& call, const json::Value* a, Context& ctx) {
    return rounding(call, a, ctx, [](double d) { return std::floor(d); });
}
Result fn_ceil(const Node& call, const json::Value* a, Context& ctx) {
    return rounding(call, a, ctx, [](double d) { return std::ceil(d); });
}

Result fn_abs(const Node& call, const json::Value* a, Context& ctx) {
    const json::Value& x = a[0];
    if (x.is_null()) return ok_null();
    if (!x.is_number()) return fail(ctx, "%s: expected a number, got %s", call.name, type_name(x));
    std::int64_t i;
    if (int_of(x, i)) {
        if (i > 0) return ok(x);
        if (i == 0) return ok(json::Value::number_int(0));
        if (i != std::numeric_limits<std::int64_t>::min()) return ok(json::Value::number_int(-i));
    }
    if (x.form == json::Form::NumText && x.size > 0 && x.text[0] != '-') return ok(x);
    return make_number(ctx, std::fabs(double_of(x)), "abs");
}

Result fn_min(const Node& call, const json::Value* a, Context& ctx) { return extreme(call, a, ctx, false); }
Result fn_max(const Node& call, const json::Value* a, Context& ctx) { return extreme(call, a, ctx, true); }

}  // namespace sluiced::expr
