#include "config/diagnostics.h"

#include <algorithm>

namespace sluiced::config {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

// Number of UTF-8 code points in s (continuation bytes not counted).
std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

std::string suggest(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_d = static_cast<std::size_t>(-1);
    for (const std::string& c : candidates) {
        if (c == word) continue;
        if (iequal(c, word)) return c;
    }
    for (const std::string& c : candidates) {
        if (c == word) continue;
        std::size_t d = edit_distance(word, c);
        std::size_t len = std::min(word.size(), c.size());
        std::size_t allowed = len >= 5 ? 2 : len >= 3 ? 1 : 0;
        if (d <= allowed && d < best_d) {
            best = c;
            best_d = d;
        }
    }
    return best;
}

std::string suggest(std::string_view word, std::initializer_list<std::string_view> candidates) {
    std::vector<std::string> v;
    for (std::string_view c : candidates) v.emplace_back(c);
    return suggest(word, v);
}

std::string did_you_mean(const std::string& suggestion) {
    if (suggestion.empty()) return "";
    return " (did you mean `" + suggestion + "`?)";
}

std::string quoted(std::string_view text) {
    std::string t(text);
    if (t.size() > 80) t = t.substr(0, 77) + "...";
    for (char& c : t)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    return "`" + t + "`";
}

std::string where(const Mark& m) {
    return m.file + ":" + std::to_string(m.line) + ":" + std::to_string(m.column);
}

std::string format(const Diagnostic& d) {
    std::string out;
    if (d.has_mark)
        out = where(d.mark) + ": error: " + d.message;
    else
        out = "sluiced: error: " + d.message;
    if (d.has_expr) {
        // The line of the expression holding the offending byte.
        std::size_t caret = std::min(d.caret, d.expr_text.size());
        std::size_t begin = d.expr_text.rfind('\n', caret == 0 ? std::string::npos : caret - 1);
        if (caret == 0) begin = std::string::npos;
        begin = begin == std::string::npos ? 0 : begin + 1;
        if (caret < d.expr_text.size() && d.expr_text[caret] == '\n' && caret > begin) {
            // caret on a line end: stays on this line
        }
        std::size_t end = d.expr_text.find('\n', caret);
        if (end == std::string::npos) end = d.expr_text.size();
        std::string_view line = std::string_view(d.expr_text).substr(begin, end - begin);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out += "\n";
        out += line;
        out += "\n";
        std::string_view before = std::string_view(d.expr_text).substr(begin, caret - begin);
        for (char c : before) {
            if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;
            out += c == '\t' ? '\t' : ' ';
        }
        (void)display_width;
        out += "^";
    }
    return out;
}

}  // namespace sluiced::config
