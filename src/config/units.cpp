#include "config/units.h"

#include <limits>

namespace sluiced::config {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads a run of digits into `v`; false when there is none or on overflow.
bool read_uint(std::string_view s, std::size_t& i, std::uint64_t& v) {
    std::size_t start = i;
    v = 0;
    while (i < s.size() && is_digit(s[i])) {
        unsigned d = static_cast<unsigned>(s[i] - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
        v = v * 10 + d;
        ++i;
    }
    return i > start;
}

}  // namespace

bool parse_duration(std::string_view s, std::int64_t& ms) {
    if (s == "0") {
        ms = 0;
        return true;
    }
    struct Unit {
        std::string_view name;
        std::uint64_t ms;
        int rank;
    };
    // "ms" must be tried before "m".
    static constexpr Unit units[] = {
        {"ms", 1, 0}, {"s", 1000, 1}, {"m", 60000, 2}, {"h", 3600000, 3}, {"d", 86400000, 4},
    };
    const std::uint64_t limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    std::uint64_t total = 0;
    int last_rank = 5;
    std::size_t i = 0;
    if (s.empty()) return false;
    while (i < s.size()) {
        std::uint64_t n = 0;
        if (!read_uint(s, i, n)) return false;
        const Unit* unit = nullptr;
        for (const Unit& u : units) {
            if (s.substr(i, u.name.size()) == u.name) {
                unit = &u;
                break;
            }
        }
        if (!unit) return false;
        i += unit->name.size();
        if (unit->rank >= last_rank) return false;  // decreasing, each once
        last_rank = unit->rank;
        if (n > limit / unit->ms) return false;
        std::uint64_t part = n * unit->ms;
        if (total > limit - part) return false;
        total += part;
    }
    ms = static_cast<std::int64_t>(total);
    return true;
}

bool parse_size(std::string_view s, std::uint64_t& bytes) {
    std::size_t i = 0;
    std::uint64_t n = 0;
    if (!read_uint(s, i, n)) return false;
    std::string_view unit = s.substr(i);
    struct Unit {
        std::string_view name;
        std::uint64_t mult;
    };
    static constexpr Unit units[] = {
        {"", 1},
        {"B", 1},
        {"KB", 1000ull},
        {"MB", 1000ull * 1000},
        {"GB", 1000ull * 1000 * 1000},
        {"TB", 1000ull * 1000 * 1000 * 1000},
        {"KiB", 1ull << 10},
        {"MiB", 1ull << 20},
        {"GiB", 1ull << 30},
        {"TiB", 1ull << 40},
    };
    for (const Unit& u : units) {
        if (unit == u.name) {
            if (n > std::numeric_limits<std::uint64_t>::max() / u.mult) return false;
            bytes = n * u.mult;
            return true;
        }
    }
    return false;
}

std::string format_duration(std::int64_t ms) {
    if (ms == 0) return "0s";
    std::string out;
    struct Unit {
        const char* name;
        std::int64_t ms;
    };
    static constexpr Unit units[] = {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
    for (const Unit& u : units) {
        if (ms >= u.ms) {
            out += std::to_string(ms / u.ms);
            out += u.name;
            ms %= u.ms;
        }
    }
    return out;
}

}  // namespace sluiced::config
