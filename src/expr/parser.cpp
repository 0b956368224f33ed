#include "expr/parser.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace sluiced::expr {
namespace {

using AstPtr = std::unique_ptr<Ast>;

bool is_keyword(std::string_view w) {
    return w == "true" || w == "false" || w == "null" || w == "and" || w == "or" || w == "not" || w == "in";
}

class Parser {
public:
    Parser(std::string_view src, std::vector<Token> toks, CompileError& e) : src_(src), t_(std::move(toks)), e_(e) {}

    AstPtr parse_all() {
        AstPtr a = ternary();
        if (!a) return nullptr;
        if (peek().kind != Tok::End) return fail(peek().offset, "unexpected " + describe(peek(), src_));
        return a;
    }

private:
    const Token& peek(std::size_t k = 0) const { return t_[std::min(pos_ + k, t_.size() - 1)]; }
    const Token& take() { const Token& t = t_[pos_]; if (pos_ + 1 < t_.size()) ++pos_; return t; }
    bool word(std::string_view w) const { return peek().kind == Tok::Ident && peek().text == w; }

    AstPtr fail(std::size_t offset, std::string msg) {
        if (!failed_) {
            e_.offset = offset;
            e_.message = std::move(msg);
            failed_ = true;
        }
        return nullptr;
    }

    static AstPtr node(Ast::Kind k, std::size_t offset) {
        auto a = std::make_unique<Ast>();
        a->kind = k;
        a->offset = offset;
        a->start = offset;
        return a;
    }
    static void adopt(Ast& parent, AstPtr kid) {
        parent.height = std::max(parent.height, kid->height + 1);
        parent.kids.push_back(std::move(kid));
    }
    // Operator chains (`1 + 1 + ...`) build left-deep trees without
    // recursing in the parser, so the Depth guard does not see them: bound
    // the tree's height here. Found by the ASan build of the unit tests
    // (tests/run-sanitizers.sh): 5,000 `+ 1` overflowed the stack in eval
    // under ASan; 50,000 did in a release build, 200,000 in compile.
    // Every other node nests through a Depth-guarded call, so no tree is
    // taller than kMaxHeight + kMaxDepth + a few.
    static constexpr std::uint32_t kMaxHeight = 1000;
    AstPtr binary(Tok op, std::size_t offset, AstPtr l, AstPtr r) {
        auto a = node(Ast::Kind::Binary, offset);
        a->op = op;
        adopt(*a, std::move(l));
        adopt(*a, std::move(r));
        if (a->height > kMaxHeight)
            return fail(offset, "the expression is too long (more than " + std::to_string(kMaxHeight) +
                                    " nested operators)");
        return a;
    }

    // level 1: c ? a : b (right-associative)
    // Nesting guard: parentheses, arrays, calls, `not` and `-` recurse.
    struct Depth {
        Parser& p;
        explicit Depth(Parser& parser) : p(parser) { ++p.depth_; }
        ~Depth() { --p.depth_; }
    };
    static constexpr int kMaxDepth = 256;

    AstPtr ternary() {
        Depth d(*this);
        if (depth_ > kMaxDepth) return fail(peek().offset, "the expression is nested too deeply");
        std::size_t start = peek().offset;
        AstPtr t = ternary_();
        if (t) t->start = start;
        return t;
    }

    AstPtr ternary_() {
        AstPtr c = or_();
        if (!c) return nullptr;
        if (peek().kind != Tok::Question) return c;
        std::size_t off = take().offset;
        AstPtr a = ternary();
        if (!a) return nullptr;
        if (peek().kind != Tok::Colon)
            return fail(peek().offset, "expected `:` of the `?` at byte " + std::to_string(off) + ", got " + describe(peek(), src_));
        take();
        AstPtr b = ternary();
        if (!b) return nullptr;
        auto t = node(Ast::Kind::Ternary, off);
        adopt(*t, std::move(c));
        adopt(*t, std::move(a));
        adopt(*t, std::move(b));
        return t;
    }

