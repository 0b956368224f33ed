// Evaluator: walks the compiled Node tree for one record (spec §6.2).
// No exceptions and no heap allocation: computed values and error texts go
// to the Context's arena.
#include <re2/re2.h>

#include "expr/arith.h"
#include "expr/path.h"
#include "expr/program.h"
#include "expr/runtime.h"

namespace sluiced::expr {
namespace {

Result eval_node(const Node& n, const json::Value& rec, Context& ctx);

// Truth of a condition: null is false, a bool is itself, others are errors.
inline bool truth(const json::Value& v, bool& out) {
    if (v.kind == json::Kind::Bool) { out = v.flag; return true; }
    if (v.kind == json::Kind::Null) { out = false; return true; }
    return false;
}

Result membership(const json::Value& x, const json::Value& in, Context& ctx) {
    switch (in.kind) {
        case json::Kind::Array:
            for (std::uint32_t i = 0; i < in.size; ++i)
                if (json::equal(x, in.items[i], ctx.arena)) return ok_bool(true);
            return ok_bool(false);
        case json::Kind::Object:
            if (!x.is_string()) return ok_null();
            return ok_bool(find_key(in, text_of(x, ctx.arena), ctx.arena) != nullptr);
        case json::Kind::String:
            if (!x.is_string()) return ok_null();
            return ok_bool(text_of(in, ctx.arena).find(text_of(x, ctx.arena)) != std::string_view::npos);
        default:
            return ok_null();
    }
}

Result call(const Node& n, const json::Value& rec, Context& ctx) {
    json::Value local[4];
    json::Value* args = local;
    if (n.nkids > 4) args = ctx.arena.alloc<json::Value>(n.nkids);
    for (std::uint32_t i = 0; i < n.nkids; ++i) {
        Result r = eval_node(*n.kids[i], rec, ctx);
        if (!r.ok()) return r;
        args[i] = r.value;
    }
    return n.fn(n, args, ctx);
}

Result eval_node(const Node& n, const json::Value& rec, Context& ctx) {
    switch (n.op) {
        case Op::Const: return ok(n.value);
        case Op::Path: {
            const json::Value* base = &rec;
            Result b;
            if (n.a) {
                b = eval_node(*n.a, rec, ctx);
                if (!b.ok()) return b;
                base = &b.value;
            }
            const json::Value* v = walk(*base, n, ctx.arena);
            return v ? ok(*v) : ok_null();
        }
        case Op::Array: {
            json::Value* items = ctx.arena.alloc<json::Value>(n.nkids);
            for (std::uint32_t i = 0; i < n.nkids; ++i) {
                Result r = eval_node(*n.kids[i], rec, ctx);
                if (!r.ok()) return r;
                new (items + i) json::Value(r.value);
            }
            return ok(json::Value::array(items, n.nkids));
        }
        case Op::Not: {
            Result x = eval_node(*n.a, rec, ctx);
            if (!x.ok()) return x;
            bool t;
            if (!truth(x.value, t)) return fail(ctx, "`not` expects a bool, got %s", type_name(x.value));
            return ok_bool(!t);
        }
        case Op::Neg: {
            Result x = eval_node(*n.a, rec, ctx);
            if (!x.ok()) return x;
            return negate(x.value, ctx);
        }
        case Op::And:
        case Op::Or: {
            const char* name = n.op == Op::And ? "`&&`" : "`||`";
            Result l = eval_node(*n.a, rec, ctx);
            if (!l.ok()) return l;
            bool t;
            if (!truth(l.value, t)) return fail(ctx, "%s expects bools, got %s", name, type_name(l.value));
            if (n.op == Op::And ? !t : t) return ok_bool(t);
            Result r = eval_node(*n.b, rec, ctx);
            if (!r.ok()) return r;
            if (!truth(r.value, t)) return fail(ctx, "%s expects bools, got %s", name, type_name(r.value));
            return ok_bool(t);
        }
        case Op::Cond: {
            Result c = eval_node(*n.a, rec, ctx);
            if (!c.ok()) return c;
            bool t;
            if (!truth(c.value, t)) return fail(ctx, "the condition of `? :` must be a bool, got %s", type_name(c.value));
            return eval_node(t ? *n.b : *n.c, rec, ctx);
        }
        case Op::Eq:
        case Op::Ne:
        case Op::Lt:
        case Op::Le:
        case Op::Gt:
        case Op::Ge:
        case Op::In:
        case Op::Add:
        case Op::Sub:
        case Op::Mul:
        case Op::Div:
        case Op::Mod: {
            Result l = eval_node(*n.a, rec, ctx);
            if (!l.ok()) return l;
            Result r = eval_node(*n.b, rec, ctx);
            if (!r.ok()) return r;
            switch (n.op) {
                case Op::Eq: return ok_bool(json::equal(l.value, r.value, ctx.arena));
                case Op::Ne: return ok_bool(!json::equal(l.value, r.value, ctx.arena));
                case Op::In: return membership(l.value, r.value, ctx);
                case Op::Lt:
                case Op::Le:
                case Op::Gt:
                case Op::Ge: return order(n.op, l.value, r.value, ctx);
                default: return arith(n.op, l.value, r.value, ctx);
            }
        }
        case Op::Match:
        case Op::NotMatch: {
            Result l = eval_node(*n.a, rec, ctx);
            if (!l.ok() || !l.value.is_string()) return l.ok() ? ok_null() : l;
            std::string_view s = text_of(l.value, ctx.arena);
            bool m = n.re->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::UNANCHORED, nullptr, 0);
            return ok_bool(n.op == Op::Match ? m : !m);
        }
        case Op::Coalesce: {
            Result l = eval_node(*n.a, rec, ctx);
            if (!l.ok() || !l.value.is_null()) return l;
            return eval_node(*n.b, rec, ctx);
        }
        case Op::Call: return call(n, rec, ctx);
        case Op::Exists: return ok_bool(walk(rec, *n.a, ctx.arena) != nullptr);
        case Op::CoalesceFn:
            for (std::uint32_t i = 0; i < n.nkids; ++i) {
                Result r = eval_node(*n.kids[i], rec, ctx);
                if (!r.ok() || !r.value.is_null()) return r;
            }
            return ok_null();
    }
    return fail(ctx, "internal error: unknown node");
}

}  // namespace

Result eval(const Program& program, const json::Value& record, Context& ctx) {
    return eval_node(program.root(), record, ctx);
}

}  // namespace sluiced::expr
