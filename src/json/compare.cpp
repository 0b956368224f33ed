// Number comparison by exact decimal value and deep equality (spec §6.2).
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <unordered_map>

#include "json/detail.h"
#include "json/json.h"

namespace sluiced::json {

namespace detail {

Decimal to_decimal(std::string_view t) {
    Decimal d;
    std::size_t i = 0, n = t.size();
    if (i < n && (t[i] == '-' || t[i] == '+')) {
        d.neg = t[i] == '-';
        ++i;
    }
    std::size_t s = i;
    while (i < n && t[i] >= '0' && t[i] <= '9') ++i;
    d.int_digits = t.substr(s, i - s);
    if (i < n && t[i] == '.') {
        s = ++i;
        while (i < n && t[i] >= '0' && t[i] <= '9') ++i;
        d.frac_digits = t.substr(s, i - s);
    }
    std::int64_t x = 0;
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        bool xneg = false;
        if (i < n && (t[i] == '-' || t[i] == '+')) {
            xneg = t[i] == '-';
            ++i;
        }
        for (; i < n && t[i] >= '0' && t[i] <= '9'; ++i) {
            if (x > (Decimal::kExpLimit - 9) / 10) {  // saturate, no overflow
                x = Decimal::kExpLimit;
                break;
            }
            x = x * 10 + (t[i] - '0');
        }
        if (xneg) x = -x;
    }
    // first nonzero digit
    std::size_t total = d.int_digits.size() + d.frac_digits.size();
    std::size_t f = 0;
    while (f < total && (f < d.int_digits.size() ? d.int_digits[f] : d.frac_digits[f - d.int_digits.size()]) == '0') ++f;
    if (f == total) {
        d.zero = true;
        return d;
    }
    d.zero = false;
    d.first = f;
    d.exp10 = std::int64_t(d.int_digits.size()) - std::int64_t(f) + x;
    return d;
}

}  // namespace detail

namespace {

using detail::Decimal;

// Decimal text of a number Value in `buf` (>= 40 bytes) or its own text.
// Non-finite doubles are handled by the caller.
std::string_view decimal_text(const Value& v, char* buf) {
    switch (v.form) {
        case Form::NumInt: {
            auto r = std::to_chars(buf, buf + 40, v.i);
            return {buf, std::size_t(r.ptr - buf)};
        }
        case Form::NumDouble: {
            // Shortest round-trip digits: the decimal value of the output text (§6.2).
            auto r = std::to_chars(buf, buf + 40, v.d, std::chars_format::scientific);
            return {buf, std::size_t(r.ptr - buf)};
        }
        default:
            return v.raw();
    }
}

int compare_decimals(const Decimal& a, const Decimal& b) {
    if (a.zero && b.zero) return 0;
    if (a.zero) return b.neg ? 1 : -1;
    if (b.zero) return a.neg ? -1 : 1;
    if (a.neg != b.neg) return a.neg ? -1 : 1;
    int mag = 0;  // |a| vs |b|
    if (a.exp10 != b.exp10) {
        mag = a.exp10 < b.exp10 ? -1 : 1;
    } else {
        std::size_t n = std::max(a.ndigits(), b.ndigits());
        for (std::size_t k = 0; k < n; ++k) {
            char da = a.digit(k), db = b.digit(k);
            if (da != db) {
                mag = da < db ? -1 : 1;
                break;
            }
        }
    }
    return a.neg ? -mag : mag;
}

// Order of non-finite doubles (not expected: they are record errors):
// -inf < every finite number < +inf < NaN.
int rank_nonfinite(const Value& v) {
    if (v.form != Form::NumDouble || std::isfinite(v.d)) return 0;
    if (std::isnan(v.d)) return 2;
    return v.d > 0 ? 1 : -1;
}

bool is_number_kind(const Value& v) {
    return v.form == Form::NumText || v.form == Form::NumInt || v.form == Form::NumDouble;
}

thread_local std::string t_key;

}  // namespace

int compare_numbers(const Value& a, const Value& b) {
    // Fast paths.
    if (a.form == Form::NumInt && b.form == Form::NumInt) return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
    int ra = rank_nonfinite(a), rb = rank_nonfinite(b);
    if (ra != 0 || rb != 0) {
        if (ra == rb) return 0;
        return ra < rb ? -1 : 1;
    }
    if (a.form == Form::NumDouble && b.form == Form::NumDouble) {
        // Shortest round-trip texts order like the doubles they denote.
        return a.d < b.d ? -1 : (a.d > b.d ? 1 : 0);
    }
    constexpr std::int64_t k53 = std::int64_t(1) << 53;
    if (a.form == Form::NumInt && b.form == Form::NumDouble && a.i >= -k53 && a.i <= k53) {
        double x = double(a.i);
        return x < b.d ? -1 : (x > b.d ? 1 : 0);
    }
    if (a.form == Form::NumDouble && b.form == Form::NumInt && b.i >= -k53 && b.i <= k53) {
        double y = double(b.i);
        return a.d < y ? -1 : (a.d > y ? 1 : 0);
    }
    if (a.form == Form::NumText && b.form == Form::NumText && a.raw() == b.raw()) return 0;
    if (!is_number_kind(a) || !is_number_kind(b)) return 0;
    char ba[40], bb[40];
    return compare_decimals(detail::to_decimal(decimal_text(a, ba)), detail::to_decimal(decimal_text(b, bb)));
}

bool equal(const Value& a, const Value& b, Arena& arena) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
        case Kind::Null: return true;
        case Kind::Bool: return a.flag == b.flag;
        case Kind::Number: return compare_numbers(a, b) == 0;
        case Kind::String: return detail::strings_equal(a, b);
        case Kind::Array:
            if (a.size != b.size) return false;
            if (a.items == b.items) return true;
            for (std::uint32_t i = 0; i < a.size; ++i)
                if (!equal(a.items[i], b.items[i], arena)) return false;
            return true;
        case Kind::Object: {
            if (a.size != b.size) return false;
            if (a.members == b.members) return true;
            constexpr std::uint32_t kLinear = 32;
            if (a.size <= kLinear) {
                for (std::uint32_t i = 0; i < a.size; ++i) {
                    const Member& ma = a.members[i];
                    // Same position first: objects usually share key order.
                    const Member* mb = nullptr;
                    if (detail::strings_equal(ma.key, b.members[i].key)) {
                        mb = &b.members[i];
                    } else {
                        for (std::uint32_t j = 0; j < b.size; ++j) {
                            if (detail::strings_equal(ma.key, b.members[j].key)) {
                                mb = &b.members[j];
                                break;
                            }
                        }
                    }
                    if (!mb || !equal(ma.value, mb->value, arena)) return false;
                }
                return true;
            }
            std::unordered_map<std::string_view, const Value*> index;
            index.reserve(b.size);
            for (std::uint32_t j = 0; j < b.size; ++j)
                index.emplace(string_text(b.members[j].key, arena), &b.members[j].value);
            for (std::uint32_t i = 0; i < a.size; ++i) {
                const Member& ma = a.members[i];
                std::string_view k;
                if (ma.key.form == Form::StrJson && ma.key.flag) {
                    t_key.clear();
                    unescape(ma.key.raw(), t_key);
                    k = t_key;
                } else {
                    k = ma.key.raw();
                }
                auto it = index.find(k);
                if (it == index.end()) return false;
                if (!equal(ma.value, *it->second, arena)) return false;
            }
            return true;
        }
    }
    return false;
}

}  // namespace sluiced::json