    // level 2: || or
    AstPtr or_() {
        AstPtr l = and_();
        if (!l) return nullptr;
        while (peek().kind == Tok::OrOr || word("or")) {
            std::size_t off = take().offset;
            AstPtr r = and_();
            if (!r) return nullptr;
            l = binary(Tok::OrOr, off, std::move(l), std::move(r));
            if (!l) return nullptr;
        }
        return l;
    }

    // level 3: && and
    AstPtr and_() {
        AstPtr l = not_();
        if (!l) return nullptr;
        while (peek().kind == Tok::AndAnd || word("and")) {
            std::size_t off = take().offset;
            AstPtr r = not_();
            if (!r) return nullptr;
            l = binary(Tok::AndAnd, off, std::move(l), std::move(r));
            if (!l) return nullptr;
        }
        return l;
    }

    // level 4: ! not (prefix, looser than comparisons)
    AstPtr not_() {
        if (peek().kind == Tok::Bang || word("not")) {
            Depth d(*this);
            if (depth_ > kMaxDepth) return fail(peek().offset, "the expression is nested too deeply");
            std::size_t off = take().offset;
            AstPtr x = not_();
            if (!x) return nullptr;
            auto u = node(Ast::Kind::Unary, off);
            u->op = Tok::Bang;
            adopt(*u, std::move(x));
            return u;
        }
        return compare();
    }

    bool compare_op(Tok& op, bool& in) const {
        in = false;
        switch (peek().kind) {
            case Tok::EqEq: case Tok::NotEq: case Tok::Lt: case Tok::Le: case Tok::Gt: case Tok::Ge:
            case Tok::Match: case Tok::NotMatch:
                op = peek().kind;
                return true;
            default:
                if (word("in")) { op = Tok::Ident; in = true; return true; }
                return false;
        }
    }

    // level 5: comparisons, not chainable
    AstPtr compare() {
        AstPtr l = coalesce();
        if (!l) return nullptr;
        Tok op;
        bool in;
        if (!compare_op(op, in)) return l;
        std::size_t off = take().offset;
        AstPtr r = coalesce();
        if (!r) return nullptr;
        Tok op2;
        bool in2;
        if (compare_op(op2, in2))
            return fail(peek().offset, "comparisons cannot be chained: " + describe(peek(), src_) +
                                           " follows a comparison; use parentheses or `&&`");
        auto b = binary(op, off, std::move(l), std::move(r));
        if (!b) return nullptr;
        b->is_in = in;
        return b;
    }

    // level 6: ??
    AstPtr coalesce() {
        std::size_t start = peek().offset;
        AstPtr l = coalesce_();
        if (l) l->start = start;
        return l;
    }

    AstPtr coalesce_() {
        AstPtr l = additive();
        if (!l) return nullptr;
        while (peek().kind == Tok::QQ) {
            std::size_t off = take().offset;
            AstPtr r = additive();
            if (!r) return nullptr;
            l = binary(Tok::QQ, off, std::move(l), std::move(r));
            if (!l) return nullptr;
        }
        return l;
    }

    // level 7: + -
    AstPtr additive() {
        AstPtr l = multiplicative();
        if (!l) return nullptr;
        while (peek().kind == Tok::Plus || peek().kind == Tok::Minus) {
            const Token& t = take();
            Tok op = t.kind;
            std::size_t off = t.offset;
            AstPtr r = multiplicative();
            if (!r) return nullptr;
            l = binary(op, off, std::move(l), std::move(r));
            if (!l) return nullptr;
        }
        return l;
    }

    // level 8: * / %
    AstPtr multiplicative() {
        AstPtr l = unary();
        if (!l) return nullptr;
        while (peek().kind == Tok::Star || peek().kind == Tok::Slash || peek().kind == Tok::Percent) {
            const Token& t = take();
            Tok op = t.kind;
            std::size_t off = t.offset;
            AstPtr r = unary();
            if (!r) return nullptr;
            l = binary(op, off, std::move(l), std::move(r));
            if (!l) return nullptr;
        }
        return l;
    }

