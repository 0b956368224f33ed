// Internal helpers shared by the json module's .cpp files. Not part of the
// module's interface: other modules include json/json.h and json/value.h.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "json/value.h"

namespace sluiced::json::detail {

// Writes the UTF-8 encoding of code point `cp` (<= 0x10FFFF) to `p`;
// returns the number of bytes written (1..4).
inline int put_utf8(char* p, std::uint32_t cp) {
    if (cp < 0x80) {
        p[0] = char(cp);
        return 1;
    }
    if (cp < 0x800) {
        p[0] = char(0xC0 | (cp >> 6));
        p[1] = char(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        p[0] = char(0xE0 | (cp >> 12));
        p[1] = char(0x80 | ((cp >> 6) & 0x3F));
        p[2] = char(0x80 | (cp & 0x3F));
        return 3;
    }
    p[0] = char(0xF0 | (cp >> 18));
    p[1] = char(0x80 | ((cp >> 12) & 0x3F));
    p[2] = char(0x80 | ((cp >> 6) & 0x3F));
    p[3] = char(0x80 | (cp & 0x3F));
    return 4;
}

// Value of 4 hex digits at `p` (caller checked 4 bytes are readable), or -1.
inline std::int32_t hex4(const char* p) {
    std::int32_t v = 0;
    for (int i = 0; i < 4; ++i) {
        unsigned char c = static_cast<unsigned char>(p[i]);
        std::int32_t d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') d = (c | 0x20) - 'a' + 10;
        else return -1;
        v = (v << 4) | d;
    }
    return v;
}

// Decodes the escape sequence starting at raw[i] (a backslash) into `buf`
// (>= 4 bytes). Advances `i` past the sequence; returns the bytes written.
// Invalid or lone-surrogate escapes (not produced by our parser) decode to
// U+FFFD, and a malformed tail is copied literally, so the output stays UTF-8.
int decode_escape(std::string_view raw, std::size_t& i, char* buf);

// Decodes JSON string content `raw` into `dst`, which has room for at least
// raw.size() bytes (decoding never grows text). Returns the decoded length.
std::size_t unescape_to(std::string_view raw, char* dst);

// True when the decoded text of JSON string content `raw` equals `plain`,
// without allocating.
bool escaped_equals(std::string_view raw, std::string_view plain);

// True when two String values have the same decoded text.
bool strings_equal(const Value& a, const Value& b);

// Offset of the first byte at which `s` stops being valid UTF-8
// (s.size() when it is valid). Scalar; used only to report errors.
std::size_t utf8_error_offset(std::string_view s);

// Exact decimal view of JSON number text (or of to_chars output):
// value = (neg ? -1 : 1) * 0.D1D2D3... * 10^exp10, D1 != 0, where D is the
// concatenation of `int_digits` and `frac_digits` starting at index `first`.
// Exponents are saturated at +-kExpLimit (texts with |exponent| >= 10^18
// compare as if it were 10^18).
struct Decimal {
    static constexpr std::int64_t kExpLimit = 1'000'000'000'000'000'000;
    bool neg = false;
    bool zero = true;
    std::string_view int_digits;
    std::string_view frac_digits;
    std::size_t first = 0;    // first nonzero digit in int_digits + frac_digits
    std::int64_t exp10 = 0;   // meaningful when !zero

    // Digit k (0-based) of the significand D1D2..., '0' past the end.
    char digit(std::size_t k) const {
        k += first;
        if (k < int_digits.size()) return int_digits[k];
        k -= int_digits.size();
        return k < frac_digits.size() ? frac_digits[k] : '0';
    }
    std::size_t ndigits() const { return int_digits.size() + frac_digits.size() - first; }
};

// Splits number text `-?D+(.D+)?([eE][+-]?D+)?` into a Decimal (views into
// `text`). Lenient about the JSON-specific rules (leading zeros, '+').
Decimal to_decimal(std::string_view text);

}  // namespace sluiced::json::detail
