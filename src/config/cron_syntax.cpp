#include "config/cron_syntax.h"

#include <fstream>
#include <vector>

namespace sluiced::config {

namespace {

struct Field {
    const char* name;
    int min, max;
    const char* const* names;  // names[i] has value name_base + i
    int name_base;
};

const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", nullptr};
const char* const kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", nullptr};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool parse_value(std::string_view s, const Field& f, int& v) {
    if (s.empty()) return false;
    if (s[0] >= '0' && s[0] <= '9') {
        long n = 0;
        for (char c : s) {
            if (c < '0' || c > '9') return false;
            n = n * 10 + (c - '0');
            if (n > 1000) return false;
        }
        v = static_cast<int>(n);
        return true;
    }
    if (!f.names || s.size() != 3) return false;
    for (int i = 0; f.names[i]; ++i) {
        if (lower(s[0]) == f.names[i][0] && lower(s[1]) == f.names[i][1] && lower(s[2]) == f.names[i][2]) {
            v = f.name_base + i;
            return true;
        }
    }
    return false;
}

bool check_field(std::string_view text, const Field& f, std::string& error) {
    std::size_t start = 0;
    for (;;) {
        std::size_t comma = text.find(',', start);
        std::string_view item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        std::string range = std::to_string(f.min) + "-" + std::to_string(f.max);
        if (item.empty()) {
            error = std::string("empty list item in the ") + f.name + " field";
            return false;
        }
        std::string_view base = item;
        std::size_t slash = item.find('/');
        if (slash != std::string_view::npos) {
            base = item.substr(0, slash);
            std::string_view step = item.substr(slash + 1);
            int n = 0;
            if (step.empty() || !(step[0] >= '0' && step[0] <= '9')) {
                error = std::string("invalid step `") + std::string(step) + "` in the " + f.name + " field";
                return false;
            }
            Field num{f.name, 0, 0, nullptr, 0};
            if (!parse_value(step, num, n) || n < 1 || n > f.max - f.min + 1) {
                error = std::string("step `") + std::string(step) + "` out of range 1-" +
                        std::to_string(f.max - f.min + 1) + " in the " + f.name + " field";
                return false;
            }
        }
        if (base != "*") {
            std::size_t dash = base.find('-');
            std::string_view a = base.substr(0, dash);
            int va = 0, vb = 0;
            if (!parse_value(a, f, va)) {
                error = std::string("invalid value `") + std::string(a) + "` in the " + f.name + " field";
                return false;
            }
            if (va < f.min || va > f.max) {
                error = std::string("value ") + std::to_string(va) + " out of range " + range + " in the " +
                        f.name + " field";
                return false;
            }
            if (dash != std::string_view::npos) {
                std::string_view b = base.substr(dash + 1);
                if (!parse_value(b, f, vb)) {
                    error = std::string("invalid value `") + std::string(b) + "` in the " + f.name + " field";
                    return false;
                }
                if (vb < f.min || vb > f.max) {
                    error = std::string("value ") + std::to_string(vb) + " out of range " + range + " in the " +
                            f.name + " field";
                    return false;
                }
                if (va > vb) {
                    error = std::string("range `") + std::string(base) + "` goes backwards in the " + f.name +
                            " field";
                    return false;
                }
            }
        }
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return true;
}

}  // namespace

bool validate_cron(std::string_view expr, std::string& error) {
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < expr.size()) {
        while (i < expr.size() && (expr[i] == ' ' || expr[i] == '\t')) ++i;
        if (i >= expr.size()) break;
        std::size_t s = i;
        while (i < expr.size() && expr[i] != ' ' && expr[i] != '\t') ++i;
        fields.push_back(expr.substr(s, i - s));
    }
    if (fields.size() == 1 && !fields[0].empty() && fields[0][0] == '@') {
        for (std::string_view m : {"@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"})
            if (fields[0] == m) return true;
        error = "unknown macro `" + std::string(fields[0]) +
                "` (expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually)";
        return false;
    }
    if (fields.size() != 5 && fields.size() != 6) {
        error = "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got " +
                std::to_string(fields.size());
        return false;
    }
    static const Field kFields[] = {
        {"second", 0, 59, nullptr, 0},       {"minute", 0, 59, nullptr, 0},
        {"hour", 0, 23, nullptr, 0},         {"day-of-month", 1, 31, nullptr, 0},
        {"month", 1, 12, kMonths, 1},        {"day-of-week", 0, 7, kDays, 0},
    };
    std::size_t first = fields.size() == 6 ? 0 : 1;
    for (std::size_t k = 0; k < fields.size(); ++k)
        if (!check_field(fields[k], kFields[first + k], error)) return false;
    return true;
}

bool validate_tz(std::string_view tz) {
    if (tz == "UTC" || tz == "local") return true;
    if (tz.empty() || tz[0] == '/' || tz.size() > 255) return false;
    for (char c : tz) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
                  c == '_' || c == '-' || c == '+';
        if (!ok) return false;
    }
    if (tz.find("..") != std::string_view::npos) return false;
    std::ifstream f("/usr/share/zoneinfo/" + std::string(tz), std::ios::binary);
    if (!f) return false;
    char magic[4] = {};
    f.read(magic, 4);
    return f.gcount() == 4 && magic[0] == 'T' && magic[1] == 'Z' && magic[2] == 'i' && magic[3] == 'f';
}

}  // namespace sluiced::config
