// Compiler: Ast -> Program. Resolves functions and checks their arity,
// compiles `=~`/`!~` regexes once (RE2), pre-builds constant literals and
// pre-decodes path keys (spec §6).
#include <re2/re2.h>

#include "expr/ast.h"
#include "expr/builtins.h"
#include "expr/parser.h"
#include "expr/program.h"

namespace sluiced::expr {

Program::Program() = default;
Program::~Program() = default;

class Compiler {
public:
    Compiler(Program& p, CompileError& e) : p_(p), e_(e) {}

    const Node* build(const Ast& a) {
        switch (a.kind) {
            case Ast::Kind::Number: {
                const std::string& s = p_.strings_.emplace_back(a.text);
                return constant(a, json::Value::number_text(s));
            }
            case Ast::Kind::String: {
                const std::string& s = p_.strings_.emplace_back(a.text);
                return constant(a, json::Value::string_plain(s));
            }
            case Ast::Kind::True: return constant(a, json::Value::boolean(true));
            case Ast::Kind::False: return constant(a, json::Value::boolean(false));
            case Ast::Kind::Null: return constant(a, json::Value::null());
            case Ast::Kind::Array: return array(a);
            case Ast::Kind::Path: return path(a);
            case Ast::Kind::Unary: {
                const Node* x = build(*a.kids[0]);
                if (!x) return nullptr;
                Node& n = make(a, a.op == Tok::Minus ? Op::Neg : Op::Not);
                n.a = x;
                return &n;
            }
            case Ast::Kind::Binary: return binary(a);
            case Ast::Kind::Ternary: {
                const Node* c = build(*a.kids[0]);
                const Node* x = c ? build(*a.kids[1]) : nullptr;
                const Node* y = x ? build(*a.kids[2]) : nullptr;
                if (!y) return nullptr;
                Node& n = make(a, Op::Cond);
                n.a = c;
                n.b = x;
                n.c = y;
                return &n;
            }
            case Ast::Kind::Call: return call(a);
        }
        return fail(a.offset, "internal error: unknown syntax node");
    }

private:
    const Node* fail(std::size_t offset, std::string msg) {
        e_.offset = offset;
        e_.message = std::move(msg);
        return nullptr;
    }

    Node& make(const Ast& a, Op op) {
        Node& n = p_.nodes_.emplace_back();
        n.op = op;
        n.offset = std::uint32_t(a.offset);
        return n;
    }

    const Node* constant(const Ast& a, const json::Value& v) {
        Node& n = make(a, Op::Const);
        n.value = v;
        return &n;
    }

    bool build_list(const std::vector<std::unique_ptr<Ast>>& kids, Node& n) {
        auto& list = p_.node_lists_.emplace_back();
        for (const auto& k : kids) {
            const Node* x = build(*k);
            if (!x) return false;
            list.push_back(x);
        }
        n.kids = list.data();
        n.nkids = std::uint32_t(list.size());
        return true;
    }

    const Node* array(const Ast& a) {
        Node& n = make(a, Op::Array);
        if (!build_list(a.kids, n)) return nullptr;
        bool all_const = true;
        for (std::uint32_t i = 0; i < n.nkids; ++i) all_const = all_const && n.kids[i]->op == Op::Const;
        if (all_const) {
            auto& vals = p_.value_lists_.emplace_back();
            for (std::uint32_t i = 0; i < n.nkids; ++i) vals.push_back(n.kids[i]->value);
            n.op = Op::Const;
            n.value = json::Value::array(vals.data(), std::uint32_t(vals.size()));
        }
        return &n;
    }

    const Node* path(const Ast& a) {
        const Node* base = nullptr;
        if (a.has_base) {
            base = build(*a.kids[0]);
            if (!base) return nullptr;
        }
        Node& n = make(a, Op::Path);
        n.a = base;
        auto& segs = p_.seg_lists_.emplace_back();
        for (const AstSeg& s : a.segs) {
            PathSeg ps;
            ps.is_index = s.is_index;
            ps.index = s.index;
            if (!s.is_index) ps.key = p_.strings_.emplace_back(s.key);
            segs.push_back(ps);
        }
        n.segs = segs.data();
        n.nsegs = std::uint32_t(segs.size());
        return &n;
    }

