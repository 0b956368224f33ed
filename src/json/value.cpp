// Accessors of json::Value (spec §6.4).
#include <charconv>
#include <cmath>
#include <limits>

#include "json/detail.h"
#include "json/json.h"
#include "json/value.h"
#include "util/arena.h"

namespace sluiced::json {

std::string_view string_text(const Value& v, Arena& arena) {
    if (v.form != Form::StrJson || !v.flag) return v.raw();
    // Decoding never makes text longer, so raw.size() bytes are enough.
    char* dst = static_cast<char*>(arena.allocate(v.size ? v.size : 1, 1));
    std::size_t n = detail::unescape_to(v.raw(), dst);
    return {dst, n};
}

const Value* find_member(const Value& object, std::string_view key, Arena& /*arena*/) {
    if (!object.is_object()) return nullptr;
    for (std::uint32_t i = 0; i < object.size; ++i) {
        const Member& m = object.members[i];
        const Value& k = m.key;
        if (k.form == Form::StrJson && k.flag) {
            // decoded text is never longer than the raw text
            if (k.size >= key.size() && detail::escaped_equals(k.raw(), key)) return &m.value;
        } else if (k.size == key.size() && k.raw() == key) {
            return &m.value;
        }
    }
    return nullptr;
}

double number_as_double(const Value& v) {
    switch (v.form) {
        case Form::NumInt: return double(v.i);
        case Form::NumDouble: return v.d;
        case Form::NumText: {
            double d = 0;
            const char* b = v.text;
            const char* e = v.text + v.size;
            auto r = std::from_chars(b, e, d);
            if (r.ec == std::errc()) return d;
            if (r.ec == std::errc::result_out_of_range) {
                detail::Decimal dec = detail::to_decimal(v.raw());
                double mag = (!dec.zero && dec.exp10 > 0) ? std::numeric_limits<double>::infinity() : 0.0;
                return dec.neg ? -mag : mag;
            }
            return std::numeric_limits<double>::quiet_NaN();
        }
        default: return std::numeric_limits<double>::quiet_NaN();
    }
}

}  // namespace sluiced::json