    // level 9: prefix -   (a minus directly on a number literal is part of
    // the literal, so `-1.10` keeps its text)
    AstPtr unary() {
        if (peek().kind != Tok::Minus) return postfix();
        Depth d(*this);
        if (depth_ > kMaxDepth) return fail(peek().offset, "the expression is nested too deeply");
        std::size_t off = take().offset;
        AstPtr x = unary();
        if (!x) return nullptr;
        if (x->kind == Ast::Kind::Number) {
            if (!x->text.empty() && x->text[0] == '-') x->text.erase(0, 1);
            else x->text.insert(0, 1, '-');
            x->offset = off;
            return x;
        }
        auto u = node(Ast::Kind::Unary, off);
        u->op = Tok::Minus;
        adopt(*u, std::move(x));
        return u;
    }

    // A primary followed by path steps: `.a`, `."k"`, `[0]`, `["k"]`.
    AstPtr postfix() {
        const Token& first = peek();
        if (first.kind == Tok::Dot) return path(nullptr, first.offset);
        AstPtr p = primary();
        if (!p) return nullptr;
        bool can_index = p->kind == Ast::Kind::Call || p->kind == Ast::Kind::Array || p->paren;
        if (can_index && (peek().kind == Tok::LBracket || (peek().kind == Tok::Dot && peek().offset == prev_end() && adjacent_key())))
        {
            std::size_t off = p->offset;
            return path(std::move(p), off);
        }
        return p;
    }

    // Whether the `.` at peek() is directly followed by a key or `[`.
    bool adjacent_key() const {
        const Token& d = peek();
        const Token& n = peek(1);
        return n.offset == d.offset + 1 && (n.kind == Tok::Ident || n.kind == Tok::String || n.kind == Tok::LBracket);
    }

    AstPtr path(AstPtr base, std::size_t offset) {
        auto p = node(Ast::Kind::Path, offset);
        if (base) {
            p->has_base = true;
            adopt(*p, std::move(base));
        } else {
            // The leading `.`: the record, possibly followed by a key.
            const Token& d = take();
            const Token& n = peek();
            if (n.offset == d.offset + 1 && (n.kind == Tok::Ident || n.kind == Tok::String)) {
                p->segs.push_back(key_seg(take()));
            } else if (n.offset == d.offset + 1 && n.kind == Tok::Number) {
                return fail(n.offset, "a field name cannot start with a digit; write `.[" + n.text + "]` for an index or `.\"" + n.text + "\"` for a key");
            }
        }
        for (;;) {
            if (peek().kind == Tok::Dot && peek().offset == prev_end()) {
                if (!adjacent_key()) {
                    const Token& n = peek(1);
                    return fail(n.offset, "expected a field name after `.`, got " + describe(n, src_));
                }
                take();
                if (peek().kind == Tok::LBracket) continue;  // `.a.[0]` reads as `.a[0]`
                p->segs.push_back(key_seg(take()));
            } else if (peek().kind == Tok::LBracket) {
                take();
                AstSeg s;
                bool neg = false;
                std::size_t at = peek().offset;
                if (peek().kind == Tok::Minus) { take(); neg = true; }
                const Token& k = peek();
                if (k.kind == Tok::String && !neg) {
                    s.key = take().text;
                } else if (k.kind == Tok::Number) {
                    const std::string& txt = k.text;
                    std::int64_t v = 0;
                    auto r = std::from_chars(txt.data(), txt.data() + txt.size(), v);
                    if (r.ec != std::errc() || r.ptr != txt.data() + txt.size())
                        return fail(k.offset, "an index must be an integer within 64 bits, got `" + txt + "`");
                    s.is_index = true;
                    s.index = neg ? -v : v;
                    take();
                } else {
                    return fail(at, "expected an integer index or a string key inside `[...]`, got " + describe(peek(), src_));
                }
                if (peek().kind != Tok::RBracket) return fail(peek().offset, "expected `]`, got " + describe(peek(), src_));
                take();
                p->segs.push_back(std::move(s));
            } else {
                break;
            }
        }
        return p;
    }