    const Node* binary(const Ast& a) {
        if (a.op == Tok::Match || a.op == Tok::NotMatch) return match(a);
        const Node* l = build(*a.kids[0]);
        const Node* r = l ? build(*a.kids[1]) : nullptr;
        if (!r) return nullptr;
        Op op;
        switch (a.op) {
            case Tok::OrOr: op = Op::Or; break;
            case Tok::AndAnd: op = Op::And; break;
            case Tok::EqEq: op = Op::Eq; break;
            case Tok::NotEq: op = Op::Ne; break;
            case Tok::Lt: op = Op::Lt; break;
            case Tok::Le: op = Op::Le; break;
            case Tok::Gt: op = Op::Gt; break;
            case Tok::Ge: op = Op::Ge; break;
            case Tok::QQ: op = Op::Coalesce; break;
            case Tok::Plus: op = Op::Add; break;
            case Tok::Minus: op = Op::Sub; break;
            case Tok::Star: op = Op::Mul; break;
            case Tok::Slash: op = Op::Div; break;
            case Tok::Percent: op = Op::Mod; break;
            default:
                if (a.is_in) { op = Op::In; break; }
                return fail(a.offset, "internal error: unknown operator");
        }
        Node& n = make(a, op);
        n.a = l;
        n.b = r;
        return &n;
    }

    const Node* match(const Ast& a) {
        const Ast& rx = *a.kids[1];
        const char* opname = a.op == Tok::Match ? "=~" : "!~";
        if (rx.kind != Ast::Kind::String)
            return fail(rx.start, std::string("the right side of `") + opname + "` must be a string literal (a regex)");
        const Node* l = build(*a.kids[0]);
        if (!l) return nullptr;
        RE2::Options opt;
        opt.set_log_errors(false);
        opt.set_encoding(RE2::Options::EncodingUTF8);
        auto re = std::make_unique<RE2>(rx.text, opt);
        if (!re->ok()) return fail(rx.offset, "invalid regex: " + re->error());
        Node& n = make(a, a.op == Tok::Match ? Op::Match : Op::NotMatch);
        n.a = l;
        n.re = re.get();
        p_.regexes_.push_back(std::move(re));
        return &n;
    }

    static std::string arity_text(const Builtin& b) {
        auto args = [](int k) { return std::to_string(k) + (k == 1 ? " argument" : " arguments"); };
        if (b.max_args < 0) return "at least " + args(b.min_args);
        if (b.min_args == b.max_args) return b.min_args == 0 ? std::string("no arguments") : args(b.min_args);
        if (b.max_args == b.min_args + 1) return std::to_string(b.min_args) + " or " + args(b.max_args);
        return std::to_string(b.min_args) + " to " + args(b.max_args);
    }

    const Node* call(const Ast& a) {
        const Builtin* b = find_builtin(a.text);
        if (!b) {
            std::string msg = "unknown function `" + a.text + "`";
            std::string s = suggest_builtin(a.text);
            if (!s.empty()) msg += "; did you mean `" + s + "`?";
            return fail(a.offset, msg);
        }
        int n_args = int(a.kids.size());
        if (n_args < b->min_args || (b->max_args >= 0 && n_args > b->max_args))
            return fail(a.offset, "`" + a.text + "` takes " + arity_text(*b) + ", got " + std::to_string(n_args));
        if (a.text == "exists") {
            const Ast& arg = *a.kids[0];
            if (!arg.is_record_path())
                return fail(arg.start, "`exists` takes a path such as `.a.b`, not an expression");
            const Node* p = build(arg);
            if (!p) return nullptr;
            Node& n = make(a, Op::Exists);
            n.a = p;
            return &n;
        }
        if ((a.text == "parse_time" || a.text == "format_time") && n_args == 2 && a.kids[1]->kind == Ast::Kind::String) {
            std::string err;
            if (!check_time_format(a.kids[1]->text, a.text == "parse_time", err))
                return fail(a.kids[1]->offset, "`" + a.text + "`: " + err);
        }
        Node& n = make(a, b->fn ? Op::Call : Op::CoalesceFn);
        n.fn = b->fn;
        n.name = b->name;
        if (!build_list(a.kids, n)) return nullptr;
        return &n;
    }

    Program& p_;
    CompileError& e_;
};

namespace {

std::shared_ptr<const Program> compile_impl(std::string_view text, CompileError& error, bool path_only) {
    std::unique_ptr<Ast> ast = parse(text, error);
    if (!ast) return nullptr;
    if (path_only && !ast->is_record_path()) {
        error.offset = ast->offset;
        error.message = "expected a path such as `.a.b[0]`, not an expression";
        return nullptr;
    }
    auto prog = std::make_shared<Program>();
    Compiler c(*prog, error);
    const Node* root = c.build(*ast);
    if (!root) return nullptr;
    prog->set_root(root, text);
    return prog;
}

}  // namespace

std::shared_ptr<const Program> compile(std::string_view text, CompileError& error) {
    return compile_impl(text, error, false);
}

std::shared_ptr<const Program> compile_path(std::string_view text, CompileError& error) {
    return compile_impl(text, error, true);
}

bool is_path(const Program& program) { return program.is_path(); }

}  // namespace sluiced::expr
