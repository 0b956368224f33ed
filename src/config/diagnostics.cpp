#include "config/diagnostics.h"

#include "util/suggest.h"

#include <algorithm>

namespace sluiced::config {

namespace {

// Number of UTF-8 code points in s (continuation bytes not counted).
std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) { return sluiced::edit_distance(a, b); }

std::string suggest(std::string_view word, const std::vector<std::string>& candidates) {
    return sluiced::suggest(word, std::vector<std::string_view>(candidates.begin(), candidates.end()));
}

std::string suggest(std::string_view word, std::initializer_list<std::string_view> candidates) {
    return sluiced::suggest(word, std::vector<std::string_view>(candidates));
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
