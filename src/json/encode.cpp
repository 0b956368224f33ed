// Minified JSON output (spec §6.4).
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "json/json.h"

namespace sluiced::json {
namespace {

// Shortest round-trip digits of a finite, non-zero |d| (trailing zeros
// removed) and the decimal exponent of the first digit:
// |d| ~= D1.D2D3... * 10^exp10.
struct Shortest {
    char digits[24];
    int ndigits = 0;
    int exp10 = 0;
};

void shortest(double d, Shortest& s) {
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof buf, std::fabs(d), std::chars_format::scientific);
    const char* p = buf;
    const char* e = r.ptr;
    // layout: D[.DDDD]e(+|-)XX
    s.ndigits = 0;
    while (p != e && *p != 'e') {
        if (*p != '.') s.digits[s.ndigits++] = *p;
        ++p;
    }
    ++p;  // 'e'
    bool neg = *p == '-';
    ++p;
    int x = 0;
    while (p != e) x = x * 10 + (*p++ - '0');
    s.exp10 = neg ? -x : x;
    while (s.ndigits > 1 && s.digits[s.ndigits - 1] == '0') --s.ndigits;
}

void append_int(std::int64_t i, std::string& out) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, i);
    out.append(buf, std::size_t(r.ptr - buf));
}

// Bytes of a decoded string that need an escape.
struct EscTable {
    char esc[256] = {};  // 0: raw; 'u': \u00xx; else the letter after '\'
    constexpr EscTable() {
        for (int c = 0; c < 0x20; ++c) esc[c] = 'u';
        esc['\b'] = 'b';
        esc['\f'] = 'f';
        esc['\n'] = 'n';
        esc['\r'] = 'r';
        esc['\t'] = 't';
        esc['"'] = '"';
        esc['\\'] = '\\';
    }
};
constexpr EscTable kEsc;

}  // namespace

void encode_double(double d, std::string& out) {
    if (d == 0 || !std::isfinite(d)) {  // -0 prints 0; non-finite is a precondition violation
        out += d == 0 ? "0" : (std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"));
        return;
    }
    if (d < 0) out += '-';
    Shortest s;
    shortest(d, s);
    const int k = s.ndigits;
    const int n = s.exp10 + 1;  // ECMA-262 Number::toString: value = digits * 10^(n-k)
    if (k <= n && n <= 21) {
        out.append(s.digits, std::size_t(k));
        out.append(std::size_t(n - k), '0');
    } else if (0 < n && n <= 21) {
        out.append(s.digits, std::size_t(n));
        out += '.';
        out.append(s.digits + n, std::size_t(k - n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(std::size_t(-n), '0');
        out.append(s.digits, std::size_t(k));
    } else {
        out += s.digits[0];
        if (k > 1) {
            out += '.';
            out.append(s.digits + 1, std::size_t(k - 1));
        }
        int e = n - 1;
        out += 'e';
        out += e < 0 ? '-' : '+';
        append_int(e < 0 ? -e : e, out);
    }
}

void encode_string(std::string_view s, std::string& out) {
    // Fast path: nothing to escape (keys, most computed strings).
    std::size_t i0 = 0;
    while (i0 < s.size() && kEsc.esc[static_cast<unsigned char>(s[i0])] == 0) ++i0;
    if (i0 == s.size()) {
        std::size_t at = out.size();
        out.resize(at + s.size() + 2);
        char* p = out.data() + at;
        p[0] = '"';
        if (!s.empty()) std::memcpy(p + 1, s.data(), s.size());  // an empty view may hold nullptr (UBSan)
        p[s.size() + 1] = '"';
        return;
    }
    out.reserve(out.size() + s.size() + 2);
    out += '"';
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char e = kEsc.esc[static_cast<unsigned char>(s[i])];
        if (e == 0) continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        out += '\\';
        if (e != 'u') {
            out += e;
        } else {
            static constexpr char hex[] = "0123456789abcdef";
            unsigned char c = static_cast<unsigned char>(s[i]);
            out += "u00";
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

bool encode(const Value& v, std::string& out) {
    switch (v.kind) {
        case Kind::Null: out += "null"; return true;
        case Kind::Bool: out += v.flag ? "true" : "false"; return true;
        case Kind::Number:
            switch (v.form) {
                case Form::NumText: out.append(v.text, v.size); return true;
                case Form::NumInt: append_int(v.i, out); return true;
                case Form::NumDouble:
                    if (!std::isfinite(v.d)) return false;
                    encode_double(v.d, out);
                    return true;
                default: return false;
            }
        case Kind::String:
            if (v.form == Form::StrPlain) {
                encode_string(v.raw(), out);
            } else {
                out += '"';
                out.append(v.text, v.size);
                out += '"';
            }
            return true;
        case Kind::Array:
            out += '[';
            for (std::uint32_t i = 0; i < v.size; ++i) {
                if (i) out += ',';
                if (!encode(v.items[i], out)) return false;
            }
            out += ']';
            return true;
        case Kind::Object:
            out += '{';
            for (std::uint32_t i = 0; i < v.size; ++i) {
                if (i) out += ',';
                if (!encode(v.members[i].key, out)) return false;
                out += ':';
                if (!encode(v.members[i].value, out)) return false;
            }
            out += '}';
            return true;
    }
    return false;
}

}  // namespace sluiced::json