    // End offset of the last token taken.
    std::size_t prev_end() const {
        if (pos_ == 0) return 0;
        const Token& t = t_[pos_ - 1];
        return t.offset + t.length;
    }

    static AstSeg key_seg(const Token& t) {
        AstSeg s;
        s.key = t.text;
        return s;
    }

    AstPtr primary() {
        const Token& t = peek();
        switch (t.kind) {
            case Tok::Number: {
                auto a = node(Ast::Kind::Number, t.offset);
                a->text = take().text;
                return a;
            }
            case Tok::String: {
                auto a = node(Ast::Kind::String, t.offset);
                a->text = take().text;
                return a;
            }
            case Tok::LParen: {
                std::size_t off = take().offset;
                AstPtr a = ternary();
                if (!a) return nullptr;
                if (peek().kind != Tok::RParen)
                    return fail(peek().offset, "expected `)` to close the `(` at byte " + std::to_string(off) + ", got " + describe(peek(), src_));
                take();
                a->paren = true;
                return a;
            }
            case Tok::LBracket: {
                auto a = node(Ast::Kind::Array, take().offset);
                if (peek().kind == Tok::RBracket) { take(); return a; }
                for (;;) {
                    AstPtr item = ternary();
                    if (!item) return nullptr;
                    adopt(*a, std::move(item));
                    if (peek().kind == Tok::Comma) { take(); continue; }
                    if (peek().kind == Tok::RBracket) { take(); return a; }
                    return fail(peek().offset, "expected `,` or `]` in an array, got " + describe(peek(), src_));
                }
            }
            case Tok::Ident: {
                if (t.text == "true" || t.text == "false" || t.text == "null") {
                    auto a = node(t.text == "true" ? Ast::Kind::True : t.text == "false" ? Ast::Kind::False : Ast::Kind::Null, t.offset);
                    take();
                    return a;
                }
                if (is_keyword(t.text)) return fail(t.offset, "expected an expression, got " + describe(t, src_));
                if (peek(1).kind != Tok::LParen)
                    return fail(t.offset, "unknown name `" + t.text + "`; a field is written `." + t.text + "`, a call `" + t.text + "(...)`");
                auto a = node(Ast::Kind::Call, t.offset);
                a->text = take().text;
                take();  // (
                if (peek().kind == Tok::RParen) { take(); return a; }
                for (;;) {
                    AstPtr arg = ternary();
                    if (!arg) return nullptr;
                    adopt(*a, std::move(arg));
                    if (peek().kind == Tok::Comma) { take(); continue; }
                    if (peek().kind == Tok::RParen) { take(); return a; }
                    return fail(peek().offset, "expected `,` or `)` in the arguments of `" + a->text + "`, got " + describe(peek(), src_));
                }
            }
            case Tok::End:
                return fail(t.offset, "expected an expression");
            case Tok::RParen:
            case Tok::RBracket:
            case Tok::Comma:
            case Tok::Colon:
                return fail(t.offset, "unexpected " + describe(t, src_) + ", expected an expression");
            default:
                return fail(t.offset, "expected an expression, got " + describe(t, src_));
        }
    }

    std::string_view src_;
    std::vector<Token> t_;
    std::size_t pos_ = 0;
    CompileError& e_;
    bool failed_ = false;
    int depth_ = 0;
};

}  // namespace

std::unique_ptr<Ast> parse(std::string_view src, CompileError& error) {
    std::vector<Token> toks;
    if (!lex(src, toks, error)) return nullptr;
    Parser p(src, std::move(toks), error);
    return p.parse_all();
}

}  // namespace sluiced::expr
