#include "expr/lexer.h"

#include "expr/utf8.h"

namespace sluiced::expr {
namespace {

bool ident_start(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80; }
bool ident_char(unsigned char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool fail(CompileError& e, std::size_t offset, std::string msg) {
    e.offset = offset;
    e.message = std::move(msg);
    return false;
}

// Reads 4 hex digits at src[i..]; -1 when invalid.
long hex4(std::string_view src, std::size_t i) {
    if (i + 4 > src.size()) return -1;
    long v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
        int h = hex(src[i + k]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

// A string literal starting at src[i] (the quote). JSON escapes; inside
// '...' also \' . Decoded into t.text.
bool lex_string(std::string_view src, std::size_t& i, Token& t, CompileError& e) {
    char quote = src[i];
    std::size_t start = i++;
    std::string& out = t.text;
    for (;;) {
        if (i >= src.size()) return fail(e, start, "unterminated string literal");
        char c = src[i];
        if (c == quote) { ++i; break; }
        if (c != '\\') {
            out.push_back(c);
            ++i;
            continue;
        }
        std::size_t esc = i;
        if (i + 1 >= src.size()) return fail(e, start, "unterminated string literal");
        char k = src[i + 1];
        i += 2;
        switch (k) {
            case '"': out.push_back('"'); break;
            case '\\': out.push_back('\\'); break;
            case '/': out.push_back('/'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'n': out.push_back('\n'); break;
            case 'r': out.push_back('\r'); break;
            case 't': out.push_back('\t'); break;
            case '\'':
                if (quote != '\'') return fail(e, esc, "invalid escape `\\'` in a \"...\" string");
                out.push_back('\'');
                break;
            case 'u': {
                long cp = hex4(src, i);
                if (cp < 0) return fail(e, esc, "invalid `\\u` escape: expected 4 hex digits");
                i += 4;
                if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(e, esc, "invalid `\\u` escape: lone low surrogate");
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    long lo = -1;
                    if (i + 1 < src.size() && src[i] == '\\' && src[i + 1] == 'u') lo = hex4(src, i + 2);
                    if (lo < 0xDC00 || lo > 0xDFFF) return fail(e, esc, "invalid `\\u` escape: lone high surrogate");
                    i += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                char buf[4];
                out.append(buf, utf8::encode(char32_t(cp), buf));
                break;
            }
            default:
                return fail(e, esc, std::string("invalid escape `\\") + k + "` in a string literal");
        }
    }
    if (!utf8::valid(out)) return fail(e, start, "string literal is not valid UTF-8");
    t.kind = Tok::String;
    t.offset = start;
    t.length = i - start;
    return true;
}

// A JSON number without sign: 0|[1-9][0-9]* (.[0-9]+)? ([eE][+-]?[0-9]+)?
bool lex_number(std::string_view src, std::size_t& i, Token& t, CompileError& e) {
    std::size_t start = i;
    std::size_t n = src.size();
    if (src[i] == '0') {
        ++i;
        if (i < n && digit(src[i])) return fail(e, start, "invalid number: leading zeros are not allowed");
    } else {
        while (i < n && digit(src[i])) ++i;
    }
    if (i < n && src[i] == '.') {
        ++i;
        if (i >= n || !digit(src[i])) return fail(e, start, "invalid number: expected a digit after `.`");
        while (i < n && digit(src[i])) ++i;
    }
    if (i < n && (src[i] == 'e' || src[i] == 'E')) {
        ++i;
        if (i < n && (src[i] == '+' || src[i] == '-')) ++i;
        if (i >= n || !digit(src[i])) return fail(e, start, "invalid number: expected a digit in the exponent");
        while (i < n && digit(src[i])) ++i;
    }
    if (i < n && ident_char(static_cast<unsigned char>(src[i])))
        return fail(e, start, "invalid number `" + std::string(src.substr(start, i + 1 - start)) + "`");
    t.kind = Tok::Number;
    t.offset = start;
    t.length = i - start;
    t.text.assign(src.substr(start, i - start));
    return true;
}

}  // namespace

bool lex(std::string_view src, std::vector<Token>& out, CompileError& e) {
    std::size_t i = 0, n = src.size();
    while (true) {
        while (i < n && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r')) ++i;
        Token t;
        t.offset = i;
        if (i >= n) {
            t.kind = Tok::End;
            out.push_back(std::move(t));
            return true;
        }
        char c = src[i];
        char d = i + 1 < n ? src[i + 1] : '\0';
        auto one = [&](Tok k) { t.kind = k; t.length = 1; ++i; };
        auto two = [&](Tok k) { t.kind = k; t.length = 2; i += 2; };
        if (c == '"' || c == '\'') {
            if (!lex_string(src, i, t, e)) return false;
        } else if (digit(c)) {
            if (!lex_number(src, i, t, e)) return false;
        } else if (ident_start(static_cast<unsigned char>(c))) {
            std::size_t s = i;
            while (i < n && ident_char(static_cast<unsigned char>(src[i]))) ++i;
            t.kind = Tok::Ident;
            t.length = i - s;
            t.text.assign(src.substr(s, i - s));
        } else {
            switch (c) {
                case '.': one(Tok::Dot); break;
                case '[': one(Tok::LBracket); break;
                case ']': one(Tok::RBracket); break;
                case '(': one(Tok::LParen); break;
                case ')': one(Tok::RParen); break;
                case ',': one(Tok::Comma); break;
                case ':': one(Tok::Colon); break;
                case '+': one(Tok::Plus); break;
                case '-': one(Tok::Minus); break;
                case '*': one(Tok::Star); break;
                case '/': one(Tok::Slash); break;
                case '%': one(Tok::Percent); break;
                case '?': if (d == '?') two(Tok::QQ); else one(Tok::Question); break;
                case '|':
                    if (d != '|') return fail(e, i, "unexpected `|`; did you mean `||`?");
                    two(Tok::OrOr);
                    break;
                case '&':
                    if (d != '&') return fail(e, i, "unexpected `&`; did you mean `&&`?");
                    two(Tok::AndAnd);
                    break;
                case '!':
                    if (d == '=') two(Tok::NotEq);
                    else if (d == '~') two(Tok::NotMatch);
                    else one(Tok::Bang);
                    break;
                case '=':
                    if (d == '=') two(Tok::EqEq);
                    else if (d == '~') two(Tok::Match);
                    else return fail(e, i, "unexpected `=`; did you mean `==`?");
                    break;
                case '<': if (d == '=') two(Tok::Le); else one(Tok::Lt); break;
                case '>': if (d == '=') two(Tok::Ge); else one(Tok::Gt); break;
                default: {
                    std::string shown = (static_cast<unsigned char>(c) < 0x20) ? "control character" : "`" + std::string(1, c) + "`";
                    return fail(e, i, "unexpected " + shown);
                }
            }
        }
        out.push_back(std::move(t));
    }
}

std::string describe(const Token& t, std::string_view src) {
    if (t.kind == Tok::End) return "the end of the expression";
    std::string_view s = src.substr(t.offset, t.length);
    if (s.size() > 24) return "`" + std::string(s.substr(0, 21)) + "...`";
    return "`" + std::string(s) + "`";
}

}  // namespace sluiced::expr
