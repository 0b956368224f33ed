// Small UTF-8 helpers for the expression engine: code point iteration,
// counting and validation. Input strings are valid UTF-8 (json::parse
// rejects invalid input), so decoding is lenient on malformed bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluiced::expr::utf8 {

// Byte length of the sequence starting with lead byte `c` (1 for invalid).
inline std::size_t seq_len(unsigned char c) {
    if (c < 0x80) return 1;
    if ((c >> 5) == 0x6) return 2;
    if ((c >> 4) == 0xE) return 3;
    if ((c >> 3) == 0x1E) return 4;
    return 1;
}

// Decodes the code point at s[i], advancing i (malformed byte -> U+FFFD).
inline char32_t next(std::string_view s, std::size_t& i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = seq_len(c);
    if (n == 1 || i + n > s.size()) { ++i; return c < 0x80 ? c : 0xFFFD; }
    char32_t cp = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += n;
    return cp;
}

// Number of code points (continuation bytes are not counted).
inline std::size_t count(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

// Byte offset of code point number `cp` (s.size() when past the end).
inline std::size_t offset_of(std::string_view s, std::size_t cp) {
    std::size_t i = 0;
    while (cp > 0 && i < s.size()) {
        ++i;
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
        --cp;
    }
    return i;
}

// Appends the UTF-8 encoding of `cp` to `out`, returning bytes written (<= 4).
inline std::size_t encode(char32_t cp, char* out) {
    if (cp < 0x80) { out[0] = char(cp); return 1; }
    if (cp < 0x800) { out[0] = char(0xC0 | (cp >> 6)); out[1] = char(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = char(0xE0 | (cp >> 12)); out[1] = char(0x80 | ((cp >> 6) & 0x3F)); out[2] = char(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = char(0xF0 | (cp >> 18)); out[1] = char(0x80 | ((cp >> 12) & 0x3F));
    out[2] = char(0x80 | ((cp >> 6) & 0x3F)); out[3] = char(0x80 | (cp & 0x3F));
    return 4;
}

// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool valid(std::string_view s);

// Unicode White_Space property.
inline bool is_space(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x3000;
}

}  // namespace sluiced::expr::utf8
