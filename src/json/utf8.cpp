// UTF-8 validation and JSON string (un)escaping helpers.
#include <simdjson.h>

#include <cstring>
#include <string>

#include "json/detail.h"
#include "json/json.h"

namespace sluiced::json {

bool valid_utf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

void unescape(std::string_view raw, std::string& out) {
    std::size_t old = out.size();
    out.resize(old + raw.size());
    std::size_t n = detail::unescape_to(raw, out.data() + old);
    out.resize(old + n);
}

namespace detail {

int decode_escape(std::string_view raw, std::size_t& i, char* buf) {
    // raw[i] == '\\'
    if (i + 1 >= raw.size()) {
        buf[0] = '\\';
        i += 1;
        return 1;
    }
    char c = raw[i + 1];
    char simple = 0;
    switch (c) {
        case '"': simple = '"'; break;
        case '\\': simple = '\\'; break;
        case '/': simple = '/'; break;
        case 'b': simple = '\b'; break;
        case 'f': simple = '\f'; break;
        case 'n': simple = '\n'; break;
        case 'r': simple = '\r'; break;
        case 't': simple = '\t'; break;
        case 'u': break;
        default:
            buf[0] = '\\';
            i += 1;
            return 1;
    }
    if (simple) {
        buf[0] = simple;
        i += 2;
        return 1;
    }
    std::int32_t cp = raw.size() - i >= 6 ? hex4(raw.data() + i + 2) : -1;
    if (cp < 0) {
        buf[0] = '\\';
        i += 1;
        return 1;
    }
    i += 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        std::int32_t lo = -1;
        if (raw.size() - i >= 6 && raw[i] == '\\' && raw[i + 1] == 'u') lo = hex4(raw.data() + i + 2);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            i += 6;
            std::uint32_t full = 0x10000 + ((std::uint32_t(cp) - 0xD800) << 10) + (std::uint32_t(lo) - 0xDC00);
            return put_utf8(buf, full);
        }
        return put_utf8(buf, 0xFFFD);
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) return put_utf8(buf, 0xFFFD);
    return put_utf8(buf, std::uint32_t(cp));
}

std::size_t unescape_to(std::string_view raw, char* dst) {
    std::size_t i = 0, o = 0;
    while (i < raw.size()) {
        const void* bs = std::memchr(raw.data() + i, '\\', raw.size() - i);
        std::size_t run = bs ? std::size_t(static_cast<const char*>(bs) - raw.data()) - i : raw.size() - i;
        std::memcpy(dst + o, raw.data() + i, run);
        o += run;
        i += run;
        if (i >= raw.size()) break;
        o += std::size_t(decode_escape(raw, i, dst + o));
    }
    return o;
}

bool escaped_equals(std::string_view raw, std::string_view plain) {
    std::size_t i = 0, j = 0;
    char buf[4];
    while (i < raw.size()) {
        if (raw[i] != '\\') {
            if (j >= plain.size() || raw[i] != plain[j]) return false;
            ++i;
            ++j;
            continue;
        }
        int n = decode_escape(raw, i, buf);
        if (plain.size() - j < std::size_t(n) || std::memcmp(buf, plain.data() + j, std::size_t(n)) != 0) return false;
        j += std::size_t(n);
    }
    return j == plain.size();
}

namespace {
thread_local std::string t_decoded;
}

bool strings_equal(const Value& a, const Value& b) {
    bool ea = a.form == Form::StrJson && a.flag;
    bool eb = b.form == Form::StrJson && b.flag;
    if (!ea && !eb) return a.raw() == b.raw();
    if (ea && eb) {
        if (a.raw() == b.raw()) return true;
        t_decoded.clear();
        unescape(a.raw(), t_decoded);
        return escaped_equals(b.raw(), t_decoded);
    }
    if (ea) return a.size >= b.size && escaped_equals(a.raw(), b.raw());
    return b.size >= a.size && escaped_equals(b.raw(), a.raw());
}

std::size_t utf8_error_offset(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    std::size_t n = s.size(), i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        std::uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
        else return i;
        if (n - i < len) return i;
        for (std::size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return n;
}

}  // namespace detail
}  // namespace sluiced::json
