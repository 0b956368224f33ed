// Stage application (spec §5.1–§5.3).
#include "stage/stage.h"

#include <stdexcept>
#include <string>

#include "json/json.h"

namespace sluiced::stage {

using json::Kind;
using json::Member;
using json::Value;

struct Stage::Field {
    Value key;                              // the field name as a plain string
    config::MapField::Kind kind;
    const expr::Program* program = nullptr; // Expr
    Value literal;                          // Literal
    std::vector<Field> nested;              // Nested
};

namespace {

std::vector<Stage::Field> compile_fields(const std::vector<config::MapField>& cfg, Arena& arena) {
    std::vector<Stage::Field> out;
    out.reserve(cfg.size());
    for (const auto& f : cfg) {
        Stage::Field sf;
        sf.key = Value::string_plain(arena.copy(f.key));
        sf.kind = f.kind;
        switch (f.kind) {
            case config::MapField::Kind::Expr: sf.program = f.expr->program.get(); break;
            case config::MapField::Kind::Literal: {
                std::string_view text = arena.copy(f.literal_json);
                std::string err;
                if (!json::parse(text, arena, sf.literal, err))
                    throw std::runtime_error("invalid literal `" + f.literal_json + "`: " + err);
                break;
            }
            case config::MapField::Kind::Nested: sf.nested = compile_fields(f.nested, arena); break;
        }
        out.push_back(std::move(sf));
    }
    return out;
}

// Evaluates `f` against `record`; Nested fields with `base` (the existing
// value under that key, for set) merge into it.
bool eval_field(const Stage::Field& f, const Value& record, const Value* base, expr::Context& ctx, Value& out,
                std::string_view& error);

// Builds an object from `fields`; with `base` an object, merges into it
// (existing keys overwritten in place, new keys appended).
bool build_object(const std::vector<Stage::Field>& fields, const Value& record, const Value* base,
                  expr::Context& ctx, Value& out, std::string_view& error) {
    std::uint32_t base_n = (base && base->is_object()) ? base->size : 0;
    std::size_t cap = base_n + fields.size();
    Member* members = ctx.arena.alloc<Member>(cap);
    std::uint32_t n = 0;
    for (std::uint32_t i = 0; i < base_n; ++i) members[n++] = base->members[i];
    for (const auto& f : fields) {
        // Find an existing member with this key (among base members and
        // earlier fields: a YAML mapping cannot repeat keys, so only base).
        std::uint32_t slot = n;
        std::string_view key = f.key.raw();
        for (std::uint32_t i = 0; i < base_n; ++i) {
            if (json::string_text(members[i].key, ctx.arena) == key) { slot = i; break; }
        }
        const Value* existing = slot < n ? &members[slot].value : nullptr;
        Value v;
        if (!eval_field(f, record, existing, ctx, v, error)) return false;
        if (slot == n) {
            members[n].key = f.key;
            members[n].value = v;
            ++n;
        } else {
            members[slot].value = v;
        }
    }
    out = Value::object(members, n);
    return true;
}

bool eval_field(const Stage::Field& f, const Value& record, const Value* base, expr::Context& ctx, Value& out,
                std::string_view& error) {
    switch (f.kind) {
        case config::MapField::Kind::Expr: {
            expr::Result r = expr::eval(*f.program, record, ctx);
            if (!r.ok()) { error = r.error; return false; }
            out = r.value;
            return true;
        }
        case config::MapField::Kind::Literal: out = f.literal; return true;
        case config::MapField::Kind::Nested:
            return build_object(f.nested, record, (base && base->is_object()) ? base : nullptr, ctx, out, error);
    }
    return false;
}

}  // namespace

Stage::Stage(const config::Stage& cfg) : kind_(cfg.kind), literals_(4096) {
    switch (cfg.kind) {
        case config::Stage::Kind::Filter: filter_ = cfg.filter->program.get(); break;
        case config::Stage::Kind::Map:
        case config::Stage::Kind::Set: fields_ = compile_fields(cfg.fields, literals_); break;
        case config::Stage::Kind::Drop:
            for (const auto& p : cfg.drop_paths) drop_paths_.push_back(p.program.get());
            break;
    }
}

Stage::~Stage() = default;

Outcome Stage::apply(const Value& in, expr::Context& ctx, Value& out, std::string_view& error) const {
    switch (kind_) {
        case config::Stage::Kind::Filter: {
            expr::Result r = expr::eval(*filter_, in, ctx);
            if (!r.ok()) { error = r.error; return Outcome::Error; }
            if (r.value.is_bool()) {
                if (!r.value.as_bool()) return Outcome::Drop;
                out = in;
                return Outcome::Keep;
            }
            if (r.value.is_null()) return Outcome::Drop;
            static const char* names[] = {"null", "bool", "number", "string", "array", "object"};
            std::string msg = std::string("filter: expected a bool, got ") + names[int(r.value.kind)];
            error = ctx.arena.copy(msg);
            return Outcome::Error;
        }
        case config::Stage::Kind::Map:
            if (!build_object(fields_, in, nullptr, ctx, out, error)) return Outcome::Error;
            return Outcome::Keep;
        case config::Stage::Kind::Set:
            if (!in.is_object()) {
                static const char* names[] = {"null", "bool", "number", "string", "array", "object"};
                error = ctx.arena.copy(std::string("set: the record is not an object (") + names[int(in.kind)] + ")");
                return Outcome::Error;
            }
            if (!build_object(fields_, in, &in, ctx, out, error)) return Outcome::Error;
            return Outcome::Keep;
        case config::Stage::Kind::Drop: {
            Value cur = in;
            for (const auto* p : drop_paths_) cur = expr::remove_path(*p, cur, ctx.arena);
            out = cur;
            return Outcome::Keep;
        }
    }
    return Outcome::Error;
}

Chain::Chain(const std::vector<config::Stage>& stages) {
    for (const auto& s : stages) stages_.push_back(std::make_unique<Stage>(s));
}

Outcome Chain::apply(const Value& record, expr::Context& ctx, Value& out, std::string_view& error,
                     std::size_t& failed_stage, Value& failed_input) const {
    Value cur = record;
    for (std::size_t i = 0; i < stages_.size(); ++i) {
        Value next;
        Outcome o = stages_[i]->apply(cur, ctx, next, error);
        if (o == Outcome::Drop) return o;
        if (o == Outcome::Error) {
            failed_stage = i;
            failed_input = cur;
            return o;
        }
        cur = next;
    }
    out = cur;
    return Outcome::Keep;
}

}  // namespace sluiced::stage
